"""Forgot password: a signed, single-use, expiring link through the outbox; no enumeration."""

from __future__ import annotations

import re
from html import unescape

from smtp_fixture import html_of, text_of
from sqlalchemy import func, select

from shop.accounts import reset as resets
from shop.mail.models import OutboxMail
from shop.models import User, UserSession

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new secret"


def register(client, email="ann@example.com"):
    data = {"email": email, "password": PASSWORD, "name": "Ann"}
    return client.post("/account/register", data=data)


def login(client, password, email="ann@example.com"):
    return client.post("/account/login", data={"email": email, "password": password})


def reset_link(message) -> str:
    [link] = re.findall(r"http://localhost(/account/reset\?token=\S+)", text_of(message))
    assert unescape(re.search(r'href="([^"]+)"', html_of(message)).group(1)).endswith(link)
    return link


def resets_in(inbox) -> list:
    """The reset mails (a sign-up sends its own verification mail first)."""
    return [m for m in inbox.messages if m["Subject"] == "Reset your password"]


def ask(client, email="ann@example.com"):
    return client.post("/account/forgot", data={"email": email})


def test_the_reset_mail_link_sets_a_new_password_once(app, client, session, smtp_inbox):
    register(client)
    other_device = app.test_client()
    assert login(other_device, PASSWORD).status_code == 302
    answer = ask(app.test_client())
    assert answer.status_code == 200
    assert "If this e-mail address has an account" in answer.get_data(as_text=True)
    [message] = resets_in(smtp_inbox)
    assert message["To"] == "ann@example.com"
    link = reset_link(message)

    browser = app.test_client()
    page = browser.get(link)
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    token = link.split("token=", 1)[1]
    done = browser.post("/account/reset", data={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account/login")
    user = session.scalar(select(User).where(User.email == "ann@example.com"))
    assert user.password_hash.startswith("scrypt:")
    assert session.scalar(select(func.count()).select_from(UserSession)
                          .where(UserSession.user_id == user.id)) == 0  # every device logged out
    assert other_device.get("/api/account").status_code == 401
    assert login(app.test_client(), PASSWORD).status_code == 401
    assert login(app.test_client(), NEW_PASSWORD).status_code == 302

    again = browser.post("/account/reset", data={"token": token, "password": "yet another one!"})
    assert again.status_code == 400 and "expired or has been used" in again.get_data(as_text=True)
    assert browser.get(link).status_code == 400
    assert login(app.test_client(), NEW_PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, client, session, smtp_inbox):
    register(client)
    known = ask(app.test_client(), "ann@example.com").get_data(as_text=True)
    unknown = ask(app.test_client(), "nobody@example.com").get_data(as_text=True)
    varying = r'name="csrf_token" value="[^"]*"|value="[^"]*@example.com"'
    assert re.sub(varying, "", known) == re.sub(varying, "", unknown)
    assert [m["To"] for m in resets_in(smtp_inbox)] == ["ann@example.com"]
    api_known = client.post("/api/account/forgot", json={"email": "ann@example.com"})
    api_unknown = client.post("/api/account/forgot", json={"email": "nobody@example.com"})
    assert api_known.status_code == api_unknown.status_code == 202
    assert api_known.json == api_unknown.json
    assert session.scalar(select(func.count(OutboxMail.id))
                          .where(OutboxMail.kind == "password_reset")) == 2


def test_the_link_expires_after_an_hour(app, client, session, smtp_inbox):
    register(client)
    ask(client)
    token = reset_link(resets_in(smtp_inbox)[0]).split("token=", 1)[1]
    with app.test_request_context():
        assert resets.user_for_token(session, token) is not None
        assert resets.user_for_token(session, token, max_age=-1) is None  # as an hour later
        assert resets.reset_password(session, token, NEW_PASSWORD, max_age=-1) is None
    assert login(app.test_client(), PASSWORD).status_code == 302


def test_a_tampered_or_missing_token_is_a_clear_400(client, session):
    register(client)
    assert client.get("/account/reset?token=not-a-token").status_code == 400
    response = client.post("/account/reset", data={"password": NEW_PASSWORD})
    assert response.status_code == 400 and "incomplete" in response.get_data(as_text=True)
    short = client.post("/account/reset", data={"token": "x", "password": "short"})
    assert short.status_code == 400
    assert client.post("/api/account/forgot", json={}).status_code == 422


def test_without_smtp_the_reset_mail_is_an_eml_file(app, client):
    from pathlib import Path

    register(client)
    ask(client)
    texts = [eml.read_text() for eml in Path(app.config["OUTBOX_DIR"]).glob("*.eml")]
    assert [text for text in texts if "Subject: Reset your password" in text]
