"""Log-in throttling: wrong passwords slow down the account-and-address pair that made them
(5, then a delay that doubles), and an address over all accounts (20 in 15 minutes).

Nobody can lock the owner out from her own address (issue 10, finding 6; the attack itself is
in test_accounts_abuse.py). The failures live in the ``login_attempts`` table, so every app
process sees the same count.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shop.accounts import service
from shop.models import utcnow

PASSWORD = "correct horse battery"
PAIR = "login:ann@example.com|10.0.0.1"


@pytest.fixture
def ann(session):
    return service.register(session, "ann@example.com", PASSWORD)


def fail(session, email="ann@example.com", address="10.0.0.1", now=None):
    with pytest.raises(service.InvalidCredentials):
        service.authenticate(session, email, "wrong password", address, now=now)


# ---------------------------------------------------------------- the rule, on the service


def test_five_failures_make_the_same_address_wait_even_for_the_right_password(session, ann):
    for _ in range(5):
        fail(session)
    with pytest.raises(service.TooManyAttempts) as locked:
        service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1")
    assert 55 <= locked.value.retry_after <= 60


def test_four_failures_do_not_lock(session, ann):
    for _ in range(4):
        fail(session)
    assert service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1").id == ann.id


def test_failures_from_other_addresses_do_not_lock_the_owner_out(session, ann):
    for number in range(5):
        for _ in range(5):
            fail(session, address=f"10.0.0.{number}")
    assert service.authenticate(session, "ANN@example.com", PASSWORD, "192.0.2.99").id == ann.id


def test_the_address_lock_holds_for_every_account(session, ann):
    for number in range(20):
        fail(session, email=f"guess{number}@example.com", address="10.9.9.9")
    with pytest.raises(service.TooManyAttempts):
        service.authenticate(session, "ann@example.com", PASSWORD, "10.9.9.9")
    # Ann from her own address is not affected by someone else's guessing.
    assert service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1").id == ann.id


def test_the_delay_lifts_once_it_has_passed(session, ann):
    start = utcnow() - dt.timedelta(minutes=20)
    for second in range(5):
        fail(session, now=start + dt.timedelta(seconds=second))
    last = start + dt.timedelta(seconds=4)
    with pytest.raises(service.TooManyAttempts) as locked:
        service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1", now=last + dt.timedelta(seconds=30))
    assert locked.value.retry_after == 30
    user = service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1", now=last + dt.timedelta(seconds=61))
    assert user.id == ann.id


def test_a_locked_attempt_is_not_counted_again(session, ann):
    for _ in range(5):
        fail(session)
    for _ in range(3):
        with pytest.raises(service.TooManyAttempts):
            service.authenticate(session, "ann@example.com", "wrong password", "10.0.0.1")
    assert service.failure_count(session, PAIR) == 5


def test_a_success_forgives_the_pair_but_not_the_address(session, ann):
    for number in range(4):
        fail(session, email=f"guess{number}@example.com" if number else "ann@example.com")
    service.authenticate(session, "ann@example.com", PASSWORD, "10.0.0.1")
    assert service.failure_count(session, PAIR) == 0
    assert service.failure_count(session, "address:10.0.0.1") == 4


def test_old_failures_are_pruned(session, ann):
    long_ago = utcnow() - dt.timedelta(days=2)
    fail(session, now=long_ago)
    fail(session)
    from sqlalchemy import func, select

    from shop.models import LoginAttempt

    count = select(func.count(LoginAttempt.id)).where(LoginAttempt.key.in_([PAIR, "address:10.0.0.1"]))
    assert session.scalar(count) == 2  # one per key, the old ones gone


def test_the_message_rounds_up_to_whole_minutes():
    assert (
        service.TooManyAttempts(61).message == "Too many failed log-in attempts. Please wait 2 minutes and try again."
    )
    assert service.TooManyAttempts(30).message == "Too many failed log-in attempts. Please wait 1 minute and try again."


# ---------------------------------------------------------------- over HTTP


def post_login(client, email="ann@example.com", password="wrong password", address="10.0.0.1"):
    return client.post(
        "/account/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_the_sixth_try_gets_429_with_retry_after_and_a_clear_message(client, ann):
    for _ in range(5):
        assert post_login(client).status_code == 401
    response = post_login(client, password=PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Too many failed log-in attempts. Please wait 1 minute and try again." in response.get_data(as_text=True)


def test_per_address_over_http(client, ann):
    for number in range(20):
        post_login(client, email=f"guess{number}@example.com", address="10.9.9.9")
    assert post_login(client, password=PASSWORD, address="10.9.9.9").status_code == 429
    assert post_login(client, password=PASSWORD, address="10.0.0.1").status_code == 302


def test_other_addresses_failures_do_not_lock_the_account_over_http(client, ann):
    for number in range(5):
        for _ in range(5):
            post_login(client, address=f"10.0.0.{number}")
    assert post_login(client, password=PASSWORD, address="192.0.2.7").status_code == 302


def test_limits_come_from_the_config(app_config, ann):
    from shop import create_app

    app = create_app({**app_config, "LOGIN_MAX_FAILURES": 2, "LOGIN_WINDOW_SECONDS": 60})
    try:
        client = app.test_client()
        post_login(client)
        post_login(client)
        response = post_login(client, password=PASSWORD)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) <= 60
    finally:
        app.extensions["database"].engine.dispose()


# ---------------------------------------------------------------- behind a reverse proxy


def _app(app_config, **extra):
    from shop import create_app

    return create_app({**app_config, **extra})


def test_forwarded_headers_are_ignored_unless_a_proxy_is_configured(app_config, ann):
    """Without PROXY_FIX_HOPS a guesser cannot dodge the address limit with a forged header."""
    app = _app(app_config, LOGIN_ADDRESS_MAX_FAILURES=5)
    try:
        client = app.test_client()
        for number in range(5):
            client.post(
                "/account/login",
                data={"email": f"guess{number}@example.com", "password": "x"},
                headers={"X-Forwarded-For": f"198.51.100.{number}"},
            )
        response = client.post(
            "/account/login",
            data={"email": "ann@example.com", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.200"},
        )
        assert response.status_code == 429
    finally:
        app.extensions["database"].engine.dispose()


def test_behind_a_configured_proxy_the_client_address_and_https_are_seen(app_config, ann):
    app = _app(app_config, PROXY_FIX_HOPS=1)
    try:
        client = app.test_client()
        for _ in range(5):
            client.post(
                "/account/login",
                data={"email": "nobody@example.com", "password": "x"},
                headers={"X-Forwarded-For": "198.51.100.1"},
            )
        # Another shopper behind the same proxy is not locked out by the first one's failures.
        response = client.post(
            "/account/login",
            data={"email": "ann@example.com", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"},
        )
        assert response.status_code == 302
        cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
        assert "Secure" in cookie
    finally:
        app.extensions["database"].engine.dispose()
