"""Who is asking: a guest visitor id kept in the server-side session, and the account.

The session itself lives in the database (``shop.accounts.sessions``); its cookie is only a
random id. Log-in and log-out give the browser a new session id *and* a new visitor id, so
whoever holds a copy of the cookie from before sees nothing of what comes after.
"""

from __future__ import annotations

import uuid

from flask import g, session

#: Kept across log-in: the A/B experiment key and exposures (``shop.recommendations.experiments``),
#: so logging in never moves a visitor to another variant. They reveal nothing of the account.
CARRIED_OVER = ("ab_key", "ab_seen")


def visitor_id(create: bool = True) -> str | None:
    """The visitor's id; made on first need and kept while the session lives."""
    current = session.get("visitor_id")
    if current is None and create:
        current = session["visitor_id"] = uuid.uuid4().hex
        session.permanent = True
    return current


def user_id() -> int | None:
    """The logged-in account's id, or None for a guest."""
    return session.get("user_id")


def log_in(new_user_id: int) -> str:
    """Start an account session under a new session id and a new visitor id (no fixation of
    either). Returns the new visitor id; the caller moves the guest's data to the account."""
    sticky = {key: session[key] for key in CARRIED_OVER if key in session}
    _restart()
    fresh = session["visitor_id"] = uuid.uuid4().hex
    session["user_id"] = new_user_id
    session.update(sticky)
    session.permanent = True
    return fresh


def renew_session() -> None:
    """Call on any change of privilege: the same session under a new id, the old id dead."""
    session.renew()
    g.pop("current_user", None)


def log_out() -> None:
    """Delete the session row: every copy of the cookie now reads an empty guest session."""
    _restart()


def log_out_everywhere(account: int) -> int:
    """End every session of the account, this one included. Returns how many ended."""
    from .accounts.sessions import end_every_session_of

    ended = end_every_session_of(account)
    _restart()
    return ended


def _restart() -> None:
    session.end()
    g.pop("current_user", None)
