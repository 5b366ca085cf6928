"""A guest order is claimed by the account registered to its e-mail once that address is verified."""

from __future__ import annotations

from shopping import HALO, seed_tiny_catalog
from sqlalchemy import select

from shop.mail.models import OutboxMail
from shop.models import Order

PASSWORD = "correct horse battery"
BODY = {
    "name": "Ann Walker", "delivery": "standard",
    "address": {"line1": "1 High Street", "city": "York", "postal_code": "YO1 7HH",
                "country": "GB"},
}  # fmt: skip


def guest_order(app, email: str) -> str:
    guest = app.test_client()
    assert guest.post("/api/cart/items", json={"sku": HALO}).status_code == 201
    response = guest.post("/api/checkout", json={**BODY, "email": email})
    assert response.status_code == 201, response.json
    return response.json["number"]


def numbers(client) -> list[str]:
    return [order["number"] for order in client.get("/api/orders").json["items"]]


def verify_token(session, email: str) -> str:
    session.expire_all()
    text = session.scalars(select(OutboxMail.text).where(
        OutboxMail.kind == "email_verification", OutboxMail.recipient == email)
        .order_by(OutboxMail.id.desc())).first()
    return text.split("/account/verify?token=", 1)[1].split()[0]


def test_registering_elsewhere_claims_the_guest_order_once_the_address_is_verified(app, session):
    seed_tiny_catalog(session)
    number = guest_order(app, "Ann.Walker@Example.COM ")
    other = app.test_client()  # another browser
    other.post("/account/register", data={"email": "ann.walker@example.com", "password": PASSWORD})
    assert number not in numbers(other)  # anyone could have typed that address
    assert other.get(f"/api/orders/{number}").status_code == 404
    token = verify_token(session, "ann.walker@example.com")
    confirmed = other.post("/api/account/verify", json={"token": token})
    assert confirmed.status_code == 200 and confirmed.json["claimed_orders"] == 1
    assert number in numbers(other)
    assert other.get(f"/api/orders/{number}").status_code == 200


def test_logging_in_to_a_verified_account_claims_guest_orders_placed_after(app, session):
    seed_tiny_catalog(session)
    first = app.test_client()
    first.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    assert first.post("/api/account/verify", json={"token": verify_token(session, "ann@example.com")}
                      ).json["claimed_orders"] == 0
    number = guest_order(app, "ANN@example.com")
    assert number not in numbers(first)  # nothing moves without a log-in
    second = app.test_client()
    second.post("/account/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert number in numbers(second)


def test_logging_in_to_an_unverified_account_claims_nothing(app, session):
    seed_tiny_catalog(session)
    number = guest_order(app, "ann@example.com")
    squatter = app.test_client()
    squatter.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    again = app.test_client()
    assert again.post("/account/login", data={"email": "ann@example.com", "password": PASSWORD}
                      ).status_code == 302
    assert number not in numbers(again)
    session.expire_all()
    assert session.scalar(select(Order.user_id).where(Order.number == number)) is None


def test_other_addresses_and_wrong_passwords_claim_nothing(app, session):
    seed_tiny_catalog(session)
    number = guest_order(app, "bob@example.com")
    ann = app.test_client()
    ann.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    assert number not in numbers(ann)
    bob = app.test_client()
    bob.post("/account/register", data={"email": "bob@example.com", "password": PASSWORD})
    bob.post("/api/account/verify", json={"token": verify_token(session, "bob@example.com")})
    impostor = app.test_client()
    session.execute(Order.__table__.update().values(user_id=None))  # as if placed after
    session.commit()
    impostor.post("/account/login", data={"email": "bob@example.com", "password": "wrong pass!"})
    session.expire_all()
    assert session.scalar(select(Order.user_id).where(Order.number == number)) is None
