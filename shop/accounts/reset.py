"""Forgotten passwords: a signed, expiring, single-use link sent through the outbox.

The token signs the account id and a fingerprint of the current password hash, so it needs no
table: it expires after ``MAX_AGE`` (the signature's timestamp), and it works once because
setting a password changes the hash it was made from (a second use, or a link older than the
last reset, no longer matches). Asking always answers the same, whether or not the address has
an account; the new password is hashed with no transaction open, like every scrypt here.

Following the link proves the address as well as a verification link does, so a reset also
verifies the e-mail address (and claims the guest orders placed with it). A customer imported
without a password takes over the account the same way ("choose your password").

Asking is throttled per client address (``forgot:<address>``: a 429 with Retry-After, which
says nothing about any account) and per e-mail address (``forgot-mail:<e-mail>``: counted for
every address typed, account or not, and over the limit no mail goes, with the usual answer),
so nobody can flood a mailbox with reset links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..mail.service import queue, send_now_best_effort
from ..models import User, utcnow
from .service import Throttle, TooManyAttempts, _end_transaction, claim_guest_orders, normalize_email, throttled

log = logging.getLogger(__name__)

MAX_AGE = 3600  # seconds a reset link works
SALT = "password-reset"
ANSWER = ("If this e-mail address has an account, we have sent it a link to choose a new "
          "password. The link works once, within the next hour.")  # for every address alike


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user.password_hash)})


def user_for_token(session: Session, token: str, *, max_age: int = MAX_AGE) -> User | None:
    """The account a valid, unexpired, unused token names; None for anything else."""
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = session.get(User, data["u"])
    if user is None or _fingerprint(user.password_hash) != data.get("p"):
        return None
    return user


def request_reset(session: Session, email: str, address: str | None = None, *,
                  throttle: Throttle | None = None, now: dt.datetime | None = None) -> None:
    """Queue the reset e-mail when ``email`` has an account; nothing (and no hint) otherwise.

    Raises ``TooManyAttempts`` when this client address asked too often.
    """
    throttle = throttle or Throttle()
    email = normalize_email(email)
    if wait := throttled(session, f"forgot:{address or 'unknown'}"[:300],
                         throttle.forgot_max_per_address, throttle.forgot_window, now):
        session.commit()
        log.warning("password reset requests throttled for %s seconds (address %s)", wait, address)
        raise TooManyAttempts(wait, "requests for a reset link from your address")
    if throttled(session, f"forgot-mail:{email}"[:300], throttle.forgot_max_per_email,
                 throttle.forgot_window, now):
        session.commit()
        log.info("password reset mail not sent: too many asked for this e-mail address")
        return
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        session.commit()
        return
    queue_reset_mail(session, user, "password_reset", "Reset your password")
    session.commit()
    log.info("password reset mail queued for account %s", user.id)
    send_now_best_effort(session)


def queue_reset_mail(session: Session, user: User, template: str, subject: str) -> None:
    """A link to choose a password (``password_reset``, or ``account_claim`` for an imported
    customer who has none yet); no commit."""
    link = url_for("accounts.reset", token=make_token(user), _external=True)
    queue(session, template, user.email, subject, template, name=user.name, reset_url=link)


def reset_password(session: Session, token: str, password: str, *,
                   max_age: int = MAX_AGE) -> User | None:
    """Set the new password, verify the address, and end every session of the account; None
    when the link is dead.

    The update is conditional on the hash the token was made from, so of two uses racing only
    one wins.
    """
    user = user_for_token(session, token, max_age=max_age)
    if user is None:
        return None
    user_id, old_hash = user.id, user.password_hash
    _end_transaction(session)
    new_hash = generate_password_hash(password)  # no transaction, no connection held
    changed = session.execute(
        update(User).where(User.id == user_id, User.password_hash == old_hash)
        .values(password_hash=new_hash,
                email_verified_at=func.coalesce(User.email_verified_at, utcnow()))
    ).rowcount
    if changed:
        claim_guest_orders(session, user_id)
    session.commit()
    if not changed:
        return None
    from .sessions import end_every_session_of

    end_every_session_of(user_id)
    log.info("password reset for account %s; its sessions ended", user_id)
    return session.get(User, user_id)
