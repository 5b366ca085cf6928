"""Forgotten passwords: a signed, expiring, single-use link sent through the outbox.

The token signs the account id and a fingerprint of the current password hash, so it needs no
table: it expires after ``MAX_AGE`` (the signature's timestamp), and it works once because
setting a password changes the hash it was made from (a second use, or a link older than the
last reset, no longer matches). Asking always answers the same, whether or not the address has
an account; the new password is hashed with no transaction open, like every scrypt here.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..mail.service import queue, send_now_best_effort
from ..models import User
from .service import _end_transaction, normalize_email

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


def request_reset(session: Session, email: str) -> None:
    """Queue the reset e-mail when ``email`` has an account; nothing (and no hint) otherwise."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        session.commit()
        return
    link = url_for("accounts.reset", token=make_token(user), _external=True)
    queue(session, "password_reset", user.email, "Reset your password", "password_reset",
          name=user.name, reset_url=link)
    session.commit()
    log.info("password reset mail queued for account %s", user.id)
    send_now_best_effort(session)


def reset_password(session: Session, token: str, password: str, *,
                   max_age: int = MAX_AGE) -> User | None:
    """Set the new password and end every session of the account; None when the link is dead.

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
        .values(password_hash=new_hash)
    ).rowcount
    session.commit()
    if not changed:
        return None
    from .sessions import end_every_session_of

    end_every_session_of(user_id)
    log.info("password reset for account %s; its sessions ended", user_id)
    return session.get(User, user_id)
