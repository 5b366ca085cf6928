"""Money as the shopper reads it: ``£1,234.50``. Pure, so domain data and templates share it."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"
