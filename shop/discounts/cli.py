"""``shop discounts create CODE --percent 10 | --amount 5.00 ...``: make a discount code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import click
from flask.cli import with_appcontext

from ..extensions import db


class _Money(click.ParamType):
    name = "amount"

    def convert(self, value, param, ctx):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not number.is_finite() or number.as_tuple().exponent < -2:
            self.fail(f"{value!r} is not an amount in pounds and pence", param, ctx)
        return number


MONEY = _Money()
WHEN = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


@click.group("discounts")
def discounts_group() -> None:
    """Discount codes shoppers type in the cart."""


@discounts_group.command("create")
@click.argument("code")
@click.option("--percent", type=MONEY, help="Percentage off the subtotal (0-100).")
@click.option("--amount", type=MONEY, help="Fixed money off the subtotal, e.g. 5.00.")
@click.option("--min-spend", type=MONEY, default="0.00", show_default=True,
              help="Smallest subtotal the code applies to.")
@click.option("--starts", type=WHEN,
              help="First moment the code is valid (UTC), YYYY-MM-DD[THH:MM].")
@click.option("--ends", type=WHEN, help="The code is invalid from this moment on (UTC).")
@click.option("--max-uses", type=click.IntRange(min=1), help="How many orders may use it in total.")
@with_appcontext
def create(code: str, percent: Decimal | None, amount: Decimal | None, min_spend: Decimal,
           starts: dt.datetime | None, ends: dt.datetime | None, max_uses: int | None) -> None:
    """Create the discount code CODE (stored in capitals; shoppers may type any case)."""
    from .rules import DiscountError
    from .service import create_code

    try:
        row = create_code(db.session, code, percent=percent, amount=amount, min_spend=min_spend,
                          starts_at=starts, ends_at=ends, max_uses=max_uses)
    except DiscountError as exc:
        raise click.UsageError(exc.message) from None
    off = f"{row.value}%" if row.kind == "percent" else f"£{row.value}"
    uses = f", {row.max_uses} uses" if row.max_uses else ""
    click.echo(f"Created {row.code}: {off} off{uses}")
