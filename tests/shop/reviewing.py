"""Helpers of the review tests: accounts that bought something, logged in on a test client."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Product
from shop.models import Order, OrderLine, User


def make_user(session, email: str, name: str = "Ann Example") -> int:
    user = User(email=email, name=name, password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def buy(session, user_id: int, slug: str) -> None:
    """An order of the account with one line of the product (as checkout records it)."""
    product = session.query(Product).filter_by(slug=slug).one()
    variant = product.variants[0]
    number = f"T-{user_id}-{slug}"[:32]
    session.add(
        Order(
            number=number,
            user_id=user_id,
            name="Ann",
            email="ann@example.com",
            address={},
            delivery="standard",
            subtotal=product.price,
            shipping=Decimal("0"),
            total=product.price,
            lines=[
                OrderLine(
                    variant_id=variant.id,
                    product_slug=slug,
                    product_name=product.name,
                    sku=variant.sku,
                    unit_price=product.price,
                    quantity=1,
                    line_total=product.price,
                )
            ],
        )
    )
    session.commit()


def log_in(client, user_id: int) -> None:
    with client.session_transaction() as sess:
        sess["user_id"] = user_id


def buyer(session, client, email: str, slug: str, name: str = "Ann Example") -> int:
    user_id = make_user(session, email, name)
    buy(session, user_id, slug)
    log_in(client, user_id)
    return user_id
