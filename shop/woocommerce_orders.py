"""WooCommerce's order history into the event log: ``shop orders import --from woocommerce``.

A shop that brings its history gets personal suggestions on day one: every purchase line
becomes a "purchase" event at the order's own time, the input ``shop recommender train``
learns from. Lines are matched to imported products by SKU (a variant's or a parent's), or,
when the SKU is not the catalog's, exactly by the WooCommerce product ID the catalog import
kept in ``source_ref``; anything else is reported and counted, never guessed. Customers
become accounts without a password (an empty hash matches no password) that the person
claims through the link a sign-up with the same e-mail sends to that address
(``shop.accounts.verification``). Re-importing skips orders already imported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import woocommerce as woo
from catalog.models import Product, Variant
from catalog.woocommerce_export import REF_PREFIX

from .accounts.service import normalize_email
from .models import Event, User

#: ``events.context`` of an imported purchase: which WooCommerce order it came from.
CONTEXT_PREFIX = "woocommerce-order:"


@dataclass
class OrdersReport:
    orders: int = 0
    already_imported: int = 0
    not_purchases: int = 0
    events: int = 0
    customers_created: int = 0
    #: SKU (or "(no SKU, product <id>)") -> how many lines had it.
    unknown: Counter = field(default_factory=Counter)

    @property
    def unknown_lines(self) -> int:
        return sum(self.unknown.values())


def import_orders(session: Session, paths: list[str | Path]) -> OrdersReport:
    """Read every page (all or nothing), then write events and customers in one transaction."""
    history = woo.read_orders(paths)
    report = OrdersReport(not_purchases=len(history.not_purchases))
    try:
        _write(session, history, report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _product_lookup(session: Session):
    by_sku: dict[str, str] = {}
    by_ref: dict[str, str] = {}
    for slug, sku, ref in session.execute(select(Product.slug, Product.sku, Product.source_ref)):
        if sku:
            by_sku[sku] = slug
        if ref:
            by_ref[ref] = slug
    rows = session.execute(
        select(Variant.sku, Variant.source_ref, Product.slug).join(Product, Variant.product)
    )
    for sku, ref, slug in rows:
        by_sku[sku] = slug
        if ref:
            by_ref[ref] = slug
    return by_sku, by_ref


def _write(session: Session, history: woo.OrderHistory, report: OrdersReport) -> None:
    by_sku, by_ref = _product_lookup(session)
    done = set(session.scalars(
        select(Event.context).where(Event.kind == "purchase", Event.context.like(f"{CONTEXT_PREFIX}%"))
    ))  # fmt: skip
    users = {user.email: user for user in session.scalars(select(User))}
    for purchase in history.purchases:
        context = f"{CONTEXT_PREFIX}{purchase.order_id}"
        if context in done:
            report.already_imported += 1
            continue
        report.orders += 1
        user = _customer(session, purchase, users, report)
        visitor = (f"woocommerce-customer:{purchase.customer_id}" if purchase.customer_id
                   else f"woocommerce-guest:{purchase.order_id}")  # fmt: skip
        created = purchase.created_at.astimezone(dt.UTC).replace(tzinfo=None)
        for line in purchase.lines:
            slug = _match(line, by_sku, by_ref)
            if slug is None:
                report.unknown[line.sku or f"(no SKU, product {line.product_id})"] += 1
                continue
            session.add(Event(visitor_id=visitor, user_id=user.id if user else None, kind="purchase",
                              item_id=slug, context=context, weight=float(line.quantity),
                              created_at=created))  # fmt: skip
            report.events += 1


def _match(line: woo.PurchaseLine, by_sku: dict, by_ref: dict) -> str | None:
    """The product slug of an order line: its SKU, or the exact WooCommerce IDs it names."""
    if line.sku and line.sku in by_sku:
        return by_sku[line.sku]
    for woo_id in (line.variation_id, line.product_id):
        if woo_id and f"{REF_PREFIX}{woo_id}" in by_ref:
            return by_ref[f"{REF_PREFIX}{woo_id}"]
    return None


def _customer(session: Session, purchase: woo.Purchase, users: dict, report: OrdersReport):
    """The account of the order's e-mail, made without a password if there is none yet."""
    if not purchase.email:
        return None
    email = normalize_email(purchase.email)
    user = users.get(email)
    if user is None:
        user = users[email] = User(email=email, name="", password_hash="")
        session.add(user)
        session.flush()
        report.customers_created += 1
    return user
