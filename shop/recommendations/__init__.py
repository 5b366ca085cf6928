"""Recommendations in the shop: the bridge to the recommender library, training, serving.

``init_app`` loads the newest model and gives templates ``recommendation_slots(page, ...)``
so partials (home, product, cart) fetch their own slots, and ``recommendation_slot(name)`` /
``recommendation_slots_in(context)`` so they take titles and order from :mod:`.registry`.
"""

from __future__ import annotations

import logging
import re

from flask import Flask
from markupsafe import Markup, escape

log = logging.getLogger(__name__)
_EMPHASIS = re.compile(r"\*([^*]+)\*")


def reason_html(text: str) -> Markup:
    """A reason with its *title* in italics, everything else escaped."""
    return Markup(_EMPHASIS.sub(lambda m: f"<em>{m.group(1)}</em>", str(escape(text))))


def reason_text(text: str) -> str:
    """A reason as plain words (the ``*`` marks around titles removed)."""
    return _EMPHASIS.sub(lambda m: m.group(1), text)


def recommendation_slots(page: str, product=None, n: int | None = None) -> dict:
    """Slots for a template partial (each of the registry's size unless ``n`` is given);
    never raises (a failure shows no slot and is logged)."""
    from . import slots

    try:
        if page == "home":
            return slots.home_slots(n)
        if page == "product" and product is not None:
            return slots.product_slots(product, n)
        if page == "cart":
            return slots.cart_slots(n)
    except Exception:  # noqa: BLE001 - suggestions are extras; the page must render
        log.warning("recommendations for %s failed", page, exc_info=True)
        from ..extensions import db

        db.session.rollback()
    return {}


def init_app(app: Flask) -> None:
    from . import registry
    from .eligibility import EligibleCache, watch_commits
    from .store import init_store

    init_store(app)
    # Eligibility snapshots per worker: a few seconds (never more than 5: other workers' sales
    # show up within that), none under TESTING unless a test asks; this worker's stock commits
    # drop them at once.
    seconds = min(float(app.config.get("RECOMMENDER_ELIGIBLE_SECONDS", 0.0 if app.testing else 2.0)), 5.0)
    cache = app.extensions["recommender_eligible"] = EligibleCache(seconds)
    watch_commits(app.extensions["database"].sessions, cache)
    app.jinja_env.filters["reason"] = reason_html
    app.jinja_env.globals["recommendation_slots"] = recommendation_slots
    app.jinja_env.globals["recommendation_slot"] = registry.get
    app.jinja_env.globals["recommendation_slots_in"] = registry.in_context
