"""Account abuse (issue 10, finding 6): lock-outs an attacker can impose, sign-up floods, hashing
while holding a connection, look-alike e-mails and registration that tells which e-mails exist."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shop.accounts import service
from shop.models import User, utcnow

PASSWORD = "correct horse battery"
ATTACKER, OWNER = "203.0.113.9", "10.0.0.1"


@pytest.fixture
def ann(session):
    return service.register(session, "ann@example.com", PASSWORD)


def fail(session, address=ATTACKER, now=None, email="ann@example.com"):
    with pytest.raises(service.InvalidCredentials):
        service.authenticate(session, email, "wrong password", address, now=now)


# ---------------------------------------------------------------- lock-outs


def test_an_attackers_wrong_passwords_do_not_lock_the_owner_out(session, ann):
    for _ in range(5):
        fail(session)
    with pytest.raises(service.TooManyAttempts):  # the attacker's address is slowed down ...
        service.authenticate(session, "ann@example.com", "another guess", ATTACKER)
    # ... but the owner, from her own address, logs in.
    assert service.authenticate(session, "ann@example.com", PASSWORD, OWNER).id == ann.id


def test_the_owner_gets_in_over_http_while_an_attacker_keeps_guessing(client, ann):
    for _ in range(12):
        client.post("/account/login", data={"email": "ann@example.com", "password": "guess"},
                    environ_base={"REMOTE_ADDR": ATTACKER})
    response = client.post("/account/login", data={"email": "ann@example.com", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": OWNER})
    assert response.status_code == 302


def test_the_delay_doubles_with_each_failure_past_the_limit(session, ann):
    start = utcnow() - dt.timedelta(minutes=10)
    for second in range(5):
        fail(session, now=start + dt.timedelta(seconds=second))
    last = start + dt.timedelta(seconds=4)
    with pytest.raises(service.TooManyAttempts) as locked:
        service.authenticate(session, "ann@example.com", PASSWORD, ATTACKER, now=last)
    assert locked.value.retry_after == 60
    fail(session, now=last + dt.timedelta(seconds=61))  # waited, guessed wrong again
    with pytest.raises(service.TooManyAttempts) as locked:
        service.authenticate(session, "ann@example.com", PASSWORD, ATTACKER, now=last + dt.timedelta(seconds=61))
    assert locked.value.retry_after == 120


# ---------------------------------------------------------------- registration


def _register(client, email, address=OWNER, password=PASSWORD):
    return client.post("/account/register", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_registration_is_throttled_per_address(app_config):
    from shop import create_app

    app = create_app({**app_config, "REGISTER_MAX_PER_ADDRESS": 3})
    try:
        client = app.test_client()
        for number in range(3):
            assert _register(app.test_client(), f"user{number}@example.com", ATTACKER).status_code == 302
        refused = _register(client, "user9@example.com", ATTACKER)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert _register(app.test_client(), "someone@example.com", OWNER).status_code == 302
        api = app.test_client().post("/api/account/register", json={"email": "u@example.com", "password": PASSWORD},
                                     environ_base={"REMOTE_ADDR": ATTACKER})
        assert api.status_code == 429
    finally:
        app.extensions["database"].engine.dispose()


@pytest.mark.parametrize("action", ["register", "login"])
def test_no_database_connection_is_held_while_the_password_is_hashed(app, monkeypatch, action):
    from shop.extensions import db

    held = []
    real_hash, real_check = service.generate_password_hash, service.check_password_hash

    def watched(function):
        def run(*args, **kwargs):
            held.append((db.engine.pool.checkedout(), db.session.in_transaction()))
            return function(*args, **kwargs)
        return run

    client = app.test_client()
    if action == "login":
        _register(client, "ann@example.com")
        client.post("/account/logout")
    monkeypatch.setattr(service, "generate_password_hash", watched(real_hash))
    monkeypatch.setattr(service, "check_password_hash", watched(real_check))
    if action == "register":
        assert _register(client, "bob@example.com").status_code == 302
    else:
        assert client.post("/account/login", data={"email": "ann@example.com", "password": PASSWORD}).status_code == 302
    assert held and all(entry == (0, False) for entry in held), held


@pytest.mark.parametrize("look_alike", ["ａｎｎ@ｅｘａｍｐｌｅ.ｃｏｍ", "ANN@EXAMPLE.COM", "ann@example.com\u00a0"])
def test_a_look_alike_email_is_the_same_account(client, session, look_alike):
    _register(client, "ann@example.com")
    client.post("/account/logout")
    _register(app_client := client, look_alike, password="another password 1")
    assert session.scalar(select(func.count(User.id))) == 1
    app_client.post("/account/logout")
    response = client.post("/account/login", data={"email": look_alike, "password": PASSWORD})
    assert response.status_code == 302  # the look-alike is the owner's address, with her password


def _shape(response) -> tuple:
    cookies = sorted(h.split("=")[0] for h in response.headers.getlist("Set-Cookie"))
    return response.status_code, response.headers.get("Location"), cookies, response.get_data(as_text=True)


def test_registration_answers_the_same_whether_or_not_the_address_exists(app, client):
    _register(client, "ann@example.com")
    new = _shape(_register(app.test_client(), "newcomer@example.com"))
    taken_client = app.test_client()
    taken = _shape(_register(taken_client, "ann@example.com", password="attacker password"))
    assert new == taken
    assert taken_client.get("/api/account").status_code == 401  # never logged in as the owner


def test_registration_in_the_api_answers_the_same_whether_or_not_the_address_exists(app, client):
    client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    new = app.test_client().post("/api/account/register", json={"email": "bob@example.com", "password": PASSWORD})
    other = app.test_client()
    taken = other.post("/api/account/register", json={"email": "ann@example.com", "password": "attacker password"})
    assert new.status_code == taken.status_code == 201
    assert set(new.get_json()) == set(taken.get_json())
    assert taken.get_json()["email"] == "ann@example.com"
    assert other.get("/api/account").status_code == 401
    assert app.test_client().post("/api/account/login", json={"email": "ann@example.com",
                                                              "password": PASSWORD}).status_code == 200
