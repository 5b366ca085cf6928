"""The event log's guard: one click per impression, bots not logged, a rate per visitor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from rec_helpers import install_model
from sqlalchemy import func, select, update

from shop.events.guard import RateLimiter, is_bot
from shop.models import Event
from shop.recommendations.demo_events import VISITOR_PREFIX

BROWSER = {"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"}


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def count(session, kind: str) -> int:
    """Events of this kind logged by the test's requests (the demo history left out)."""
    session.rollback()  # see the other requests' commits
    return session.scalar(select(func.count()).select_from(Event).where(
        Event.kind == kind, Event.visitor_id.not_like(f"{VISITOR_PREFIX}%")))


def trending_links(html: str) -> list[str]:
    return re.findall(r'/products/([a-z0-9-]+)\?rec=trending"', html)


def test_a_click_counts_once_per_impression(trained, client, session):
    shown = trending_links(client.get("/", headers=BROWSER).get_data(as_text=True))
    assert shown
    for _ in range(3):
        assert client.get(f"/products/{shown[0]}?rec=trending", headers=BROWSER).status_code == 200
    assert count(session, "click") == 1
    client.get("/", headers=BROWSER)  # shown again: one more click may count
    client.get(f"/products/{shown[0]}?rec=trending", headers=BROWSER)
    assert count(session, "click") == 2


def test_a_click_without_a_matching_impression_is_not_counted(trained, client, session):
    shown = trending_links(client.get("/", headers=BROWSER).get_data(as_text=True))
    from catalog.models import Product

    other = session.scalar(select(Product.slug).where(Product.slug.not_in(shown)).order_by(Product.slug))
    client.get(f"/products/{other}?rec=trending", headers=BROWSER)  # not shown in that slot
    client.get(f"/products/{shown[0]}?rec=similar", headers=BROWSER)  # shown, but in another slot
    assert count(session, "click") == 0
    assert count(session, "view") == 2  # the visits themselves still count


def test_a_click_on_an_old_impression_is_not_counted(trained, client, session):
    shown = trending_links(client.get("/", headers=BROWSER).get_data(as_text=True))
    session.execute(update(Event).values(created_at=Event.created_at - dt.timedelta(hours=1)))
    session.commit()
    client.get(f"/products/{shown[0]}?rec=trending", headers=BROWSER)
    assert count(session, "click") == 0


@pytest.mark.parametrize("agent", [
    "Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0", "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0)", "Scrapy/2.11", "",
])
def test_known_bots_are_not_logged(trained, client, session, agent):
    client.get("/", headers={"User-Agent": agent})
    client.get("/products/velmora-halo-walk", headers={"User-Agent": agent})
    client.get("/products?q=walking", headers={"User-Agent": agent})
    assert count(session, "view") + count(session, "impression") + count(session, "search") == 0


def test_browsers_are_not_taken_for_bots():
    for agent in ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"):
        assert not is_bot(agent, r"bot|crawl|spider|curl|python-requests|headless")


def test_events_are_rate_limited_per_visitor(demo, app_config):
    """A visitor's first request (no visitor id yet) counts against its address; later ones
    against the visitor."""
    from shop import create_app
    from shop.extensions import db

    app = create_app({**app_config, "EVENTS_PER_VISITOR_PER_MINUTE": 5})

    def per_visitor() -> dict[str, list[str]]:
        with app.app_context():
            rows = db.session.execute(select(Event.visitor_id, Event.kind)).all()
        out: dict[str, list[str]] = {}
        for visitor, kind in rows:
            out.setdefault(visitor, []).append(kind)
        return out

    one, other = app.test_client(), app.test_client()
    one.get("/products/velmora-halo-walk", headers=BROWSER)
    (first,) = per_visitor().values()
    assert "view" in first and len(first) < 5
    for _ in range(8):
        one.get("/products/velmora-halo-walk", headers=BROWSER)
    other.get("/products/velmora-halo-walk", headers=BROWSER)  # new: the address's budget
    logged = per_visitor()
    app.extensions["database"].engine.dispose()
    assert len(logged) == 2
    totals = sorted(len(kinds) for kinds in logged.values())
    assert totals == [5 - len(first), len(first) + 5]


def test_the_rate_limiter_forgets_a_window_after_a_minute_and_stays_bounded():
    now = [0.0]
    limiter = RateLimiter(3, max_keys=2, clock=lambda: now[0])
    assert limiter.take("a", 2) == 2 and limiter.take("a", 2) == 1 and limiter.take("a", 1) == 0
    now[0] = 60.0
    assert limiter.take("a", 5) == 3
    limiter.take("b", 1)
    limiter.take("c", 1)
    assert len(limiter._windows) == 2  # "a", the oldest, was forgotten
