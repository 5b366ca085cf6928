"""The event log: what visitors read, view, search, cart and buy (the recommender's data)."""

from .recorder import EVENT_KINDS, record, register

__all__ = ["EVENT_KINDS", "record", "register"]
