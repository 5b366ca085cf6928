"""Which status an order may move to, as one explicit table: plain data, no Flask, no database.

pending → paid → shipped → delivered, and cancelled from pending or paid (goods already on
their way cannot be put back on the shelf). ``shop.orders.fulfilment`` applies a transition with
a conditional UPDATE on the status this table names, so two staff members acting at once
cannot both move the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .statuses import OrderStatus, PaymentStatus


class Action(StrEnum):
    PAY = "pay"
    SHIP = "ship"
    DELIVER = "deliver"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[OrderStatus]
    target: OrderStatus
    label: str  # what the button says


TRANSITIONS: dict[Action, Transition] = {
    t.action: t for t in (
        Transition(Action.PAY, frozenset({OrderStatus.PENDING}), OrderStatus.PAID, "Mark paid"),
        Transition(Action.SHIP, frozenset({OrderStatus.PAID}), OrderStatus.SHIPPED, "Ship"),
        Transition(Action.DELIVER, frozenset({OrderStatus.SHIPPED}), OrderStatus.DELIVERED,
                   "Mark delivered"),
        Transition(Action.CANCEL, frozenset({OrderStatus.PENDING, OrderStatus.PAID}),
                   OrderStatus.CANCELLED, "Cancel"),
    )
}  # fmt: skip

ACTIONS: tuple[str, ...] = tuple(action.value for action in Action)


class IllegalTransition(Exception):
    """The order's status does not allow this action; ``message`` says why, for staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def transition(current: str, action: str) -> Transition:
    """The transition ``action`` makes from ``current``, or :class:`IllegalTransition`."""
    try:
        step = TRANSITIONS[Action(action)]
    except ValueError:
        raise IllegalTransition(f"There is no action {action!r}; use one of {', '.join(ACTIONS)}.") from None
    if current not in step.sources:
        allowed = " or ".join(sorted(step.sources))
        raise IllegalTransition(
            f"This order is {current}: only a {allowed} order can be moved to {step.target} "
            f"({step.label.lower()})."
        )
    return step


def available(current: str) -> list[Transition]:
    """The transitions an order in ``current`` may take, in the table's order (for the buttons)."""
    return [step for step in TRANSITIONS.values() if current in step.sources]


def refundable(payment_status: str, total: Decimal, refunded: Decimal) -> Decimal:
    """How much may still be refunded: the rest of the total of a paid order, else nothing."""
    if payment_status != PaymentStatus.PAID:
        return Decimal("0.00")
    return max(Decimal("0.00"), total - refunded)
