"""Server-side sessions: the cookie is only a random id, so a session can be ended for good.

The attack (issue 10, finding 1): a signed-cookie session copied before logout still read the
account's orders and wrote its profile for 30 days. Here a copied cookie dies with the session.
"""

from __future__ import annotations

import datetime as dt
import re

from shopping import HALO, seed_tiny_catalog
from sqlalchemy import select, update

from shop.models import UserSession, utcnow

PASSWORD = "correct horse battery"
CHECKOUT = {"name": "Ann Example", "email": "ann@example.com", "delivery": "standard",
            "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH", "country": "GB"}}


def register(client, email="ann@example.com"):
    return client.post("/account/register", data={"email": email, "password": PASSWORD})


def login(client, email="ann@example.com"):
    return client.post("/account/login", data={"email": email, "password": PASSWORD})


def cookie(client) -> str:
    return client.get_cookie("session").value


def copy_of(app, client):
    thief = app.test_client()
    thief.set_cookie("session", cookie(client))
    return thief


def test_the_cookie_holds_only_a_random_session_id(client):
    register(client)
    value = cookie(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value), value  # 32 random bytes, nothing signed in it
    assert "user_id" not in value and "." not in value


def test_a_cookie_copied_before_logout_reads_and_writes_nothing_after_it(app, client, session):
    seed_tiny_catalog(session)
    register(client)
    client.post("/api/cart/items", json={"sku": HALO, "quantity": 1})
    assert client.post("/api/checkout", json=CHECKOUT).status_code == 201
    client.put("/api/profile", json={"arch": "flat"})
    thief = copy_of(app, client)
    assert thief.get("/api/orders").get_json()  # the copy works while the session lives ...

    assert client.post("/account/logout").status_code == 302
    # ... and reads nothing once the owner has logged out.
    assert thief.get("/api/account").status_code == 401
    orders = thief.get("/api/orders")
    assert orders.status_code in (200, 401) and "High Street" not in orders.get_data(as_text=True)
    assert thief.get("/api/profile").get_json() in ({}, None)
    thief.put("/api/profile", json={"arch": "high"})
    login(client)
    assert client.get("/api/profile").get_json() == {"arch": "flat"}


def test_logout_deletes_the_session_row(client, session):
    register(client)
    assert session.scalar(select(UserSession.user_id)) is not None
    client.post("/account/logout")
    session.expire_all()
    assert session.scalars(select(UserSession).where(UserSession.user_id.is_not(None))).all() == []


def test_log_in_gives_a_new_session_id_and_ends_the_old_one(app, client):
    client.put("/api/profile", json={"arch": "flat"})  # a guest session exists
    before = cookie(client)
    register(client)
    assert cookie(client) != before
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/api/account").status_code == 401
    assert old.get("/api/profile").get_json() == {}


def test_log_out_of_every_device_from_the_account_page(app, client):
    register(client)
    other_device = app.test_client()
    login(other_device)
    assert other_device.get("/api/account").status_code == 200
    assert "Log out of every device" in client.get("/account").get_data(as_text=True)
    response = client.post("/account/logout-everywhere")
    assert response.status_code == 302
    assert other_device.get("/api/account").status_code == 401
    assert client.get("/api/account").status_code == 401


def test_log_out_of_every_device_in_the_api(app, client):
    client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    other_device = app.test_client()
    other_device.post("/api/account/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert client.post("/api/account/logout-everywhere", json={}).status_code == 204
    assert other_device.get("/api/account").status_code == 401
    assert client.get("/api/account").status_code == 401


def test_log_out_of_every_device_leaves_other_accounts_alone(app, client):
    register(client)
    bob = app.test_client()
    register(bob, "bob@example.com")
    client.post("/account/logout-everywhere")
    assert bob.get("/api/account").status_code == 200


def _age_sessions(session, **columns):
    session.execute(update(UserSession).values(**columns))
    session.commit()


def test_an_idle_account_session_ends(app, client, session):
    register(client)
    idle = app.config["SESSION_IDLE_SECONDS"]
    _age_sessions(session, last_seen_at=utcnow() - dt.timedelta(seconds=idle + 5))
    assert client.get("/api/account").status_code == 401


def test_an_active_session_ends_at_the_absolute_timeout(app, client, session):
    register(client)
    absolute = app.config["SESSION_ABSOLUTE_SECONDS"]
    _age_sessions(session, created_at=utcnow() - dt.timedelta(seconds=absolute + 5))
    assert client.get("/api/account").status_code == 401


def test_a_session_used_within_the_idle_timeout_lives_on(app, client, session):
    register(client)
    idle = app.config["SESSION_IDLE_SECONDS"]
    _age_sessions(session, last_seen_at=utcnow() - dt.timedelta(seconds=idle - 60))
    assert client.get("/api/account").status_code == 200
    session.expire_all()
    seen = session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < dt.timedelta(seconds=60)  # the use counted: idle time starts again


def test_an_unknown_or_forged_session_id_is_a_fresh_guest(app, client):
    client.set_cookie("session", "x" * 43)
    assert client.get("/api/account").status_code == 401
    client.put("/api/profile", json={"arch": "flat"})
    assert cookie(client) != "x" * 43  # never adopt an id the client chose
    assert client.get("/api/profile").get_json() == {"arch": "flat"}


def test_a_guest_cart_lives_in_the_server_session(client, session):
    seed_tiny_catalog(session)
    client.post("/api/cart/items", json={"sku": HALO, "quantity": 2})
    assert client.get("/api/cart").get_json()["items"][0]["quantity"] == 2
    row = session.scalar(select(UserSession))
    assert row.user_id is None and "visitor_id" in row.data
