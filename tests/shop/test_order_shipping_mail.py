"""The shipping e-mail: queued in the ship transaction, sent to the shopper's SMTP server after it."""

from __future__ import annotations

import pytest
from admin_helpers import staff_client
from ordering import order_id, place
from shopping import HALO, seed_tiny_catalog
from smtp_fixture import free_port, html_of, text_of
from sqlalchemy import select

from shop.mail.models import OutboxMail
from shop.mail.sender import send_pending


@pytest.fixture
def stocked(session):
    seed_tiny_catalog(session, stock=5)
    return session


def ship(support, oid, carrier="DPD", tracking="15501234567890"):
    support.post(f"/api/admin/orders/{oid}/transitions", json={"action": "pay"})
    response = support.post(f"/api/admin/orders/{oid}/transitions",
                            json={"action": "ship", "carrier": carrier, "tracking_number": tracking})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_shipping_sends_the_tracking_to_the_shopper(app, client, stocked, smtp_inbox):
    order = place(client, HALO, 2)
    ship(staff_client(app, "support"), order_id(stocked, order["number"]))
    confirmation, shipped = smtp_inbox.messages
    assert confirmation["Subject"] == f"Your order {order['number']}"
    assert shipped["Subject"] == f"Your order {order['number']} is on its way"
    assert shipped["To"] == "ann@example.com"
    text = text_of(shipped)
    assert "Carrier: DPD" in text and "Tracking number: 15501234567890" in text
    assert "https://track.dpd.co.uk/parcels/15501234567890" in text
    assert "2 x Halo Walk" in text and f"/orders/{order['number']}" in text
    html = html_of(shipped)
    assert 'href="https://track.dpd.co.uk/parcels/15501234567890"' in html and "Halo Walk" in html


def test_an_unknown_carrier_gets_no_link_and_an_outage_keeps_the_mail(app, client, stocked, smtp_inbox):
    order = place(client, HALO)
    url = app.config["MAIL_URL"]
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    shipped = ship(staff_client(app, "support"), order_id(stocked, order["number"]),
                   carrier="Hermes Local", tracking="HL-0001")
    assert shipped["status"] == "shipped" and shipped["tracking_url"] is None  # the outage fails nothing
    stocked.expire_all()
    mail = stocked.scalar(select(OutboxMail).where(OutboxMail.kind == "order_shipped"))
    assert mail.sent_at is None and "Follow your parcel" not in mail.text and "HL-0001" in mail.text
    app.config["MAIL_URL"] = url
    mail.next_attempt_at = mail.created_at
    stocked.commit()
    assert send_pending(stocked, app.config).sent == 1
    assert smtp_inbox.messages[-1]["Subject"].endswith("is on its way")


def test_a_refused_ship_queues_no_mail(app, client, stocked, smtp_inbox):
    order = place(client, HALO)
    support = staff_client(app, "support")
    refused = support.post(f"/api/admin/orders/{order_id(stocked, order['number'])}/transitions",
                           json={"action": "ship", "carrier": "DPD", "tracking_number": "1234567"})
    assert refused.status_code == 409  # still pending: not paid yet
    stocked.expire_all()
    assert stocked.scalar(select(OutboxMail).where(OutboxMail.kind == "order_shipped")) is None
