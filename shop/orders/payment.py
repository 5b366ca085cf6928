"""Where a payment provider plugs in. Today no payment is taken: orders stay "pending".

The checkout calls :meth:`PaymentProvider.start` once, right after the order is committed (never
inside the stock transaction: a provider may call out over the network). A real provider returns
``PaymentStart(status="pending", redirect_url=...)`` to send the shopper to a hosted payment page
and later confirms through its own webhook view.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from .statuses import PaymentStatus


@dataclass(frozen=True)
class PaymentStart:
    status: str = PaymentStatus.PENDING
    redirect_url: str | None = None
    reference: str | None = None

    def __post_init__(self):
        try:
            status = PaymentStatus(self.status)
        except ValueError:
            raise ValueError(f"unknown payment status {self.status!r}") from None
        object.__setattr__(self, "status", status)


class PaymentProvider(ABC):
    """The one interface the checkout knows about payments."""

    name: str = "provider"

    @abstractmethod
    def start(self, order) -> PaymentStart:
        """Begin paying for a just-placed ``shop.models.Order``."""


class PendingPayment(PaymentProvider):
    """No payment is taken: the order is placed and its payment stays pending."""

    name = "pending"

    def start(self, order) -> PaymentStart:
        return PaymentStart(status=PaymentStatus.PENDING)

