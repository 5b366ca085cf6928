"""The shop's own tables: accounts, carts, profiles, orders, the event log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models import Base, Variant

from .discounts.models import DiscountCode


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: NULL for a shopper; "admin", "merchandiser" or "support" for staff (``shop.admin.roles``).
    role: Mapped[str | None] = mapped_column(String(20), index=True)
    #: The base32 secret of a staff member's TOTP second factor, once they turned it on.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the owner followed the e-mailed verification (or reset) link; guest orders placed
    #: with this address are claimed only once it is set.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The time step of the last accepted TOTP code: a code is refused at or before it (replay).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)


class Cart(Base):
    """A server-side cart, owned by a guest visitor or by an account."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: The discount code the shopper applied; checked again every time the cart is summarised.
    discount_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("discount_codes.id", ondelete="SET NULL")
    )

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )
    discount: Mapped[DiscountCode | None] = relationship(lazy="joined")


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "variant_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant: Mapped[Variant] = relationship(lazy="joined")


class Profile(Base):
    """What a visitor told us about themselves; every field optional (validated by a schema)."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    visitor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: A hash of the checkout request that used the key: the same key with another body is refused.
    idempotency_body: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[dict] = mapped_column(JSON)
    delivery: Mapped[str] = mapped_column(String(20))
    subtotal: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    shipping: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    #: The code and the money it took off, as they were when the order was placed.
    discount_code: Mapped[str | None] = mapped_column(String(40))
    discount: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0.00"
    )
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    #: ``shop.orders.statuses.OrderStatus``; changed only through ``shop.orders.fulfilment``.
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    payment_status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    #: The shipment, once the back office shipped the order.
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    #: The sum of ``refunds``, kept here so one conditional UPDATE caps it at ``total``.
    refunded: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0.00"
    )

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Refund.id"
    )


class OrderLine(Base):
    """A snapshot of what was bought: name, SKU and unit price at the time of the order."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"))
    product_slug: Mapped[str] = mapped_column(String(120))
    product_name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(60))
    variant_label: Mapped[str] = mapped_column(String(120), default="")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    quantity: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    order: Mapped[Order] = relationship(back_populates="lines")


class Refund(Base):
    """Money given back on an order, by whom and why (the order's ``refunded`` is their sum)."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(String(500))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    staff_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="refunds")


class Event(Base):
    """One thing a visitor did; the recommender's training data.

    ``item_id`` is a product slug, or ``article:<slug>`` for an article read. Impressions and
    clicks of recommendation slots carry the slot in ``slot``. On PostgreSQL the table is
    partitioned by month of ``created_at`` (migration 0013, :mod:`shop.events.partitions`),
    so its primary key there is ``(id, created_at)``; ``id`` alone identifies a row.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_visitor_time", "visitor_id", "created_at"),
        Index("ix_events_kind_time", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str | None] = mapped_column(String(140))
    context: Mapped[str | None] = mapped_column(String(200))
    slot: Mapped[str | None] = mapped_column(String(40))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EventExport(Base):
    """One completed ``shop events export``: the events it holds may be dropped after their
    retention (``shop db maintain``), and no others.

    The export wrote every training event (read, view, cart, purchase) with an id up to
    ``max_event_id`` (ids only grow), from ``first_event_at`` to ``last_event_at``.
    """

    __tablename__ = "event_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    exported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    kinds: Mapped[str] = mapped_column(String(200))  # comma-separated event kinds
    rows: Mapped[int] = mapped_column(Integer)
    max_event_id: Mapped[int | None] = mapped_column(Integer)
    first_event_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_event_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    destination: Mapped[str] = mapped_column(String(500))


class LoginAttempt(Base):
    """Failed log-ins, kept to throttle guessing per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_time", "key", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserSession(Base):
    """A server-side session: the cookie holds only a random id, whose SHA-256 is the key here.

    Deleting the row ends the session for good, wherever its cookie was copied to; ``user_id``
    lets "log out of every device" find all of an account's sessions.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


from .admin.models import AuditEntry  # noqa: E402,F401
from .mail.models import OutboxMail  # noqa: E402,F401
from .recommendations.experiment_models import Experiment, ExperimentEvent  # noqa: E402,F401
from .recommendations.merch_models import MerchRule  # noqa: E402,F401
from .recommendations.training_runs import TrainingRun  # noqa: E402,F401
from .reviews.models import Review, ReviewVote  # noqa: E402,F401  (their tables on the metadata)
