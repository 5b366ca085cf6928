"""Applying a code to a cart, creating codes, and redeeming one at checkout (no Flask)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..cart.lookup import find_cart, get_or_create_cart, summarize
from ..cart.summary import CartSummary, Owner
from .models import DiscountCode
from .rules import CodeUsedUp, DiscountError, UnknownCode, normalize_code, problem

KINDS = ("percent", "amount")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def find_code(session: Session, code: str) -> DiscountCode | None:
    return session.scalar(select(DiscountCode).where(DiscountCode.code == normalize_code(code)))


def apply_code(
    session: Session, owner: Owner, code: str, *, now: dt.datetime | None = None
) -> CartSummary:
    """Put ``code`` on the owner's cart if it applies to it now, else raise DiscountError."""
    found = find_code(session, code) if code.strip() else None
    if found is None:
        raise UnknownCode(f"There is no discount code {normalize_code(code)!r}.")
    cart = get_or_create_cart(session, owner)
    refusal = problem(found, summarize(cart).subtotal, now or _now())
    if refusal is not None:
        session.rollback()
        raise refusal
    cart.discount_code_id = found.id
    session.commit()
    return summarize(find_cart(session, owner, fresh=True))


def remove_code(session: Session, owner: Owner) -> CartSummary:
    cart = find_cart(session, owner)
    if cart is not None and cart.discount_code_id is not None:
        cart.discount_code_id = None
        session.commit()
    return summarize(find_cart(session, owner, fresh=True))


def redeem(session: Session, code_id: int) -> None:
    """Count one use inside the checkout transaction; the WHERE makes a race lose, not overrun."""
    table = DiscountCode.__table__
    result = session.execute(
        update(table)
        .where(table.c.id == code_id)
        .where(table.c.max_uses.is_(None) | (table.c.uses < table.c.max_uses))
        .values(uses=table.c.uses + 1)
    )
    if result.rowcount != 1:
        raise CodeUsedUp("That discount code has just been used up.")


def create_code(
    session: Session,
    code: str,
    *,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    min_spend: Decimal = Decimal("0.00"),
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    max_uses: int | None = None,
) -> DiscountCode:
    """A new code; exactly one of ``percent`` (0-100) and ``amount`` (> 0)."""
    name = normalize_code(code)
    if not name or len(name) > 40 or not name.replace("-", "").replace("_", "").isalnum():
        raise DiscountError("A code is 1 to 40 letters, digits, '-' or '_'.")
    if (percent is None) == (amount is None):
        raise DiscountError("Give exactly one of a percentage and an amount.")
    if percent is not None and not Decimal(0) < percent <= 100:
        raise DiscountError("A percentage is more than 0 and at most 100.")
    if amount is not None and amount <= 0:
        raise DiscountError("An amount is more than 0.")
    if min_spend < 0:
        raise DiscountError("The minimum spend cannot be negative.")
    if max_uses is not None and max_uses < 1:
        raise DiscountError("The usage limit is at least 1.")
    if starts_at and ends_at and ends_at <= starts_at:
        raise DiscountError("The code must end after it starts.")
    if find_code(session, name) is not None:
        raise DiscountError(f"The code {name} exists already.")
    row = DiscountCode(
        code=name,
        kind="percent" if percent is not None else "amount",
        value=percent if percent is not None else amount,
        min_spend=min_spend,
        starts_at=starts_at,
        ends_at=ends_at,
        max_uses=max_uses,
        uses=0,
    )
    session.add(row)
    session.commit()
    return row
