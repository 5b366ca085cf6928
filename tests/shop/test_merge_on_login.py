"""On log-in what the guest did moves to the account: profile (merged) and event history."""

from __future__ import annotations

from shopping import DRIFT, HALO, seed_tiny_catalog, set_stock
from sqlalchemy import select

from shop.models import Cart, Event, Profile, User

PASSWORD = "correct horse battery"


def register(client, email="ann@example.com"):
    return client.post("/account/register", data={"email": email, "password": PASSWORD})


def login(client, email="ann@example.com"):
    return client.post("/account/login", data={"email": email, "password": PASSWORD})


def logout(client):
    return client.post("/account/logout")


def profile(client) -> dict:
    return client.get("/api/profile").get_json()


# ---------------------------------------------------------------- profile


def test_a_guest_profile_becomes_the_new_accounts_profile(client, session):
    client.put("/api/profile", json={"arch": "flat", "goals": ["pain-relief"]})
    register(client)
    assert profile(client) == {"arch": "flat", "goals": ["pain-relief"]}
    rows = session.scalars(select(Profile)).all()
    assert len(rows) == 1 and rows[0].visitor_id is None and rows[0].user_id is not None


def test_guest_answers_fill_in_and_override_the_accounts_profile(client, session):
    register(client)
    client.put("/api/profile", json={"arch": "flat", "width": "wide", "walks_per_week": 2})
    logout(client)
    client.put("/api/profile", json={"arch": "high", "shoe_size_eu": 43})  # as a guest, on another day
    login(client)
    assert profile(client) == {"arch": "high", "width": "wide", "walks_per_week": 2, "shoe_size_eu": 43}
    assert len(session.scalars(select(Profile)).all()) == 1  # the guest row is gone


def test_logging_in_without_a_guest_profile_keeps_the_accounts(client):
    register(client)
    client.put("/api/profile", json={"arch": "neutral"})
    logout(client)
    login(client)
    assert profile(client) == {"arch": "neutral"}


# ---------------------------------------------------------------- events


def _slug(client) -> str:
    return client.get("/api/products?category=footwear&per_page=1").get_json()["items"][0]["slug"]


def test_guest_events_move_to_the_account(client, session, demo):
    slug = _slug(client)
    client.get(f"/products/{slug}")
    client.get("/articles/walking-for-back-pain")
    guest_events = session.scalars(select(Event)).all()
    assert {"view", "read"} <= {e.kind for e in guest_events}
    assert all(e.user_id is None for e in guest_events)

    register(client)
    ann = session.scalar(select(User))
    session.expire_all()
    moved = session.scalars(select(Event)).all()
    assert len(moved) == len(guest_events) and all(e.user_id == ann.id for e in moved)

    client.get(f"/products/{slug}")  # and later events are the account's from the start
    session.expire_all()
    assert all(e.user_id == ann.id for e in session.scalars(select(Event)))


def test_another_visitors_events_stay_theirs(app, session, demo):
    ann, bob = app.test_client(), app.test_client()
    slug = _slug(ann)
    ann.get(f"/products/{slug}")
    bob.get(f"/products/{slug}")
    register(ann)
    session.expire_all()
    views = session.scalars(select(Event).where(Event.kind == "view")).all()
    assert sorted(e.user_id is None for e in views) == [False, True]


def test_events_of_an_earlier_account_on_the_same_browser_are_not_taken(app, session, demo):
    client = app.test_client()
    register(client, "ann@example.com")
    client.get(f"/products/{_slug(client)}")
    logout(client)  # a new visitor id from here on
    register(client, "bob@example.com")
    ann, bob = session.scalars(select(User).order_by(User.id)).all()
    session.expire_all()
    assert {e.user_id for e in session.scalars(select(Event).where(Event.kind == "view"))} == {ann.id}


# ---------------------------------------------------------------- cart


def add(client, sku, quantity):
    response = client.post("/api/cart/items", json={"sku": sku, "quantity": quantity})
    assert response.status_code in (200, 201), response.get_json()


def cart_lines(client) -> dict[str, int]:
    return {line["sku"]: line["quantity"] for line in client.get("/api/cart").get_json()["items"]}


def test_a_guest_cart_becomes_the_new_accounts_cart(client, session):
    seed_tiny_catalog(session)
    add(client, HALO, 2)
    register(client)
    assert cart_lines(client) == {HALO: 2}
    assert session.scalar(select(Cart.visitor_id)) is None


def test_quantities_add_up_on_login(client, session):
    seed_tiny_catalog(session, stock=5)
    register(client)
    add(client, HALO, 1)
    logout(client)
    add(client, HALO, 2)  # as a guest on another day
    add(client, DRIFT, 1)
    login(client)
    assert cart_lines(client) == {HALO: 3, DRIFT: 1}
    assert len(session.scalars(select(Cart)).all()) == 1


def test_merged_quantities_are_capped_by_stock_with_a_message(client, session):
    seed_tiny_catalog(session, stock=5)
    register(client)
    add(client, HALO, 3)
    logout(client)
    add(client, HALO, 4)
    response = login(client)
    assert cart_lines(client) == {HALO: 5}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your cart now has 5 of Halo Walk" in page and "only 5 can be ordered" in page


def test_the_json_login_returns_the_merge_messages(client, session):
    seed_tiny_catalog(session, stock=2)
    register(client)
    add(client, HALO, 2)
    logout(client)
    add(client, HALO, 1)
    set_stock(session, HALO, 2)
    response = client.post("/api/account/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert any("Your cart now has 2 of Halo Walk" in message for message in response.get_json()["messages"])
    assert cart_lines(client) == {HALO: 2}


# ---------------------------------------------------------------- visitor fixation (issue 10, finding 2)


def test_whoever_holds_the_pre_login_cookie_sees_nothing_of_the_account(app, session, demo):
    """Two clients share the guest's cookie; once one logs in, the other sees none of its data:
    not the cart, the profile, "Recently viewed" nor history-based suggestions."""
    victim = app.test_client()
    first, second = (p["slug"] for p in victim.get("/api/products?category=footwear&per_page=2").get_json()["items"])
    victim.get(f"/products/{first}")
    victim.put("/api/profile", json={"arch": "flat"})
    sku = victim.get(f"/api/products/{first}").get_json()["variants"][0]["sku"]
    victim.post("/api/cart/items", json={"sku": sku, "quantity": 1})
    attacker = app.test_client()
    attacker.set_cookie("session", victim.get_cookie("session").value)
    assert "Recently viewed" in attacker.get("/").get_data(as_text=True)  # shared while a guest

    register(victim)
    victim.get(f"/products/{second}")  # viewed as the account, after log-in
    assert "Recently viewed" in victim.get("/").get_data(as_text=True)

    home = attacker.get("/").get_data(as_text=True)
    assert "Recently viewed" not in home
    assert attacker.get("/api/cart").get_json()["items"] == []
    assert attacker.get("/api/profile").get_json() == {}
    for item in attacker.get("/api/recommendations?context=home").get_json()["items"]:
        for reason in item["reasons"]:
            assert "viewed" not in reason.lower() and "because you" not in reason.lower(), reason
    session.expire_all()
    ann = session.scalar(select(User))
    views = session.scalars(select(Event).where(Event.kind == "view")).all()
    assert {e.user_id for e in views} == {ann.id}


def test_the_visitor_id_changes_at_log_in(client):
    client.put("/api/profile", json={"arch": "flat"})
    with client.session_transaction() as sess:
        guest = sess["visitor_id"]
    register(client)
    with client.session_transaction() as sess:
        assert sess.get("visitor_id") != guest
