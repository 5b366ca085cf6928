"""Test helpers of the cart, checkout and orders tests: a tiny catalog and a few shortcuts.

The tiny catalog mirrors two demo products (same slugs, names, SKUs and prices) so that tests
read like the real shop, without paying for the whole demo import on every test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update

from catalog.models import Category, Product, Variant

HALO = "VM-HW-39-R"  # Halo Walk, EU 39 regular, £139.95
HALO_40 = "VM-HW-40-R"
DRIFT = "VM-DC-39-R"  # Drift Cushion, EU 39 regular, £124.00
INSOLE = "BC-IN-ONE"  # a £19.50 one-size insole (cheap: below the free-delivery threshold)
HALO_LABEL = "Halo Walk, EU 39 (UK 5.5 / US 6.5), regular"


def seed_tiny_catalog(session, stock: int = 5) -> None:
    footwear = Category(slug="footwear", name="Footwear")
    shoes = Category(slug="walking-shoes", name="Walking shoes", parent=footwear)
    insoles = Category(slug="insoles-and-orthotics", name="Insoles and orthotics")
    today = dt.date(2025, 1, 1)
    session.add_all([
        Product(slug="velmora-halo-walk", name="Halo Walk", brand="Velmora",
                price=Decimal("139.95"), category=shoes, created_at=today, variants=[
                    Variant(sku=HALO, size_eu=Decimal("39"), width="regular", stock=stock),
                    Variant(sku=HALO_40, size_eu=Decimal("40"), width="regular", stock=stock)]),
        Product(slug="velmora-drift-cushion", name="Drift Cushion", brand="Velmora",
                price=Decimal("124.00"), category=shoes, created_at=today,
                variants=[Variant(sku=DRIFT, size_eu=Decimal("39"), width="regular", stock=stock)]),
        Product(slug="backcare-gel-insole", name="Gel Insole", brand="Backcare",
                price=Decimal("19.50"), category=insoles, created_at=today, consumable=True,
                variants=[Variant(sku=INSOLE, stock=stock)]),
    ])  # fmt: skip
    session.commit()


def set_stock(session, sku: str, stock: int) -> None:
    session.execute(update(Variant).where(Variant.sku == sku).values(stock=stock))
    session.commit()
    session.expire_all()


def stock_of(session, sku: str) -> int:
    session.expire_all()
    return session.scalar(select(Variant.stock).where(Variant.sku == sku))


def deactivate(session, slug: str) -> None:
    session.execute(update(Product).where(Product.slug == slug).values(active=False))
    session.commit()
    session.expire_all()


def csrf_token_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
