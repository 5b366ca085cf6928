"""Order confirmation e-mails: queued with the order, sent after commit, never lost to an outage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from shopping import HALO, seed_tiny_catalog
from smtp_fixture import free_port, html_of, text_of
from sqlalchemy import func, select

from shop.mail.models import OutboxMail
from shop.mail.sender import backoff, send_pending
from shop.models import Order

BODY = {
    "name": "Ann Walker",
    "email": "ann@example.com",
    "address": {"line1": "1 High Street", "line2": "", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
    "delivery": "standard",
}


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def place(client, quantity=2) -> dict:
    added = client.post("/api/cart/items", json={"sku": HALO, "quantity": quantity})
    assert added.status_code == 201
    response = client.post("/api/checkout", json=BODY)
    assert response.status_code == 201, response.json
    return response.json


def outbox(session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_the_confirmation_reaches_the_smtp_server(client, stocked, smtp_inbox):
    order = place(client)
    [message] = smtp_inbox.messages
    assert message["Subject"] == f"Your order {order['number']}"
    assert message["To"] == "ann@example.com"
    assert smtp_inbox.envelopes[0][1] == ["ann@example.com"]
    saved = stocked.scalar(select(Order).where(Order.number == order["number"]))
    text = text_of(message)
    line = saved.lines[0]
    assert f"2 x {line.product_name}" in text and f"SKU {line.sku}" in text
    assert f"Total: £{saved.total}" in text
    assert "Standard delivery" in text
    assert f"/orders/{order['number']}" in text
    html = html_of(message)
    assert f"£{saved.total}" in html and f'href="http://localhost/orders/{order["number"]}"' in html
    [mail] = outbox(stocked)
    assert mail.sent_at is not None and mail.attempts == 1


def test_an_outage_delays_the_mail_and_places_the_order(app, client, stocked):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    order = place(client)
    assert stocked.scalar(select(func.count(Order.id))) == 1
    [mail] = outbox(stocked)
    assert mail.sent_at is None and mail.attempts == 1
    assert "ConnectionRefusedError" in mail.last_error
    assert mail.next_attempt_at > mail.created_at + dt.timedelta(seconds=50)
    assert mail.subject == f"Your order {order['number']}"


def test_a_later_send_delivers_the_waiting_mail_once(app, client, stocked, smtp_inbox):
    url = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    place(client)
    app.config["MAIL_URL"] = url
    assert send_pending(stocked, app.config).sent == 0  # not due yet: it waits its backoff
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + backoff(1) + dt.timedelta(seconds=5)
    assert send_pending(stocked, app.config, now=later).sent == 1
    assert send_pending(stocked, app.config, now=later + dt.timedelta(days=1)).sent == 0
    assert len(smtp_inbox.messages) == 1
    [mail] = outbox(stocked)
    assert mail.sent_at is not None and mail.attempts == 2 and mail.last_error == ""


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(50) == dt.timedelta(hours=6)


def test_without_mail_url_the_mail_is_an_eml_file(app, client, stocked):
    order = place(client)
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    content = eml.read_text()
    assert f"Subject: Your order {order['number']}" in content and "To: ann@example.com" in content


def test_a_failed_checkout_queues_no_mail(client, stocked, smtp_inbox):
    response = client.post("/api/checkout", json=BODY)  # empty cart
    assert response.status_code == 409
    assert outbox(stocked) == [] and smtp_inbox.messages == []


def test_the_cli_drains_the_outbox(app, client, stocked, runner):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    place(client)
    app.config["MAIL_URL"] = ""
    stocked.execute(OutboxMail.__table__.update().values(next_attempt_at=dt.datetime(2000, 1, 1)))
    stocked.commit()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0; 0 waiting" in result.output
    assert len(list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))) == 1
