"""Profiles of guests (kept with the visitor id) and of accounts, and the move on log-in.

A guest's profile belongs to their visitor id; once they log in it belongs to the account,
and what the guest just told us fills in (and overrides) what the account had.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Event, Profile, utcnow


def _owner_clause(*, user_id: int | None, visitor_id: str | None):
    if user_id is not None:
        return Profile.user_id == user_id
    if visitor_id is not None:
        return Profile.visitor_id == visitor_id
    return None


def get_profile(session: Session, *, user_id: int | None = None, visitor_id: str | None = None) -> dict:
    """The owner's profile data ({} when none): an account's when ``user_id`` is given."""
    clause = _owner_clause(user_id=user_id, visitor_id=visitor_id)
    if clause is None:
        return {}
    data = session.scalar(select(Profile.data).where(clause))
    return dict(data or {})


def save_profile(session: Session, data: dict, *, user_id: int | None = None,
                 visitor_id: str | None = None) -> dict:
    """Replace the owner's profile with ``data`` (already validated by ``ProfileSchema``)."""
    clause = _owner_clause(user_id=user_id, visitor_id=visitor_id)
    if clause is None:
        raise ValueError("a profile needs an owner: a user id or a visitor id")
    profile = session.scalar(select(Profile).where(clause))
    if profile is None:
        profile = Profile(user_id=user_id, visitor_id=None if user_id is not None else visitor_id)
        session.add(profile)
    profile.data = dict(data)
    profile.updated_at = utcnow()
    session.commit()
    return dict(profile.data)


def delete_profile(session: Session, *, user_id: int | None = None, visitor_id: str | None = None) -> bool:
    clause = _owner_clause(user_id=user_id, visitor_id=visitor_id)
    profile = session.scalar(select(Profile).where(clause)) if clause is not None else None
    if profile is None:
        return False
    session.delete(profile)
    session.commit()
    return True


def adopt_guest_data(session: Session, visitor_id: str, user_id: int) -> None:
    """On log-in: the guest's profile merges into the account's, the guest's events become the account's."""
    guest = session.scalar(select(Profile).where(Profile.visitor_id == visitor_id))
    if guest is not None:
        account = session.scalar(select(Profile).where(Profile.user_id == user_id))
        if account is None:
            guest.visitor_id, guest.user_id = None, user_id
        else:
            account.data = {**(account.data or {}), **(guest.data or {})}
            account.updated_at = utcnow()
            session.delete(guest)
    session.execute(
        update(Event).where(Event.visitor_id == visitor_id, Event.user_id.is_(None)).values(user_id=user_id)
    )
    session.commit()


def current_profile() -> dict:
    """The current visitor's (or logged-in account's) profile data; {} when none.

    For the recommender: call inside a request. Creates no visitor id.
    """
    from ..extensions import db
    from ..visitor import user_id, visitor_id

    account = user_id()
    if account is not None:
        return get_profile(db.session, user_id=account)
    return get_profile(db.session, visitor_id=visitor_id(create=False))
