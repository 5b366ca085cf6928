"""Asking for reset links is limited per client address (429) and per e-mail address (silently),
and neither limit tells which addresses have accounts."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from shop.mail.models import OutboxMail

PASSWORD = "correct horse battery"


def ask(client, email, address="198.51.100.7"):
    return client.post("/account/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def resets_to(session, email) -> int:
    session.expire_all()
    return session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.kind == "password_reset", OutboxMail.recipient == email))


def test_one_address_asking_too_often_gets_a_429_with_retry_after_for_any_e_mail(app, client):
    app.config["FORGOT_MAX_PER_ADDRESS"] = 3
    app.test_client().post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    for email in ("ann@example.com", "nobody@example.com", "someone@example.com"):
        assert ask(client, email).status_code == 200
    for email in ("ann@example.com", "nobody@example.com"):  # the same 429, account or not
        refused = ask(client, email)
        assert refused.status_code == 429 and 3000 < int(refused.headers["Retry-After"]) <= 3600
        page = refused.get_data(as_text=True)
        assert "Too many requests for a reset link from your address" in page
        assert "If this e-mail address has an account" not in page
    api = client.post("/api/account/forgot", json={"email": "ann@example.com"},
                      environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert api.status_code == 429 and "Retry-After" in api.headers
    assert api.mimetype == "application/problem+json"
    assert ask(client, "ann@example.com", address="203.0.113.9").status_code == 200  # others still can


def test_one_e_mail_gets_at_most_so_many_links_and_the_answer_never_changes(app, client, session):
    app.config["FORGOT_MAX_PER_EMAIL"] = 2
    app.test_client().post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    answers = {}
    for index in range(4):  # from four addresses: the per-address limit is not what stops it
        for email in ("ann@example.com", "nobody@example.com"):
            response = ask(client, email, address=f"198.51.100.{index}")
            assert response.status_code == 200
            text = re.sub(r'name="csrf_token" value="[^"]*"|value="[^"]*@example.com"', "",
                          response.get_data(as_text=True))
            answers.setdefault(text, []).append(email)
    assert len(answers) == 1  # the same page for both, before and past the limit
    assert resets_to(session, "ann@example.com") == 2
    api = client.post("/api/account/forgot", json={"email": "ann@example.com"})
    assert api.status_code == 202 and "If this e-mail address has an account" in api.json["message"]
    assert resets_to(session, "ann@example.com") == 2
