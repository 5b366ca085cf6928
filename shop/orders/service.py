"""Placing an order: one short transaction that snapshots the cart, takes stock and empties it.

The rules, as plain functions over a session (no Flask):

- stock is taken with ``UPDATE variants SET stock = stock - :q WHERE id = :id AND stock >= :q``
  and a row-count check, variants in id order (no deadlock between two checkouts on PostgreSQL);
  the ``stock >= 0`` CHECK constraint backs it up. On SQLite the transaction starts with
  ``BEGIN IMMEDIATE`` so that checkouts queue for the write lock (busy timeout) instead of
  failing half-way on a lock upgrade;
- the cart lines are deleted at the quantities that were read, with a row-count check, so a cart
  changed (or checked out) by a concurrent request makes this checkout fail, not double-sell;
- an idempotency key (scoped to the shopper) makes a repeated submit return the first order;
  the same key with a different request (``request_hash``) is refused, never replayed;
- an applied discount code is checked again here and its use counted with
  ``UPDATE discount_codes SET uses = uses + 1 WHERE id = :id AND uses < max_uses``, so racing
  checkouts cannot use a code more often than its limit (the loser gets :class:`DiscountInvalid`);
- with a ``cart_fingerprint`` the order is placed only if the cart is still the one the shopper
  saw (lines, quantities, prices), else :class:`CartMismatch` carries the cart as it is now;
- a checkout that fails leaves nothing behind: it rolls back as a whole.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from catalog.models import Variant

from ..cart import service as carts
from ..cart.service import EMPTY_MESSAGE, Owner
from ..discounts import service as discounts
from ..discounts.rules import DiscountError
from ..models import Order, OrderLine, utcnow
from .delivery import DEFAULT_DELIVERY, DELIVERY_METHODS, DeliveryMethod
from .errors import (
    CartChanged,
    CartMismatch,
    CartNotBuyable,
    CheckoutError,
    DiscountInvalid,
    EmptyCart,
    IdempotencyKeyReused,
    OutOfStock,
    ShopBusy,
)
from .payment import PaymentProvider, PaymentStart, PendingPayment
from .statuses import OrderStatus, PaymentStatus, initial_status

__all__ = [  # with the errors and delivery data re-exported for the pages and the API
    "DELIVERY_METHODS", "DELIVERY_OPTIONS", "CartChanged", "CartMismatch", "CartNotBuyable",
    "CheckoutDetails", "CheckoutError", "DeliveryMethod", "DeliveryOption", "DiscountInvalid",
    "EmptyCart",
    "IdempotencyKeyReused", "OutOfStock", "PlacedOrder", "ShopBusy", "count_orders", "get_order",
    "list_orders", "new_order_number", "place_order", "scoped_key",
]  # fmt: skip

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
NUMBER_LENGTH = 10

# Earlier names, kept for their importers.
DeliveryOption = DeliveryMethod
DELIVERY_OPTIONS = DELIVERY_METHODS


@dataclass(frozen=True)
class CheckoutDetails:
    name: str
    email: str
    address: dict
    delivery: str = DEFAULT_DELIVERY


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool
    payment: PaymentStart | None = None


# ---------------------------------------------------------------- helpers


def new_order_number() -> str:
    return "BC-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def scoped_key(owner: Owner, key: str) -> str:
    """The stored idempotency key: the shopper's key hashed with who they are (no collisions)."""
    who = f"u{owner.user_id}" if owner.user_id is not None else f"v{owner.visitor_id}"
    return hashlib.sha256(f"{who}\n{key}".encode()).hexdigest()


def _is_lock_timeout(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return (
        "database is locked" in text
        or "database table is locked" in text
        or "lock timeout" in text
        or "deadlock detected" in text
    )


def _begin_write(session: Session) -> None:
    """Start the checkout transaction; on SQLite take the write lock up front.

    pysqlite (legacy transaction control) opens a transaction lazily before the first INSERT/
    UPDATE/DELETE; an explicit ``BEGIN IMMEDIATE`` first makes it skip that and makes SQLite wait
    (busy timeout) for the write lock at the start, where waiting is harmless.
    """
    if session.in_transaction():
        session.commit()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _order_for_key(session: Session, key: str) -> Order | None:
    return session.scalar(
        select(Order)
        .where(Order.idempotency_key == key)
        .options(selectinload(Order.lines))
        .execution_options(populate_existing=True)
    )


def _replay(session: Session, key: str | None, request_hash: str | None) -> PlacedOrder | None:
    """The order this idempotency key already placed, as a replay; None without a key or order.

    Raises :class:`IdempotencyKeyReused` when that order came from a different request (orders
    placed before the hash was stored are replayed as before).

    The one idempotency check: before the transaction, once the write lock is held (a concurrent
    submit with the same key may have just committed), and after a failure (that submit won
    between our check and our write; on PostgreSQL our flush then breaks the unique key).
    """
    if key is None:
        return None
    existing = _order_for_key(session, key)
    if existing is None:
        return None
    if None not in (existing.idempotency_body, request_hash) and (
        existing.idempotency_body != request_hash
    ):
        raise IdempotencyKeyReused(
            "This Idempotency-Key already placed an order from a different request. "
            "Send a new key for a new order (nothing was placed)."
        )
    return PlacedOrder(existing, created=False)


def _stock_message(session: Session, lines: list[carts.CartLine]) -> str:
    """Why the race was lost, from the stock as it is now."""
    stock = dict(
        session.execute(
            select(Variant.id, Variant.stock).where(
                Variant.id.in_([line.variant_id for line in lines])
            )
        ).all()
    )
    parts = []
    for line in lines:
        left = stock.get(line.variant_id, 0)
        if left >= line.quantity:
            continue
        name = f"{line.product_name}, {line.variant_label}"
        parts.append(
            f"{name} has just sold out."
            if left == 0
            else f"Only {left} of {name} left now (you asked for {line.quantity})."
        )
    detail = " ".join(parts) or "Some items have just sold out."
    return (
        f"Sorry, someone else was quicker: {detail} No order was placed; please review your cart."
    )


# ---------------------------------------------------------------- placing


def place_order(
    session: Session,
    owner: Owner,
    details: CheckoutDetails,
    *,
    idempotency_key: str | None = None,
    request_hash: str | None = None,
    cart_fingerprint: str | None = None,
    payment: PaymentProvider | None = None,
) -> PlacedOrder:
    """Turn the owner's cart into an order, or raise :class:`CheckoutError`, writing nothing.

    ``request_hash`` identifies the request an idempotency key comes with; ``cart_fingerprint``
    is the :attr:`CartSummary.fingerprint` of the cart the shopper confirmed.
    """
    if details.delivery not in DELIVERY_METHODS:
        raise ValueError(f"unknown delivery option {details.delivery!r}")
    key = scoped_key(owner, idempotency_key) if idempotency_key else None
    if (replay := _replay(session, key, request_hash)) is not None:
        return replay
    payment = payment or PendingPayment()
    lines: list[carts.CartLine] = []
    try:
        _begin_write(session)
        if (replay := _replay(session, key, request_hash)) is not None:
            session.rollback()  # a concurrent submit with the same key won
            return replay
        summary = carts.summarize(carts.find_cart(session, owner, fresh=True))
        lines = summary.lines
        if summary.empty:
            raise EmptyCart(EMPTY_MESSAGE)
        if summary.discount_problem:
            raise DiscountInvalid(
                f"{summary.discount_problem} No order was placed: remove the code or change "
                "your cart, then confirm it again."
            )
        if cart_fingerprint is not None and cart_fingerprint != summary.fingerprint:
            raise CartMismatch(
                "Your cart has changed since you started the checkout (perhaps in another tab). "
                "No order was placed: please check the cart below and confirm it again.",
                summary,
            )
        if summary.problems:
            raise CartNotBuyable(" ".join(summary.problems))
        order = _new_order(owner, details, summary, key)
        order.idempotency_body = request_hash if key else None
        session.add(order)
        session.flush()  # the same idempotency key racing on PostgreSQL fails here
        _take_stock(session, lines)
        _redeem_discount(session, summary)
        if not carts.delete_lines(
            session, summary.cart_id, {line.id: line.quantity for line in lines}
        ):
            raise CartChanged(
                "Your cart changed while the order was being placed. "
                "No order was placed; please check your cart and try again."
            )
        session.commit()
    except (CheckoutError, IntegrityError) as exc:
        session.rollback()
        if (replay := _replay(session, key, request_hash)) is not None:
            return replay
        if isinstance(exc, OutOfStock):
            raise OutOfStock(_stock_message(session, lines)) from None
        raise
    except OperationalError as exc:
        session.rollback()
        if _is_lock_timeout(exc):
            log.warning("checkout gave up waiting for a lock: %s", exc.orig)
            raise ShopBusy(
                "The shop is very busy right now and your order was not placed. "
                "Your cart is unchanged; please try again in a moment."
            ) from exc
        raise
    return PlacedOrder(order, created=True, payment=_start_payment(session, order, payment))


def _new_order(
    owner: Owner, details: CheckoutDetails, summary: carts.CartSummary, key: str | None
) -> Order:
    option = DELIVERY_METHODS[details.delivery]
    subtotal = summary.subtotal
    shipping = option.price_for(subtotal)
    order = Order(
        number=new_order_number(),
        user_id=owner.user_id,
        visitor_id=owner.visitor_id,
        idempotency_key=key,
        name=details.name,
        email=details.email,
        address=dict(details.address),
        delivery=option.code,
        subtotal=subtotal,
        shipping=shipping,
        discount_code=summary.discount_code,
        discount=summary.discount,
        total=(summary.total + shipping).quantize(CENT),
        status=initial_status(PaymentStatus.PENDING).value,
        payment_status=PaymentStatus.PENDING.value,
        created_at=utcnow(),
    )
    order.lines = [
        OrderLine(
            variant_id=line.variant_id,
            product_slug=line.product_slug,
            product_name=line.product_name,
            sku=line.sku,
            variant_label=line.variant_label,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
        )
        for line in summary.lines
    ]
    return order


def _redeem_discount(session: Session, summary: carts.CartSummary) -> None:
    if summary.discount_code_id is None:
        return
    try:
        discounts.redeem(session, summary.discount_code_id)
    except DiscountError as exc:
        raise DiscountInvalid(
            f"{exc.message} No order was placed: remove the code and confirm your cart again."
        ) from None


def _take_stock(session: Session, lines: list[carts.CartLine]) -> None:
    """The conditional decrement: a line that finds too little stock loses the whole order."""
    variants = Variant.__table__
    for line in sorted(lines, key=lambda line: line.variant_id):
        result = session.execute(
            update(variants)
            .where(variants.c.id == line.variant_id, variants.c.stock >= line.quantity)
            .values(stock=variants.c.stock - line.quantity)
        )
        if result.rowcount != 1:
            raise OutOfStock("out of stock")


def _start_payment(session: Session, order: Order, payment: PaymentProvider) -> PaymentStart | None:
    """Hand the placed order to the payment provider; a failure there never un-places it."""
    try:
        start = payment.start(order)
    except Exception:
        log.exception("payment provider %s failed to start order %s", payment.name, order.number)
        return None
    if start.status != order.payment_status:
        order.payment_status = PaymentStatus(start.status).value
        if order.status == OrderStatus.PENDING:
            order.status = initial_status(order.payment_status).value
        session.commit()
    return start


# ---------------------------------------------------------------- reading


def _visible_to(owner: Owner):
    """Orders a shopper may see: their account's, and those their browser placed as a guest."""
    guest = and_(Order.user_id.is_(None), Order.visitor_id == owner.visitor_id)
    if owner.user_id is None:
        return guest if owner.visitor_id else Order.id.is_(None)
    if owner.visitor_id is None:
        return Order.user_id == owner.user_id
    return or_(Order.user_id == owner.user_id, guest)


def get_order(session: Session, owner: Owner, number: str) -> Order | None:
    """The order with this number if ``owner`` may see it, else None (answer 404 either way)."""
    if not owner.known:
        return None
    return session.scalar(
        select(Order)
        .where(Order.number == number, _visible_to(owner))
        .options(selectinload(Order.lines), selectinload(Order.refunds))
    )


def list_orders(session: Session, owner: Owner, *, limit: int = 20, offset: int = 0) -> list[Order]:
    if not owner.known:
        return []
    return list(
        session.scalars(
            select(Order)
            .where(_visible_to(owner))
            .options(selectinload(Order.lines), selectinload(Order.refunds))
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def count_orders(session: Session, owner: Owner) -> int:
    if not owner.known:
        return 0
    return session.scalar(select(func.count(Order.id)).where(_visible_to(owner))) or 0
