"""A scripted flood of the event log does not steer the recommender (issue 10, finding 7).

The attack: 400 scripted requests to ``/products/<slug>?rec=trending`` (a product nobody had
looked at) wrote 1,600 events and lifted it to #2 of "Popular with other shoppers" after the
next training. Here each kind of flood runs against the demo shop with a trained model; the
model is trained again afterwards and its Trending list must not have moved.
"""

from __future__ import annotations

import itertools

import pytest
from rec_helpers import install_model, train_now
from sqlalchemy import func, select

from recommender.persistence import load_artifact
from shop.models import Event
from shop.recommendations.training import artifact_path

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
SCRIPT = {"User-Agent": "python-requests/2.32.3"}
REQUESTS = 400


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RECOMMENDER_CHECK_SECONDS": 0}


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def trending(app, n: int = 10) -> list[str]:
    """The trained model's Trending / "Popular with other shoppers" list, best first."""
    model, _ = load_artifact(artifact_path(app.config["MODEL_DIR"]))
    return [r.item_id for r in model.popular(n)]


def unseen_product(session) -> str:
    """An active product without a single event: nobody has looked at it."""
    from catalog.models import Product

    seen = select(Event.item_id).where(Event.item_id.is_not(None))
    slug = session.scalar(select(Product.slug).where(Product.active.is_(True), Product.slug.not_in(seen))
                          .order_by(Product.slug))
    assert slug is not None
    return slug


def slow_clock(app):
    """The rate limiter's clock moved on 10 s per request: a patient script, one page every 10 s."""
    limiter = app.extensions.get("event_rate_limiter")
    if limiter is not None:
        ticks = itertools.count()
        limiter.clock = lambda: next(ticks) * 10.0


FLOODS = {
    # One script keeping its cookie, as fast as it can: the per-visitor rate limit.
    "one-visitor-fast": {"headers": BROWSER, "cookies": True, "slow": False, "requests": REQUESTS},
    # The same, spread over an hour under the rate limit: the daily cap in training.
    "one-visitor-slow": {"headers": BROWSER, "cookies": True, "slow": True, "requests": REQUESTS},
    # A new visitor id on every request (cookie dropped): limited by the client address.
    "no-cookie-browser": {"headers": BROWSER, "cookies": False, "slow": False, "requests": 200},
    # A known scripted client: not logged at all.
    "no-cookie-script": {"headers": SCRIPT, "cookies": False, "slow": False, "requests": 200},
}


@pytest.mark.parametrize("flood", FLOODS)
def test_a_scripted_flood_does_not_move_trending(trained, session, flood):
    spec = FLOODS[flood]
    before = trending(trained)
    target = unseen_product(session)
    if spec["slow"]:
        slow_clock(trained)
    client = trained.test_client(use_cookies=spec["cookies"])
    for _ in range(spec["requests"]):
        assert client.get(f"/products/{target}?rec=trending", headers=spec["headers"]).status_code == 200

    train_now(trained)
    after = trending(trained)
    assert target not in after
    assert after == before
    clicks = session.scalar(select(func.count()).select_from(Event).where(Event.kind == "click"))
    assert clicks == 0  # no visitor was ever shown it in Trending


def test_the_flood_is_what_would_have_moved_it(trained, session):
    """Control: the same flood with every guard switched off does lift the product."""
    trained.config.update(EVENTS_BOT_USER_AGENTS="", TRAINING_MAX_EVENTS_PER_VISITOR_DAY=0)
    trained.extensions["event_rate_limiter"].limit = 0
    target = unseen_product(session)
    client = trained.test_client()
    for _ in range(REQUESTS):
        client.get(f"/products/{target}?rec=trending", headers=BROWSER)
    train_now(trained)
    assert trending(trained)[0] == target
