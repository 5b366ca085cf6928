"""Staff accounts: give a role (making the account if need be), change it, take it away.

Staff are ordinary accounts with a role, so they log in through the shop's own log-in. Every
change is audited in the same transaction. The last admin cannot be demoted or removed, so the
shop always keeps someone who can manage staff.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..accounts.schemas import MAX_PASSWORD, MIN_PASSWORD
from ..accounts.service import normalize_email
from ..models import User
from . import audit
from .roles import ROLES, Role


class StaffError(ValueError):
    """A change that cannot be made; the message says why, for the form or the problem JSON."""


class UnknownStaff(StaffError):
    """No staff member has that id (the API answers 404)."""


def list_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role.is_not(None)).order_by(User.email)))


def grant(session: Session, actor: User | None, email: str, role: str, *,
          password: str | None = None, name: str = "") -> User:
    """Give ``role`` to the account of ``email``; make the account when there is none (then a
    password is required). Commits."""
    if role not in ROLES:
        raise StaffError(f"Unknown role {role!r}: choose one of {', '.join(ROLES)}.")
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise StaffError("Enter a valid e-mail address.")
    if password is not None and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise StaffError(f"Use a password of {MIN_PASSWORD} to {MAX_PASSWORD} characters.")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        if password is None:
            raise StaffError(f"{email} has no account yet: give a password to create one.")
        user = User(email=email, name=name.strip()[:120], password_hash=generate_password_hash(password))
        session.add(user)
        session.flush()
    elif password is not None:
        user.password_hash = generate_password_hash(password)
    before = user.role
    if before == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(session, user)
    user.role = role
    audit.record(session, actor, "staff.grant", "user", user.id,
                 before={"email": email, "role": before}, after={"email": email, "role": role})
    session.commit()
    return user


def revoke(session: Session, actor: User | None, user_id: int) -> User:
    """Make a staff member a shopper again. Commits."""
    user = _staff_member(session, user_id)
    if user.role == Role.ADMIN:
        _keep_an_admin(session, user)
    before = user.role
    user.role = None
    user.totp_secret = None
    audit.record(session, actor, "staff.revoke", "user", user.id,
                 before={"email": user.email, "role": before}, after={"email": user.email, "role": None})
    session.commit()
    return user


def reset_two_step(session: Session, actor: User | None, user_id: int) -> User:
    """Forget a staff member's second factor (a lost phone): their next log-in is password only
    until they turn two-step sign-in on again from their account page. Audited; commits.

    An admin cannot reset their own: that would let a stolen password switch it off.
    """
    user = _staff_member(session, user_id)
    if actor is not None and actor.id == user.id:
        raise StaffError("You cannot reset your own two-step sign-in: ask another admin.")
    if not user.totp_secret:
        raise StaffError(f"{user.email} has no two-step sign-in to reset.")
    user.totp_secret = None
    user.totp_last_step = None
    audit.record(session, actor, "staff.reset_two_step", "user", user.id,
                 before={"email": user.email, "two_step": True}, after={"email": user.email, "two_step": False})
    session.commit()
    return user


def _staff_member(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.role is None:
        raise UnknownStaff("No staff member with that id.")
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    admins = session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN))
    if admins <= 1:
        session.rollback()
        raise StaffError(f"{leaving.email} is the only admin: make another admin first.")
