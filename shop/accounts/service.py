"""Accounts as plain functions: register, authenticate (throttled), and what happens on log-in.

Failed log-ins are rows in ``login_attempts`` keyed by account (the e-mail address) and by
client address, so the limit holds across every gunicorn worker and survives restarts.
Nothing here ever logs or stores a password in plain text.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import LoginAttempt, User, utcnow

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)

# Checked when the e-mail is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-anyone-has")


class AccountError(Exception):
    """A domain error the views turn into a message."""


class EmailTaken(AccountError):
    pass


class InvalidCredentials(AccountError):
    pass


class TooManyAttempts(AccountError):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed log-in attempts. Please wait {minutes} {unit} and try again."


@dataclass(frozen=True)
class Throttle:
    max_failures: int = MAX_FAILURES
    window: dt.timedelta = WINDOW


def normalize_email(email: str) -> str:
    return email.strip().lower()


def register(session: Session, email: str, password: str, name: str = "") -> User:
    """Create an account; the password is stored only as a scrypt hash."""
    email = normalize_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.password_hash:
        raise EmailTaken(email)
    if user is None:
        user = User(email=email)
        session.add(user)
    # An account without a password (a customer from an imported order history) is claimed
    # by registering with its e-mail: it keeps its purchase history.
    user.name, user.password_hash = name.strip(), generate_password_hash(password)
    session.commit()
    log.info("account %s registered", user.id)
    return user


def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def throttle_keys(email: str, address: str | None) -> list[str]:
    return [f"account:{normalize_email(email)}"[:300], f"address:{address or 'unknown'}"[:300]]


def retry_after(session: Session, keys: list[str], throttle: Throttle = Throttle(),
                now: dt.datetime | None = None) -> int:
    """Seconds until any of ``keys`` may try again; 0 when none is locked."""
    now = now or utcnow()
    since = now - throttle.window
    wait = 0
    for key in keys:
        # The max_failures-th most recent failure in the window: the lock lifts when it expires.
        oldest_counted = session.scalar(
            select(LoginAttempt.attempted_at)
            .where(LoginAttempt.key == key, LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at.desc())
            .offset(throttle.max_failures - 1)
            .limit(1)
        )
        if oldest_counted is not None:
            wait = max(wait, math.ceil((oldest_counted + throttle.window - now).total_seconds()))
    return max(wait, 1) if wait else 0


def _record_failure(session: Session, keys: list[str], throttle: Throttle, now: dt.datetime) -> None:
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.key.in_(keys),
                                   LoginAttempt.attempted_at <= now - throttle.window)
    )
    session.add_all(LoginAttempt(key=key, attempted_at=now) for key in keys)
    session.commit()


def authenticate(session: Session, email: str, password: str, address: str | None, *,
                 throttle: Throttle = Throttle(), now: dt.datetime | None = None) -> User:
    """The account for these credentials.

    Raises ``TooManyAttempts`` (before the password is even checked) when the account or the
    client address had ``max_failures`` failures within the window, else ``InvalidCredentials``.
    """
    now = now or utcnow()
    keys = throttle_keys(email, address)
    if wait := retry_after(session, keys, throttle, now):
        log.warning("log-in throttled for %s seconds (address %s)", wait, address)
        raise TooManyAttempts(wait)
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid:
        _record_failure(session, keys, throttle, now)
        raise InvalidCredentials()
    # A success forgives the account's failures, never the address's (an attacker with an
    # account of their own must not be able to reset the address counter).
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
    session.commit()
    return user


def failure_count(session: Session, key: str, throttle: Throttle = Throttle(),
                  now: dt.datetime | None = None) -> int:
    since = (now or utcnow()) - throttle.window
    return session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key, LoginAttempt.attempted_at > since)
    ) or 0


def after_log_in(session: Session, visitor_id: str, user_id: int) -> list[str]:
    """Move what the guest did to the account: cart, profile and events. Messages to show."""
    from ..cart.service import merge_guest_cart
    from ..profile.service import adopt_guest_data

    messages = merge_guest_cart(session, visitor_id, user_id)
    adopt_guest_data(session, visitor_id, user_id)
    return messages
