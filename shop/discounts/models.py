"""The discount code table; the cart points at the code applied to it, orders snapshot it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class DiscountCode(Base):
    """``kind`` is ``percent`` (``value`` is 0-100) or ``amount`` (``value`` is money off).

    ``uses`` only ever grows through the conditional UPDATE at checkout, which is what keeps
    racing checkouts within ``max_uses``; the CHECK constraint backs it up.
    """

    __tablename__ = "discount_codes"
    __table_args__ = (
        CheckConstraint("kind IN ('percent', 'amount')", name="kind_known"),
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    min_spend: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
