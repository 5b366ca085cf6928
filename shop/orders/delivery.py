"""The delivery methods the checkout offers, as data: a name, a label, a price, a free-from.

Adding a method is adding a row to ``DELIVERY_METHODS``; the checkout form, its validation and
the order's shipping price all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..money import money


@dataclass(frozen=True)
class DeliveryMethod:
    code: str
    label: str
    price: Decimal
    free_from: Decimal | None = None  # a subtotal from which this method costs nothing

    def price_for(self, subtotal: Decimal) -> Decimal:
        if self.free_from is not None and subtotal >= self.free_from:
            return Decimal("0.00")
        return self.price

    @property
    def description(self) -> str:
        """As the checkout page puts it: "Standard ...: £4.95, free on orders of £75.00 or more"."""
        text = f"{self.label}: {money(self.price)}"
        if self.free_from is not None:
            text += f", free on orders of {money(self.free_from)} or more"
        return text


DELIVERY_METHODS: dict[str, DeliveryMethod] = {
    method.code: method
    for method in (
        DeliveryMethod(
            "standard", "Standard delivery (3–5 working days)", Decimal("4.95"), Decimal("75.00")
        ),
        DeliveryMethod("express", "Express delivery (next working day)", Decimal("9.95")),
    )
}
DEFAULT_DELIVERY = "standard"
