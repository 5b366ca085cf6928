"""Whether a code applies to a subtotal, and how much it takes off: pure, Decimal only."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .models import DiscountCode

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


class DiscountError(Exception):
    """The code cannot be used; ``message`` is for the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownCode(DiscountError):
    pass


class CodeNotYetValid(DiscountError):
    pass


class CodeExpired(DiscountError):
    pass


class CodeUsedUp(DiscountError):
    pass


class BelowMinimum(DiscountError):
    pass


def normalize_code(code: str) -> str:
    """Codes are matched without case or surrounding spaces ("summer10" is "SUMMER10")."""
    return code.strip().upper()


def money(value: Decimal) -> str:
    return f"£{Decimal(value).quantize(CENT)}"


def problem(code: DiscountCode, subtotal: Decimal, now: dt.datetime) -> DiscountError | None:
    """Why ``code`` does not apply to this subtotal now (None when it does)."""
    if code.starts_at is not None and now < code.starts_at:
        return CodeNotYetValid(
            f"The code {code.code} is not valid yet: it starts on {code.starts_at:%d %B %Y}."
        )
    if code.ends_at is not None and now >= code.ends_at:
        return CodeExpired(f"The code {code.code} has expired.")
    if code.max_uses is not None and code.uses >= code.max_uses:
        return CodeUsedUp(f"The code {code.code} has been used up.")
    if subtotal < code.min_spend:
        return BelowMinimum(
            f"The code {code.code} needs a subtotal of at least {money(code.min_spend)} "
            f"(yours is {money(subtotal)})."
        )
    return None


def amount_off(code: DiscountCode, subtotal: Decimal) -> Decimal:
    """Money off the subtotal, to the penny (half-up), never more than the subtotal."""
    value = Decimal(code.value)
    off = subtotal * value / HUNDRED if code.kind == "percent" else value
    return min(off.quantize(CENT, rounding=ROUND_HALF_UP), subtotal).quantize(CENT)
