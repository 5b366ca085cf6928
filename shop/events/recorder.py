"""Cheap event writes: events of a request are buffered and inserted in one statement.

``record()`` costs nothing on the hot path; an ``after_request`` hook writes the request's
events with a single multi-row INSERT on the request's own session, so a request never holds
one pooled connection while waiting for a second (a burst would otherwise take every
connection and deadlock until the pool timeout). Before writing, :mod:`.guard` drops what a
bot or a flood would add (bots, more than the per-visitor rate, clicks without an impression).
A failure to log never breaks the page.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request
from sqlalchemy import insert

from ..extensions import db
from ..models import Event, utcnow
from ..visitor import user_id, visitor_id
from . import guard

log = logging.getLogger(__name__)

EVENT_KINDS = (
    "read", "view", "search", "cart", "uncart", "purchase", "impression", "click",
)  # fmt: skip


def record(kind: str, item_id: str | None = None, *, context: str | None = None,
           slot: str | None = None, weight: float = 1.0) -> None:
    """Buffer one event of the current visitor for writing at the end of the request."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    g.setdefault("pending_events", []).append(
        {
            "visitor_id": visitor_id(),
            "user_id": user_id(),
            "kind": kind,
            "item_id": item_id,
            "context": (context or None) and context[:200],
            "slot": slot,
            "weight": weight,
            "created_at": utcnow(),
        }
    )


def flush(failed: bool = False) -> None:
    """Write the request's events through its session (the connection it already holds).

    Views commit their own work, so what a successful request leaves in the session is reads;
    after an error answer (``failed``) whatever the view left is rolled back first, so the
    events' commit never commits half of a failed change.
    """
    rows = g.pop("pending_events", None) or []
    if failed:
        g.pop("pending_experiment_events", None)
    if not rows and not g.get("pending_experiment_events"):
        return
    session = db.session
    try:
        if failed:
            session.rollback()
        rows = _admitted(session, rows) if rows else []
        extra = [] if failed else _experiment_rows(rows)
        if not rows and not extra:
            return
        if rows:
            session.execute(insert(Event), rows)
        if extra:
            from ..recommendations.experiment_models import ExperimentEvent

            session.execute(insert(ExperimentEvent), extra)
        session.commit()
    except Exception:  # losing a view event must never cost the shopper a page
        log.warning("could not write %d events", len(rows), exc_info=True)
        try:
            session.rollback()
        except Exception:
            log.debug("rollback after failed event write failed", exc_info=True)


def _experiment_rows(rows: list[dict]) -> list[dict]:
    """What the A/B experiments record of these events (``shop.recommendations.experiments``)."""
    from ..recommendations import experiments

    return experiments.pending(rows)


def _admitted(session, rows: list[dict]) -> list[dict]:
    config = current_app.config
    known = g.get("visitor_was_known", False)
    return guard.admit(
        session, rows, user_agent=request.user_agent.string,
        limit_key=rows[0]["visitor_id"] if known else f"address:{request.remote_addr}",
        limiter=current_app.extensions["event_rate_limiter"],
        bot_pattern=config.get("EVENTS_BOT_USER_AGENTS"),
        click_window=float(config.get("EVENTS_CLICK_WINDOW_SECONDS", 1800)),
    )


def register(app: Flask) -> None:
    app.extensions["event_rate_limiter"] = guard.RateLimiter(
        int(app.config.get("EVENTS_PER_VISITOR_PER_MINUTE", 60)))

    @app.before_request
    def _note_returning_visitor():
        """A request without a visitor id yet is rate-limited by its address (see guard)."""
        g.visitor_was_known = visitor_id(create=False) is not None

    @app.after_request
    def _write_events(response):
        flush(failed=response.status_code >= 400)
        return response
