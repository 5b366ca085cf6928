"""Accounts: register, log in, log out, the account page, cookies, fixation and passwords."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from shop.models import User

PASSWORD = "correct horse battery"


def register(client, email="ann@example.com", password=PASSWORD, name="Ann", **extra):
    return client.post("/account/register", data={"email": email, "password": password, "name": name, **extra})


def login(client, email="ann@example.com", password=PASSWORD, **extra):
    return client.post("/account/login", data={"email": email, "password": password, **extra})


def logout(client):
    return client.post("/account/logout")


def session_of(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


# ---------------------------------------------------------------- register


def test_register_creates_the_account_and_logs_in(client, session):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    user = session.scalar(select(User))
    assert (user.email, user.name) == ("ann@example.com", "Ann")
    assert session_of(client)["user_id"] == user.id
    page = client.get("/account").get_data(as_text=True)
    assert "ann@example.com" in page and "Log out" in page


def test_register_normalises_the_email_address(client, session):
    register(client, email="  Ann@Example.COM ")
    assert session.scalar(select(User.email)) == "ann@example.com"


def test_register_with_a_taken_email_logs_nobody_in_and_points_to_log_in(client, session):
    """The answer is the redirect a new account gets (no enumeration, test_accounts_abuse.py);
    only the page after it, a guest's, suggests logging in."""
    register(client)
    logout(client)
    response = register(client, email="ANN@example.com", password="someone else's password")
    assert response.status_code == 302
    assert "user_id" not in session_of(client)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "If this e-mail address already has an account, log in with its password." in page
    assert len(session.scalars(select(User)).all()) == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "", "password": PASSWORD}, "email", "Enter a valid e-mail address, like name@example.com."),
        ({"password": PASSWORD}, "email", "Enter your e-mail address."),
        (
            {"email": "not-an-address", "password": PASSWORD},
            "email",
            "Enter a valid e-mail address, like name@example.com.",
        ),
        ({"email": "ann@example.com"}, "password", "Choose a password."),
        ({"email": "ann@example.com", "password": "short"}, "password", "Use between 8 and 128 characters."),
        ({"email": "ann@example.com", "password": "x" * 129}, "password", "Use between 8 and 128 characters."),
        ({"email": "ann@example.com", "password": PASSWORD, "name": "n" * 121}, "name", "Use at most 120 characters."),
    ],
)
def test_register_form_shows_a_message_next_to_each_bad_field(client, form, field, message):
    response = client.post("/account/register", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="f-{field}-error">{message}</p>' in html
    assert f'aria-describedby="f-{field}-error"' in html or f"f-{field}-hint f-{field}-error" in html


def test_register_form_keeps_entered_values_but_never_the_password(client):
    html = client.post("/account/register", data={"email": "ann@example.com", "password": "short"}).get_data(
        as_text=True
    )
    assert 'value="ann@example.com"' in html
    assert 'value="short"' not in html


def test_register_and_login_pages_label_every_input(client):
    for url in ("/account/register", "/account/login"):
        html = client.get(url).get_data(as_text=True)
        for name in ("email", "password"):
            assert f'<label for="f-{name}">' in html and f'id="f-{name}"' in html


# ---------------------------------------------------------------- passwords


def test_password_is_stored_as_a_scrypt_hash_only(client, session):
    register(client)
    stored = session.scalar(select(User.password_hash))
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


def test_password_never_appears_in_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    register(client)
    logout(client)
    login(client, password="a wrong password 123")
    login(client)
    assert any("registered" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        text = record.getMessage() + str(record.args or "")
        assert PASSWORD not in text and "a wrong password 123" not in text


# ---------------------------------------------------------------- log in and out


def test_login_with_the_right_password(client):
    register(client)
    logout(client)
    response = login(client, email="ANN@example.com ")
    assert response.status_code == 302
    assert "user_id" in session_of(client)


def test_login_with_a_wrong_password_or_unknown_email_gives_the_same_answer(client):
    register(client)
    logout(client)
    wrong_password = login(client, password="not the password")
    unknown_email = login(client, email="bob@example.com")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert "The e-mail address or password is incorrect." in response.get_data(as_text=True)
    assert "user_id" not in session_of(client)


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"password": PASSWORD}, "email", "Enter your e-mail address."),
        ({"email": "", "password": PASSWORD}, "email", "Enter your e-mail address."),
        ({"email": "ann@example.com"}, "password", "Enter your password."),
        ({"email": "ann@example.com", "password": ""}, "password", "Enter your password."),
    ],
)
def test_login_form_validation_messages(client, form, field, message):
    response = client.post("/account/login", data=form)
    assert response.status_code == 400
    assert f'<p class="field-error" id="f-{field}-error">{message}</p>' in response.get_data(as_text=True)


def test_login_returns_to_a_local_next_page(client):
    register(client)
    logout(client)
    assert login(client, next="/profile").headers["Location"] == "/profile"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_to_another_site(client, target):
    register(client)
    logout(client)
    assert login(client, next=target).headers["Location"] == "/account"


def test_logout_ends_the_account_session(client):
    register(client)
    response = logout(client)
    assert response.status_code == 302
    assert "user_id" not in session_of(client)
    assert client.get("/account").headers["Location"].startswith("/account/login")


def test_logout_needs_a_post(client):
    assert client.get("/account/logout").status_code == 405


def test_account_page_links_to_the_profile_and_the_order_history(client):
    register(client)
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/profile"' in html and 'href="/orders">Your orders</a>' in html


def test_account_page_sends_guests_to_log_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account"


def test_a_session_for_a_deleted_account_is_ended(client, session):
    register(client)
    user = session.scalar(select(User))
    session.delete(user)
    session.commit()
    assert client.get("/account").status_code == 302
    assert "user_id" not in session_of(client)


def test_navigation_links_follow_the_login_state(client):
    assert ">Log in</a>" in client.get("/").get_data(as_text=True)
    register(client)
    html = client.get("/").get_data(as_text=True)
    assert ">Account</a>" in html and ">Log in</a>" not in html


# ---------------------------------------------------------------- session cookie and fixation


def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = _session_cookie(register(client))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in this test


def test_session_cookie_is_secure_over_https(client):
    response = client.post(
        "/account/register", base_url="https://localhost", data={"email": "ann@example.com", "password": PASSWORD}
    )
    assert "Secure" in _session_cookie(response)


def test_session_cookie_is_secure_when_configured(app_config):
    from shop import create_app

    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    try:
        response = app.test_client().post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
        assert "Secure" in _session_cookie(response)
    finally:
        app.extensions["database"].engine.dispose()


def test_login_starts_a_fresh_session_with_a_new_visitor_id(client):
    register(client)
    logout(client)
    with client.session_transaction() as sess:
        sess["visitor_id"] = guest = "guest-visitor"
        sess["planted"] = "by an attacker"
    login(client)
    after = session_of(client)
    assert "planted" not in after
    assert after["visitor_id"] != guest  # the guest's data moved to the account, not the id
    assert set(after) <= {"visitor_id", "user_id", "_permanent", "_flashes", "csrf_token"}


def test_a_cookie_from_before_login_does_not_carry_the_login(app, client):
    register(client)
    logout(client)
    client.get("/profile")
    before = client.get_cookie("session").value
    login(client)
    stranger = app.test_client()
    stranger.set_cookie("session", before)
    assert stranger.get("/account").status_code == 302
