"""Two-step sign-in for staff: set up with a confirmed code, log in with password then code (page
and API), each code once, wrong codes throttled like wrong passwords, turned off with a code."""

from __future__ import annotations

import datetime as dt
import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import func, select, update

from shop.accounts import totp, two_step_views
from shop.admin.models import AuditEntry
from shop.models import LoginAttempt, User

PASSWORD = "correct horse battery"
EMAIL = "staff@example.com"


def code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current 30-second step (or one ahead: still inside the allowed drift)."""
    return pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + steps_ahead)


def staff_account(app, session, email=EMAIL, role="admin"):
    client = app.test_client()
    client.post("/account/register", data={"email": email, "password": PASSWORD})
    session.execute(update(User).where(User.email == email).values(role=role))
    session.commit()
    return client


def user(session, email=EMAIL) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def turn_on(client, session) -> str:
    """Through the account page; returns the secret."""
    client.post("/account/two-step/setup")
    page = client.get("/account").get_data(as_text=True)
    secret = re.search(r"<dt>Key</dt><dd><code>([A-Z2-7]+)</code>", page).group(1)
    assert client.post("/account/two-step/enable", data={"code": code(secret)}).status_code == 302
    assert user(session).totp_secret == secret
    return secret


def login(client, password=PASSWORD, email=EMAIL):
    return client.post("/account/login", data={"email": email, "password": password})


def pair_failures(session, email=EMAIL) -> int:
    session.expire_all()
    return session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.key.like(f"login:{email}|%")))


def test_a_code_matches_its_step_and_one_either_side_only():
    secret = pyotp.random_base32()
    at = 1_800_000_000.0
    step = int(at // 30)
    generate = pyotp.TOTP(secret).generate_otp
    assert totp.matching_step(secret, generate(step), at) == step
    assert totp.matching_step(secret, generate(step - 1), at) == step - 1
    assert totp.matching_step(secret, generate(step + 1), at) == step + 1
    assert totp.matching_step(secret, generate(step + 2), at) is None
    assert totp.matching_step(secret, generate(step - 2), at) is None
    for bad in ("", "12345", "1234567", "abcdef", None):
        assert totp.matching_step(secret, bad, at) is None


def test_shoppers_have_no_two_step_section_and_its_forms_are_404(client, session):
    client.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    assert "Two-step sign-in" not in client.get("/account").get_data(as_text=True)
    for action in ("setup", "enable", "disable"):
        assert client.post(f"/account/two-step/{action}", data={"code": "123456"}).status_code == 404
    assert client.post("/account/two-step/setup").status_code == 404  # logged out too
    assert user(session, "ann@example.com").totp_secret is None


def test_staff_set_it_up_with_the_qr_code_and_a_confirming_code(app, session):
    client = staff_account(app, session, role="support")
    page = client.get("/account").get_data(as_text=True)
    assert "Two-step sign-in" in page and "Set up two-step sign-in" in page
    assert client.post("/account/two-step/setup").status_code == 302
    page = client.get("/account").get_data(as_text=True)
    secret = re.search(r"<dt>Key</dt><dd><code>([A-Z2-7]{32})</code>", page).group(1)
    uri = unescape(re.search(r'<code class="otpauth-uri">([^<]+)</code>', page).group(1))
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parse_qs(parts.query)["secret"] == [secret] and parse_qs(parts.query)["issuer"] == ["Backcare"]
    assert EMAIL in unescape(parts.path.replace("%40", "@"))
    assert re.search(r'<div class="qr-code"><svg [^>]*class="segno"', page)
    assert user(session).totp_secret is None  # nothing saved before a code confirms it

    wrong = client.post("/account/two-step/enable", data={"code": code(secret, 5)})
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    assert client.post("/account/two-step/enable", data={"code": "abc"}).status_code == 400
    assert user(session).totp_secret is None
    assert client.post("/account/two-step/enable", data={"code": code(secret)}).status_code == 302
    assert user(session).totp_secret == secret
    page = client.get("/account").get_data(as_text=True)
    assert "Two-step sign-in is on" in page and "Turn off two-step sign-in" in page
    assert secret not in page  # shown only while setting up


def test_the_log_in_page_asks_for_the_code_after_the_password(app, session):
    secret = turn_on(staff_account(app, session), session)
    browser = app.test_client()
    assert login(browser, "wrong password!").status_code == 401  # no second step for that
    second = login(browser)
    assert second.status_code == 200 and 'name="code"' in second.get_data(as_text=True)
    assert browser.get("/api/account").status_code == 401  # not logged in yet

    wrong = browser.post("/account/login/code", data={"code": code(secret, 9)})
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    assert pair_failures(session) == 2  # the wrong password and the wrong code
    good = code(secret, 1)
    done = browser.post("/account/login/code", data={"code": good})
    assert done.status_code == 302 and browser.get("/api/account").json["email"] == EMAIL
    assert pair_failures(session) == 0  # only the right code forgives

    replay = app.test_client()  # the same code again, say seen over a shoulder
    assert login(replay).status_code == 200
    refused = replay.post("/account/login/code", data={"code": good})
    assert refused.status_code == 401 and replay.get("/api/account").status_code == 401


def test_the_code_step_without_a_password_first_or_too_late_starts_again(app, session, monkeypatch):
    secret = turn_on(staff_account(app, session), session)
    stranger = app.test_client()
    answer = stranger.post("/account/login/code", data={"code": code(secret, 1)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/login")
    late = app.test_client()
    monkeypatch.setattr(two_step_views, "PENDING_SECONDS", -1)
    login(late)
    answer = late.post("/account/login/code", data={"code": code(secret, 1)})
    assert answer.status_code == 302 and late.get("/api/account").status_code == 401


def test_the_api_wants_otp_and_takes_each_code_once(app, session):
    secret = turn_on(staff_account(app, session), session)
    api = app.test_client()
    body = {"email": EMAIL, "password": PASSWORD}
    asked = api.post("/api/account/login", json=body)
    assert asked.status_code == 401 and asked.json["otp_required"] is True
    assert asked.mimetype == "application/problem+json"
    assert api.get("/api/account").status_code == 401
    wrong_password = api.post("/api/account/login", json={**body, "password": "wrong password", "otp": "000000"})
    assert wrong_password.status_code == 401 and "otp_required" not in wrong_password.json
    wrong = api.post("/api/account/login", json={**body, "otp": code(secret, 7)})
    assert wrong.status_code == 401 and wrong.json["otp_required"] is True
    assert api.post("/api/account/login", json={**body, "otp": "12 34"}).status_code == 422
    good = code(secret, 1)
    done = api.post("/api/account/login", json={**body, "otp": good})
    assert done.status_code == 200 and done.json["email"] == EMAIL
    again = app.test_client().post("/api/account/login", json={**body, "otp": good})
    assert again.status_code == 401 and again.json["otp_required"] is True


def test_wrong_codes_are_throttled_like_wrong_passwords(app, session):
    app.config["LOGIN_MAX_FAILURES"] = 3
    secret = turn_on(staff_account(app, session), session)
    body = {"email": EMAIL, "password": PASSWORD}
    api = app.test_client()
    for _ in range(3):
        assert api.post("/api/account/login", json={**body, "otp": code(secret, 8)}).status_code == 401
    # The right password and the right code now wait too: the password did not forgive the pair.
    blocked = api.post("/api/account/login", json={**body, "otp": code(secret, 1)})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    page = app.test_client()
    assert login(page).status_code == 429
    assert pair_failures(session) == 3
    for attempt in session.scalars(select(LoginAttempt)):
        attempt.attempted_at -= dt.timedelta(hours=1)
    session.commit()  # as if an hour had passed (on both databases)
    assert login(page).status_code == 200
    assert page.post("/account/login/code", data={"code": code(secret, 1)}).status_code == 302


def test_the_page_second_step_answers_429_once_throttled(app, session):
    app.config["LOGIN_MAX_FAILURES"] = 2
    secret = turn_on(staff_account(app, session), session)
    browser = app.test_client()
    assert login(browser).status_code == 200
    assert browser.post("/account/login/code", data={"code": code(secret, 8)}).status_code == 401
    assert browser.post("/account/login/code", data={"code": code(secret, 8)}).status_code == 401
    blocked = browser.post("/account/login/code", data={"code": code(secret, 1)})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "Too many failed log-in attempts" in blocked.get_data(as_text=True)
    assert browser.get("/api/account").status_code == 401


def test_turning_it_off_needs_a_current_code(app, session):
    client = staff_account(app, session)
    secret = turn_on(client, session)
    wrong = client.post("/account/two-step/disable", data={"code": code(secret, 6)})
    assert wrong.status_code == 400 and user(session).totp_secret == secret
    enabling = pyotp.TOTP(secret).generate_otp(user(session).totp_last_step)
    replayed = client.post("/account/two-step/disable", data={"code": enabling})
    assert replayed.status_code == 400 and user(session).totp_secret == secret
    done = client.post("/account/two-step/disable", data={"code": code(secret, 1)})
    assert done.status_code == 302 and user(session).totp_secret is None
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["staff.totp_on", "staff.totp_off"]
    assert session.scalar(select(AuditEntry.actor_email).order_by(AuditEntry.id.desc())) == EMAIL
    assert login(app.test_client()).status_code == 302  # the password alone again


def test_a_code_is_accepted_once_even_by_the_service(app, session):
    staff_account(app, session)
    secret = pyotp.random_base32()
    session.execute(update(User).where(User.email == EMAIL).values(totp_secret=secret))
    session.commit()
    account = user(session)
    now = time.time()
    current = pyotp.TOTP(secret).generate_otp(int(now // 30))
    assert totp.accept(session, account, current, now) is True
    assert totp.accept(session, account, current, now) is False
    earlier = pyotp.TOTP(secret).generate_otp(int(now // 30) - 1)
    assert totp.accept(session, account, earlier, now) is False  # older than the last one taken
    session.rollback()


@pytest.mark.parametrize("role", ["admin", "merchandiser", "support"])
def test_every_staff_role_may_use_it(app, session, role):
    client = staff_account(app, session, role=role)
    assert client.post("/account/two-step/setup").status_code == 302
