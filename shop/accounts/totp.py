"""A second factor for staff: time-based one-time codes (RFC 6238, pyotp), each accepted once.

A staff account (``users.role`` set) may turn it on from its account page; from then on the
right password alone does not log in, the current 6-digit code from an authenticator app must
follow. A code is good for its 30-second step and one step either side (clock drift), and only
once: ``users.totp_last_step`` keeps the step of the last code accepted, and a code is taken
with a conditional update (``WHERE totp_last_step < :step``), so a code seen over a shoulder, or
two requests racing with the same code, log in once. A wrong code is a failed log-in in the
same throttle as a wrong password (``shop.accounts.service``), and only the right code forgives
the account-and-address pair, so having the password buys no free guesses at the code.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import time

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from ..models import User, utcnow
from .service import (
    AccountError,
    InvalidCredentials,
    Throttle,
    TooManyAttempts,
    _prune_and_add,
    forgive,
    retry_after,
    throttle_keys,
)

log = logging.getLogger(__name__)

ISSUER = "Backcare"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code from the step before or after still counts


class WrongCode(AccountError):
    """The code is not the current one, or was used already."""


def is_staff(user: User | None) -> bool:
    return user is not None and getattr(user, "role", None) is not None


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed in)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image request, nothing for the CSP to block)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app")


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code ``code`` is (now, or ``DRIFT_STEPS`` either side); None if none."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = int((time.time() if at is None else at) // STEP_SECONDS)
    for step in [now] + [now + d for d in range(-DRIFT_STEPS, DRIFT_STEPS + 1) if d]:
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept(session: Session, user: User, code: str, at: float | None = None) -> bool:
    """Take the code for this account's secret once; a replay (same or older step) is refused.

    Does not commit.
    """
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, at)
    if step is None:
        return False
    return bool(session.execute(
        update(User).where(User.id == user.id, User.totp_secret == user.totp_secret,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ).rowcount)


def enable(session: Session, user: User, secret: str, code: str, at: float | None = None) -> bool:
    """Save ``secret`` once ``code`` proves the app has it; the confirming code is spent too.

    Does not commit (the caller audits the change in the same transaction).
    """
    step = matching_step(secret, code, at)
    if step is None or user.totp_secret:
        return False
    saved = session.execute(
        update(User).where(User.id == user.id, User.totp_secret.is_(None))
        .values(totp_secret=secret, totp_last_step=step)
    ).rowcount
    if saved:
        log.info("account %s turned on two-step sign-in", user.id)
    return bool(saved)


def disable(session: Session, user: User, code: str, at: float | None = None) -> bool:
    """Forget the secret, given a current (unused) code. Does not commit."""
    if not accept(session, user, code, at):
        return False
    session.execute(update(User).where(User.id == user.id).values(totp_secret=None, totp_last_step=None))
    log.info("account %s turned off two-step sign-in", user.id)
    return True


def check_login_code(session: Session, user_id: int, email: str, code: str, address: str | None, *,
                     throttle: Throttle | None = None, at: float | None = None,
                     now: dt.datetime | None = None) -> User:
    """The second step of a log-in whose password was right: the account, or ``WrongCode``
    (counted as a failed log-in), or ``TooManyAttempts`` (before the code is even looked at)."""
    throttle = throttle or Throttle()
    now = now or utcnow()
    keys = throttle_keys(email, address)
    if wait := retry_after(session, keys, throttle, now):
        log.warning("second step throttled for %s seconds (address %s)", wait, address)
        raise TooManyAttempts(wait)
    user = session.get(User, user_id)
    if user is None or not user.totp_secret:
        session.commit()
        raise InvalidCredentials()
    if not accept(session, user, code, at):
        _prune_and_add(session, keys, throttle.window, now)
        session.commit()
        raise WrongCode()
    forgive(session, keys)
    session.commit()
    return user
