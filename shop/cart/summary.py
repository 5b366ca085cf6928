"""The cart as the shopper sees it: whose it is, its lines with their prices, the totals.

Plain frozen data built from the rows (no queries, no writes): the cart page, the API, the
checkout and the mini-cart all read these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.models import Variant

from ..discounts.rules import amount_off, problem
from ..models import Cart, CartItem, utcnow

EMPTY_MESSAGE = "No products in the cart."
MAX_QUANTITY = 99
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Owner:
    """Whose cart: the account when logged in, else the guest visitor."""

    visitor_id: str | None
    user_id: int | None = None

    @property
    def known(self) -> bool:
        return self.user_id is not None or self.visitor_id is not None


@dataclass(frozen=True)
class CartLine:
    id: int
    variant_id: int
    sku: str
    product_slug: str
    product_name: str
    variant_label: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    stock: int
    active: bool

    @property
    def problem(self) -> str | None:
        """Why this line cannot be bought as it is, in words for the shopper (or None)."""
        if not self.active:
            return f"{self.product_name} is no longer sold; please remove it."
        if self.stock == 0:
            return f"{self.product_name}, {self.variant_label} is sold out; please remove it."
        if self.quantity > self.stock:
            return (
                f"Only {self.stock} left of {self.product_name}, {self.variant_label}; "
                f"please lower the quantity."
            )
        return None


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine] = field(default_factory=list)
    cart_id: int | None = None
    #: The applied code (None without one), the money it takes off now (0.00 when it does not
    #: apply), and why it does not apply (None when it does).
    discount_code: str | None = None
    discount_code_id: int | None = None
    discount: Decimal = Decimal("0.00")
    discount_problem: str | None = None

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00")).quantize(CENT)

    @property
    def total(self) -> Decimal:
        """The subtotal less the discount (delivery comes on top at checkout, undiscounted)."""
        return (self.subtotal - self.discount).quantize(CENT)

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def message(self) -> str | None:
        return EMPTY_MESSAGE if self.empty else None

    @property
    def problems(self) -> list[str]:
        return [line.problem for line in self.lines if line.problem]

    @property
    def fingerprint(self) -> str:
        """The cart as the shopper saw it: each line's SKU, quantity and unit price, the discount.

        The checkout form and ``POST /api/checkout`` send it back, so an order is placed only
        for the cart that was shown (not one changed in another tab since).
        """
        lines = sorted(f"{line.sku}\t{line.quantity}\t{line.unit_price}" for line in self.lines)
        if self.discount_code is not None:  # a cart without a code hashes as it always did
            lines.append(f"discount\t{self.discount_code}\t{self.discount}")
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def describe(variant: Variant) -> str:
    return f"{variant.product.name}, {variant.label}"


def line_of(item: CartItem) -> CartLine:
    variant, product = item.variant, item.variant.product
    price = Decimal(variant.price_now).quantize(CENT)
    return CartLine(
        id=item.id,
        variant_id=variant.id,
        sku=variant.sku,
        product_slug=product.slug,
        product_name=product.name,
        variant_label=variant.label,
        unit_price=price,
        quantity=item.quantity,
        line_total=(price * item.quantity).quantize(CENT),
        stock=variant.stock,
        active=product.active,
    )


def summarize(cart: Cart | None, now: dt.datetime | None = None) -> CartSummary:
    if cart is None:
        return CartSummary()
    lines = [line_of(item) for item in cart.items]
    code = cart.discount
    if code is None:
        return CartSummary(lines, cart.id)
    subtotal = sum((line.line_total for line in lines), Decimal("0.00")).quantize(CENT)
    refusal = problem(code, subtotal, now or utcnow())
    return CartSummary(
        lines,
        cart.id,
        discount_code=code.code,
        discount_code_id=code.id,
        discount=Decimal("0.00") if refusal else amount_off(code, subtotal),
        discount_problem=refusal.message if refusal else None,
    )
