"""On log-in what the guest did moves to the account: profile (merged) and event history."""

from __future__ import annotations

from sqlalchemy import select

from shop.models import Event, Profile, User

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
    assert len(guest_events) == 2 and all(e.user_id is None for e in guest_events)

    register(client)
    ann = session.scalar(select(User))
    session.expire_all()
    assert {(e.kind, e.user_id) for e in session.scalars(select(Event))} == {("view", ann.id), ("read", ann.id)}

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
    owners = sorted((e.user_id is None) for e in session.scalars(select(Event)))
    assert owners == [False, True]


def test_events_of_an_earlier_account_on_the_same_browser_are_not_taken(app, session, demo):
    client = app.test_client()
    register(client, "ann@example.com")
    client.get(f"/products/{_slug(client)}")
    logout(client)  # a new visitor id from here on
    register(client, "bob@example.com")
    ann, bob = session.scalars(select(User).order_by(User.id)).all()
    session.expire_all()
    assert [e.user_id for e in session.scalars(select(Event))] == [ann.id]
