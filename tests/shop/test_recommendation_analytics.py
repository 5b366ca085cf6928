"""Recommendation analytics, checked against a small event log counted by hand.

Two days (10 and 11 March 2026), two slots (home, similar), four shoppers:
``va`` and ``vc`` are guests, ``vb`` browses logged in (account U) and orders from a new
visitor id after logging in again, ``vd`` clicked too long ago to earn anything.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from sqlalchemy import insert

from shop.models import Event, Order, OrderLine, User
from shop.recommendations import analytics

D1, D2 = dt.date(2026, 3, 10), dt.date(2026, 3, 11)
_numbers = itertools.count(1)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def event(visitor, kind, when, item=None, slot=None, user=None):
    return {"visitor_id": visitor, "user_id": user, "kind": kind, "item_id": item, "slot": slot,
            "context": None, "weight": 4.0 if kind == "impression" else 1.0, "created_at": when}


def order(session, when, lines, *, visitor=None, user=None, payment="pending"):
    subtotal = sum((Decimal(price) * qty for _slug, price, qty in lines), Decimal("0"))
    placed = Order(number=f"T-{next(_numbers)}", user_id=user, visitor_id=visitor, name="A", email="a@example.com",
                   address={}, delivery="standard", subtotal=subtotal, shipping=Decimal("4.95"),
                   total=subtotal + Decimal("4.95"), payment_status=payment, created_at=when)
    placed.lines = [OrderLine(product_slug=slug, product_name=slug, sku=slug, unit_price=Decimal(price),
                              quantity=qty, line_total=Decimal(price) * qty) for slug, price, qty in lines]
    session.add(placed)


@pytest.fixture
def event_log(session):
    account = User(email="b@example.com", password_hash="x")
    session.add(account)
    session.flush()
    u = account.id
    rows = [
        # day 1: shown, clicked, carted
        event("va", "impression", at(D1, "09:00"), slot="home"),
        event("vb", "impression", at(D1, "09:00"), slot="home", user=u),
        event("vc", "impression", at(D1, "09:00"), slot="home"),
        event("va", "impression", at(D1, "10:00"), slot="similar"),
        event("vb", "impression", at(D1, "10:00"), slot="similar", user=u),
        event("vx", "impression", at(D1, "10:00"), slot="an-old-slot"),  # not a registry slot
        event("va", "click", at(D1, "09:05"), "shoe-a", "home"),
        event("vc", "click", at(D1, "09:10"), "roll-c", "home"),
        event("vb", "click", at(D1, "10:05"), "insole-b", "similar", user=u),
        event("va", "cart", at(D1, "09:10"), "shoe-a"),  # -> home
        event("vb", "cart", at(D1, "10:10"), "insole-b", user=u),  # -> similar
        event("vc", "cart", at(D1, "09:20"), "other-x"),  # never clicked: nobody's
        # day 2
        event("va", "impression", at(D2, "07:00"), slot="home"),
        event("vc", "impression", at(D2, "07:00"), slot="home"),
        event("va", "impression", at(D2, "07:55"), slot="similar"),
        event("va", "click", at(D2, "07:00"), "roll-c", "home"),
        event("va", "click", at(D2, "08:00"), "shoe-a", "similar"),  # a later click on shoe-a
        event("vc", "click", at(D2, "13:00"), "strap-e", "similar"),
        event("va", "cart", at(D2, "08:30"), "shoe-a"),  # -> similar, the latest click
        event("vb", "cart", at(D2, "11:00"), "insole-b", user=u),  # -> similar (clicked 25 h before)
        event("vc", "cart", at(D2, "12:30"), "strap-e"),  # before its click: nobody's
        # ten days before day 2: outside the range and outside every window
        event("vd", "click", at(D2, "09:00") - dt.timedelta(days=10), "shoe-a", "home"),
    ]
    session.execute(insert(Event), rows)
    order(session, at(D1, "12:00"), [("shoe-a", "49.95", 2), ("other-x", "10.00", 1)], visitor="va")  # home 99.90
    order(session, at(D1, "15:00"), [("insole-b", "24.50", 1)], visitor="vb-again", user=u)  # similar 24.50
    order(session, at(D2, "09:00"), [("shoe-a", "49.95", 1), ("roll-c", "15.00", 1)], visitor="va")  # both slots
    order(session, at(D2, "12:00"), [("roll-c", "15.00", 1), ("strap-e", "5.55", 1)], visitor="vc")  # home 15.00
    order(session, at(D2, "09:00"), [("shoe-a", "49.95", 1)], visitor="vd")  # clicked too long ago
    order(session, at(D2, "10:00"), [("shoe-a", "49.95", 1)], visitor="va", payment="refunded")  # not revenue
    order(session, at(D2 + dt.timedelta(days=1), "10:00"), [("shoe-a", "49.95", 1)], visitor="va")  # after range
    session.commit()
    return session


def figures(cell: analytics.Figures) -> tuple:
    return (cell.impressions, cell.clicks, cell.add_to_carts, cell.orders, cell.revenue)


def test_every_figure_matches_the_hand_count(event_log):
    report = analytics.report(event_log, D1, D2)
    assert report.days == [D1, D2]
    assert report.slots == list(analytics.registry.NAMES)

    assert figures(report.cells[(D1, "home")]) == (3, 2, 1, 1, Decimal("99.90"))
    assert figures(report.cells[(D1, "similar")]) == (2, 1, 1, 1, Decimal("24.50"))
    assert figures(report.cells[(D2, "home")]) == (2, 1, 0, 2, Decimal("30.00"))
    assert figures(report.cells[(D2, "similar")]) == (1, 2, 2, 1, Decimal("49.95"))
    assert all(figures(report.cells[(day, slot)]) == (0, 0, 0, 0, Decimal("0.00"))
               for day in report.days for slot in report.slots if slot not in ("home", "similar"))

    assert figures(report.by_slot["home"]) == (5, 3, 1, 3, Decimal("129.90"))
    assert figures(report.by_slot["similar"]) == (3, 3, 3, 2, Decimal("74.45"))
    # the order whose lines went to both slots counts once in the day's orders
    assert figures(report.by_day[D1]) == (5, 3, 2, 2, Decimal("124.40"))
    assert figures(report.by_day[D2]) == (3, 3, 2, 2, Decimal("79.95"))
    assert report.by_day[D1].shop_revenue == Decimal("134.40")
    assert report.by_day[D2].shop_revenue == Decimal("135.45")  # 64.95 + 20.55 + 49.95, not the refund

    totals = report.totals
    assert figures(totals) == (8, 6, 4, 4, Decimal("204.35"))
    assert totals.shop_revenue == Decimal("269.85")
    assert totals.ctr == 6 / 8
    assert totals.add_to_cart_rate == 4 / 8
    assert totals.revenue_share == float(Decimal("204.35") / Decimal("269.85"))
    assert report.by_slot["home"].ctr == 3 / 5
    assert report.by_slot["similar"].revenue_share == float(Decimal("74.45") / Decimal("269.85"))
    assert report.cells[(D1, "home")].revenue_share == float(Decimal("99.90") / Decimal("134.40"))


def test_one_slot_and_one_day(event_log):
    similar = analytics.report(event_log, D2, D2, slot="similar")
    assert similar.slots == ["similar"]
    assert figures(similar.totals) == (1, 2, 2, 1, Decimal("49.95"))
    assert similar.totals.shop_revenue == Decimal("135.45")


def test_a_shorter_attribution_window_credits_less(event_log):
    report = analytics.report(event_log, D1, D2, window_days=1)
    # vb's cart 25 hours after the click and vc's order 27 hours after it no longer count
    assert figures(report.cells[(D2, "similar")]) == (1, 2, 1, 1, Decimal("49.95"))
    assert figures(report.cells[(D2, "home")]) == (2, 1, 0, 1, Decimal("15.00"))


@pytest.mark.parametrize(("since", "until", "slot", "message"), [
    (D2, D1, None, "must not be after"),
    (D1 - dt.timedelta(days=400), D1, None, "at most"),
    (D1, D2, "an-old-slot", "Unknown slot"),
])
def test_bad_ranges_are_refused(session, since, until, slot, message):
    with pytest.raises(analytics.RangeError, match=message):
        analytics.report(session, since, until, slot=slot)


# ------------------------------------------------------------------ shop recommender report
def test_the_cli_prints_the_same_figures(event_log, runner):
    result = runner.invoke(args=["recommender", "report", "--since", "2026-03-10", "--until", "2026-03-11"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.strip()}
    assert rows["home"] == ["5", "3", "60.0%", "1", "20.0%", "3", "129.90", "48.1%"]
    assert rows["similar"] == ["3", "3", "100.0%", "3", "100.0%", "2", "74.45", "27.6%"]
    assert rows["all"] == ["8", "6", "75.0%", "4", "50.0%", "4", "204.35", "75.7%"]
    assert "revenue of all orders 269.85" in result.output and "7 days" in result.output


def test_the_cli_json_is_the_whole_report(event_log, runner):
    import json

    result = runner.invoke(args=["recommender", "report", "--since", "2026-03-10", "--until", "2026-03-11",
                                 "--slot", "similar", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["since"] == "2026-03-10" and data["until"] == "2026-03-11" and data["slot"] == "similar"
    assert data["totals"]["revenue"] == "74.45" and data["totals"]["shop_revenue"] == "269.85"
    assert [(d["day"], d["clicks"], d["revenue"]) for d in data["days"]] == [
        ("2026-03-10", 1, "24.50"), ("2026-03-11", 2, "49.95")]
    assert [s["slot"] for s in data["slots"]] == ["similar"]


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "2026-03-12", "--until", "2026-03-11"], "must not be after"),
    (["--since", "12/03/2026"], "Invalid value for '--since'"),
    (["--slot", "nowhere"], "Invalid value for '--slot'"),
    (["--days", "0"], "Invalid value for '--days'"),
])
def test_the_cli_refuses_bad_options(runner, args, message):
    result = runner.invoke(args=["recommender", "report", *args])
    assert result.exit_code == 2 and message in result.output


# ------------------------------------------------------------------ /api/admin/analytics and the page
RANGE = "since=2026-03-10&until=2026-03-11"


def test_the_api_answers_the_same_figures(event_log, app):
    from tests.shop.admin_helpers import staff_client

    client = staff_client(app, "merchandiser")
    data = client.get(f"/api/admin/analytics?{RANGE}").get_json()
    assert data["attribution_window_days"] == 7 and data["slot"] is None
    assert data["totals"] == {"impressions": 8, "clicks": 6, "ctr": 0.75, "add_to_carts": 4,
                              "add_to_cart_rate": 0.5, "orders": 4, "revenue": "204.35",
                              "shop_revenue": "269.85",
                              "revenue_share": float(Decimal("204.35") / Decimal("269.85"))}
    home = next(s for s in data["slots"] if s["slot"] == "home")
    assert (home["title"], home["clicks"], home["orders"], home["revenue"]) == ("Recommended for you", 3, 3, "129.90")
    assert [(d["day"], d["orders"], d["revenue"], d["shop_revenue"]) for d in data["days"]] == [
        ("2026-03-10", 2, "124.40", "134.40"), ("2026-03-11", 2, "79.95", "135.45")]
    cell = next(c for c in data["cells"] if c["day"] == "2026-03-11" and c["slot"] == "similar")
    assert (cell["impressions"], cell["clicks"], cell["add_to_carts"], cell["revenue"]) == (1, 2, 2, "49.95")
    assert len(data["cells"]) == 2 * len(data["slots"])

    one = client.get(f"/api/admin/analytics?{RANGE}&slot=similar").get_json()
    assert [s["slot"] for s in one["slots"]] == ["similar"] and one["totals"]["revenue"] == "74.45"


def test_the_api_is_documented(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/admin/analytics"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"since", "until", "slot"}
    schema = spec["components"]["schemas"]["AnalyticsFigures"]["properties"]
    assert schema["revenue"]["type"] == "string" and "revenue_share" in schema


@pytest.mark.parametrize(("query", "field"), [
    ("since=2026-03-12&until=2026-03-11", "since"),
    ("since=2024-01-01&until=2026-03-11", "since"),
    ("since=11/03/2026", "since"),
    ("until=9999-12-31", "until"),
    ("slot=nowhere", "slot"),
])
def test_the_api_refuses_bad_ranges_with_a_problem(app, query, field):
    from tests.shop.admin_helpers import staff_client

    response = staff_client(app, "admin").get(f"/api/admin/analytics?{query}")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert field in response.get_data(as_text=True)


def test_the_page_shows_charts_and_a_table_with_the_same_numbers(event_log, app):
    from tests.shop.admin_helpers import staff_client

    client = staff_client(app, "merchandiser")
    response = client.get(f"/admin/analytics?{RANGE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('<svg class="chart"') == 4 and html.count("<title id=") == 4 and "<desc id=" in html
    assert "Impressions and clicks per day" in html and "Clicks per slot" in html
    assert "<td>129.90</td>" in html and "<td>204.35</td>" in html and "75.7%" in html
    assert "style=" not in html and "<script>" not in html  # nothing the CSP would block
    assert 'points="' in html

    bad = client.get("/admin/analytics?since=2026-03-12&until=2026-03-11")
    assert bad.status_code == 400 and "must not be after" in bad.get_data(as_text=True)


def test_a_support_agent_may_not_see_analytics(app):
    from tests.shop.admin_helpers import staff_client

    client = staff_client(app, "support")
    assert client.get("/admin/analytics").status_code == 403
    assert client.get("/api/admin/analytics").status_code == 403
