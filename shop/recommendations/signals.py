"""What the shop knows about the visitor in this request: cart, profile and recent history.

Read once per request (the history only when first used) and kept in :func:`request_cache`,
so the several recommendation slots of one page share one events query and one profile read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import select

from recommender.types import VisitorContext

from ..extensions import db
from ..models import Event, Profile
from ..visitor import user_id, visitor_id
from .bridge import ARTICLE_PREFIX

HISTORY_EVENTS = ("read", "view", "cart", "purchase")
HISTORY_LIMIT = 200


@dataclass
class Signals:
    """What we know about the visitor in this request.

    The history (one events query) is read on first use: the product page's blocks only need
    the profile and the cart.
    """

    cart: list[str] = field(default_factory=list)
    profile: dict = field(default_factory=dict)
    load_history: Callable[[], list[tuple[str, str, Any]]] = field(default=list, repr=False)
    _history: list[tuple[str, str, Any]] | None = field(default=None, repr=False)

    @property
    def history(self) -> list[tuple[str, str, Any]]:
        if self._history is None:
            self._history = self.load_history()
        return self._history

    @property
    def purchased(self) -> list[str]:
        return list(dict.fromkeys(item for item, kind, _ in self.history if kind == "purchase"))

    @property
    def recently_viewed(self) -> list[str]:
        """Viewed product slugs, most recent first, each once."""
        seen: dict[str, None] = {}
        for item, kind, _ in sorted(self.history, key=lambda h: h[2], reverse=True):
            if kind == "view" and not item.startswith(ARTICLE_PREFIX):
                seen.setdefault(item, None)
        return list(seen)

    def context(self, kind: str, anchor: str | None = None, profile: Mapping | None = None) -> VisitorContext:
        return VisitorContext(kind, anchor_id=anchor, history=self.history, cart=self.cart,
                              purchased=self.purchased, profile=dict(profile if profile is not None else self.profile))


def request_cache() -> dict:
    """A dict living as long as the request (``g`` can outlive it when an app context is reused)."""
    if has_request_context():
        return request.environ.setdefault("shop.recommendations", {})
    return g.setdefault("rec_cache", {})


def _profile() -> dict:
    try:
        from ..profile.service import current_profile
    except ImportError:  # the profile package is not there: read the table directly
        account, guest = user_id(), visitor_id(create=False)
        if account is None and guest is None:
            return {}
        clause = Profile.user_id == account if account is not None else Profile.visitor_id == guest
        return dict(db.session.scalar(select(Profile.data).where(clause)) or {})
    return current_profile()


def _cart() -> list[str]:
    try:
        from ..cart.context import minicart
    except ImportError:
        return []
    return list(dict.fromkeys(line.product_slug for line in minicart().lines))


def _history() -> list[tuple[str, str, Any]]:
    account, guest = user_id(), visitor_id(create=False)
    if account is None and guest is None:
        return []
    owner = Event.user_id == account if account is not None else Event.visitor_id == guest
    rows = db.session.execute(
        select(Event.item_id, Event.kind, Event.created_at)
        .where(owner, Event.kind.in_(HISTORY_EVENTS), Event.item_id.is_not(None))
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    return [(row.item_id, row.kind, row.created_at) for row in rows]


def signals() -> Signals:
    """The current visitor's signals, read once per request (the history when first used)."""
    cache = request_cache()
    if "signals" not in cache:
        cache["signals"] = Signals(cart=_cart(), profile=_profile(), load_history=_history)
    return cache["signals"]
