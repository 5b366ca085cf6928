"""E-mail verification: one e-mail per sign-up, a signed single-use expiring link, a throttled resend."""

from __future__ import annotations

import re
from html import unescape

import pytest
from smtp_fixture import html_of, text_of
from sqlalchemy import func, select

from shop.accounts import verification
from shop.mail.models import OutboxMail
from shop.models import LoginAttempt, User

PASSWORD = "correct horse battery"


def register(client, email="ann@example.com", password=PASSWORD):
    return client.post("/account/register", data={"email": email, "password": password, "name": "Ann"})


def mails(session, kind=None, to="ann@example.com") -> list[OutboxMail]:
    session.expire_all()
    query = select(OutboxMail).where(OutboxMail.recipient == to).order_by(OutboxMail.id)
    if kind:
        query = query.where(OutboxMail.kind == kind)
    return list(session.scalars(query))


def token_of(mail: OutboxMail) -> str:
    [link] = re.findall(r"http://localhost/account/verify\?token=(\S+)", mail.text)
    return link


def account(session, email="ann@example.com") -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def test_sign_up_mails_a_link_whose_button_verifies_the_address(client, session, smtp_inbox):
    register(client)
    [message] = smtp_inbox.messages
    assert message["To"] == "ann@example.com" and message["Subject"] == "Confirm your e-mail address"
    [link] = re.findall(r"http://localhost(/account/verify\?token=\S+)", text_of(message))
    assert unescape(re.search(r'href="([^"]+)"', html_of(message)).group(1)).endswith(link)
    assert "within the next 48 hours" in text_of(message)

    page = client.get("/account").get_data(as_text=True)
    assert "Verify your e-mail address" in page and "Send the link again" in page
    assert client.get("/api/account").json["email_verified"] is False

    shown = client.get(link)  # what a mail scanner does: it verifies nothing
    assert shown.status_code == 200 and ">Confirm</button>" in shown.get_data(as_text=True)
    assert account(session).email_verified_at is None

    token = link.split("token=", 1)[1]
    done = client.post("/account/verify", data={"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account")
    assert account(session).email_verified_at is not None
    page = client.get("/account").get_data(as_text=True)
    assert "your e-mail address is confirmed" in page and "Send the link again" not in page
    assert client.get("/api/account").json["email_verified"] is True


def test_a_used_link_is_a_409_and_a_tampered_one_a_400(app, client, session):
    register(client)
    token = token_of(mails(session, "email_verification")[0])
    stranger = app.test_client()  # the link needs no log-in: it is the proof
    done = stranger.post("/account/verify", data={"token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account/login")
    again = stranger.post("/account/verify", data={"token": token})
    assert again.status_code == 409 and "verified already" in again.get_data(as_text=True)
    assert stranger.get(f"/account/verify?token={token}").status_code == 409
    assert client.post("/api/account/verify", json={"token": token}).status_code == 409

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for answer in (client.get(f"/account/verify?token={tampered}"),
                   client.post("/account/verify", data={"token": tampered}),
                   client.get("/account/verify"), client.post("/account/verify", data={})):
        assert answer.status_code == 400 and "not valid" in answer.get_data(as_text=True)
    problem = client.post("/api/account/verify", json={"token": tampered})
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert "not valid" in problem.json["detail"]
    assert client.post("/api/account/verify", json={}).status_code == 422
    assert client.post("/api/account/verify", json={"token": "x" * 501}).status_code == 422


def test_an_expired_link_is_a_410_and_verifies_nothing(app, client, session):
    register(client)
    token = token_of(mails(session, "email_verification")[0])
    with app.test_request_context():
        with pytest.raises(verification.LinkRefused) as refused:
            verification.verify(session, token, max_age=-1)  # as 48 hours later
    assert refused.value.problem is verification.LinkProblem.EXPIRED
    assert refused.value.problem.status == 410
    assert account(session).email_verified_at is None
    with app.test_request_context():
        assert verification.verify(session, token).user.email == "ann@example.com"


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(app, client, session):
    register(client)
    token = token_of(mails(session, "email_verification")[0])
    user = account(session)
    user.email = "ann.new@example.com"  # any change of address makes older links dead
    session.commit()
    answer = client.post("/api/account/verify", json={"token": token})
    assert answer.status_code == 400
    assert account(session, "ann.new@example.com").email_verified_at is None


def test_the_api_verifies_and_resends(app, client, session):
    assert client.post("/api/account/verify/resend", json={}).status_code == 401
    assert client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD}
                       ).status_code == 201
    assert client.get("/api/account").json["email_verified"] is False
    sent = client.post("/api/account/verify/resend", json={})
    assert sent.status_code == 202 and "ann@example.com" in sent.json["message"]
    first, second = mails(session, "email_verification")
    done = app.test_client().post("/api/account/verify", json={"token": token_of(first)})
    assert done.status_code == 200 and done.json == {"email": "ann@example.com", "claimed_orders": 0}
    assert client.get("/api/account").json["email_verified"] is True
    assert client.post("/api/account/verify/resend", json={}).status_code == 409
    assert client.post("/api/account/verify", json={"token": token_of(second)}).status_code == 409
    assert client.post("/api/account/verify/resend", data="{}").status_code == 415


def test_resending_is_limited_per_address_with_a_429_and_retry_after(app, client, session):
    app.config["ACCOUNT_MAILS_PER_HOUR"] = 3
    register(client)  # the first of three
    for _ in range(2):
        sent = client.post("/account/verify/resend")
        assert sent.status_code == 302
    refused = client.post("/account/verify/resend")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000
    assert "Too many verification e-mails" in refused.get_data(as_text=True)
    api = client.post("/api/account/verify/resend", json={})
    assert api.status_code == 429 and "Retry-After" in api.headers
    assert len(mails(session, "email_verification")) == 3


def test_each_sign_up_sends_one_mail_whether_or_not_the_address_is_taken(app, client, session):
    register(client)
    again = register(app.test_client(), email="ANN@example.com", password="someone else's pass")
    assert again.status_code == 302
    kinds = [mail.kind for mail in mails(session)]
    assert kinds == ["email_verification", "account_exists"]
    exists = mails(session, "account_exists")[0]
    assert "You have an account already" in " ".join(exists.text.split())
    assert "http://localhost/account/forgot" in exists.text and "password" not in exists.subject.lower()
    assert "someone else's pass" not in exists.text + exists.html


def test_sign_up_mails_to_one_address_stop_at_the_hourly_limit(app, session):
    app.config["ACCOUNT_MAILS_PER_HOUR"] = 2
    register(app.test_client())
    for _ in range(3):
        assert register(app.test_client(), password="another password").status_code == 302
    assert len(mails(session)) == 2  # the answer stays the same, the mailbox stays calm
    assert session.scalar(select(func.count(LoginAttempt.id))
                          .where(LoginAttempt.key == "account-mail:ann@example.com")) == 2


def test_the_account_page_of_a_verified_account_has_no_reminder(client, session):
    register(client)
    token = token_of(mails(session, "email_verification")[0])
    client.post("/api/account/verify", json={"token": token})
    flashed = client.post("/account/verify/resend")
    assert flashed.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "confirmed already" in page and "Verify your e-mail address" not in page


def test_a_password_reset_through_the_mailed_link_verifies_the_address(app, client, session):
    register(client)
    client.post("/account/forgot", data={"email": "ann@example.com"})
    [reset] = mails(session, "password_reset")
    token = reset.text.split("/account/reset?token=", 1)[1].split()[0]
    assert app.test_client().post("/account/reset", data={"token": token, "password": "brand new one"}
                                  ).status_code == 302
    assert account(session).email_verified_at is not None
