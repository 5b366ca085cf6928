"""Who is asking: a guest visitor id kept in the signed session cookie, and the account."""

from __future__ import annotations

import uuid

from flask import g, session


def visitor_id(create: bool = True) -> str | None:
    """The visitor's stable id; made on first need and kept for 30 days (permanent session)."""
    current = session.get("visitor_id")
    if current is None and create:
        current = session["visitor_id"] = uuid.uuid4().hex
        session.permanent = True
    return current


def user_id() -> int | None:
    """The logged-in account's id, or None for a guest."""
    return session.get("user_id")


def log_in(new_user_id: int) -> None:
    """Start an account session; the visitor id survives so guest history can be moved."""
    keep = visitor_id()
    session.clear()
    session["visitor_id"] = keep
    session["user_id"] = new_user_id
    session.permanent = True
    g.pop("current_user", None)


def log_out() -> None:
    session.clear()
    g.pop("current_user", None)
