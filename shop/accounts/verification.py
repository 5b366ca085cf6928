"""E-mail verification: a signed, expiring, single-use link proves that an account owns its address.

Guest orders placed with an address move to the account only once the address is verified,
so whoever signs up first with someone else's address sees nothing of theirs. The token signs
the account id and a fingerprint of its e-mail address, so it needs no table: it expires after
``MAX_AGE`` (the signature's timestamp) and works once, because verifying sets
``email_verified_at`` with a conditional update (of two uses racing, one wins). Following the
link shows a button; only the POST verifies, so a mail scanner that fetches links proves
nothing.

Every sign-up sends exactly one e-mail to the address it names (a verification link for a new
account, "you already have an account" for a taken address, a link to choose a password for a
customer imported without one), so neither the answer nor its timing tells which addresses
have accounts; ``account-mail:<e-mail>`` limits them per address and hour.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
from dataclasses import dataclass

from flask import current_app, url_for
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..mail.service import queue, send_now_best_effort
from ..models import User, utcnow
from .service import ACCOUNT_MAILS_WINDOW, Throttle, TooManyAttempts, claim_guest_orders, normalize_email, throttled

log = logging.getLogger(__name__)

MAX_AGE = 48 * 3600  # seconds a verification link works
SALT = "email-verification"


class LinkProblem(enum.Enum):
    """Why a verification link does not work: (HTTP status, what to tell the person)."""

    INVALID = (400, "This verification link is not valid. Copy the whole link from the e-mail, "
                    "or ask for a new one from your account page.")
    EXPIRED = (410, "This verification link has expired. Ask for a new one from your account page.")
    USED = (409, "This e-mail address is verified already: the link has been used.")

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def message(self) -> str:
        return self.value[1]


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem):
        super().__init__(problem.name)
        self.problem = problem


@dataclass(frozen=True)
class Verified:
    user: User
    claimed_orders: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:24]


def make_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "e": _fingerprint(user.email)})


def check_token(session: Session, token: str, *, max_age: int = MAX_AGE) -> User:
    """The unverified account the token names; raises ``LinkRefused`` saying why not."""
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkRefused(LinkProblem.EXPIRED) from None
    except BadData:
        raise LinkRefused(LinkProblem.INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkRefused(LinkProblem.INVALID)
    user = session.get(User, data["u"])
    if user is None or _fingerprint(user.email) != data.get("e"):  # gone, or the address changed
        raise LinkRefused(LinkProblem.INVALID)
    if user.email_verified_at is not None:
        raise LinkRefused(LinkProblem.USED)
    return user


def verify(session: Session, token: str, *, max_age: int = MAX_AGE,
           now: dt.datetime | None = None) -> Verified:
    """Mark the address verified and claim the guest orders placed with it; commits."""
    user = check_token(session, token, max_age=max_age)
    won = session.execute(
        update(User).where(User.id == user.id, User.email == user.email,
                           User.email_verified_at.is_(None))
        .values(email_verified_at=now or utcnow())
    ).rowcount
    if not won:
        session.rollback()
        raise LinkRefused(LinkProblem.USED)
    session.refresh(user)
    claimed = claim_guest_orders(session, user.id)
    session.commit()
    log.info("account %s verified its e-mail address; %s guest order(s) claimed", user.id, claimed)
    return Verified(user, claimed)


def _allowed(session: Session, email: str, throttle: Throttle, now: dt.datetime | None) -> int:
    key = f"account-mail:{normalize_email(email)}"[:300]
    return throttled(session, key, throttle.account_mails_max, ACCOUNT_MAILS_WINDOW, now)


def send_verification(session: Session, user: User, *, throttle: Throttle | None = None,
                      now: dt.datetime | None = None) -> None:
    """Queue (and try to send) the verification e-mail; raises ``TooManyAttempts`` when this
    address has had its share of account e-mails this hour."""
    throttle = throttle or Throttle()
    if wait := _allowed(session, user.email, throttle, now):
        session.commit()
        raise TooManyAttempts(wait, "verification e-mails")
    link = url_for("accounts.verify", token=make_token(user), _external=True)
    queue(session, "email_verification", user.email, "Confirm your e-mail address",
          "email_verification", name=user.name, verify_url=link, hours=MAX_AGE // 3600)
    session.commit()
    log.info("verification mail queued for account %s", user.id)
    send_now_best_effort(session)


def mail_after_sign_up(session: Session, email: str, *, user: User | None = None,
                       unclaimed: bool = False, throttle: Throttle | None = None) -> None:
    """The one e-mail a sign-up sends: verification for the new ``user``; for a taken address,
    a link to choose the password (an imported customer's, ``unclaimed``) or a note that the
    account exists. Over the hourly limit it sends nothing, silently, alike for every address."""
    from . import reset

    throttle = throttle or Throttle()

    try:
        if user is not None:
            send_verification(session, user, throttle=throttle)
            return
        if wait := _allowed(session, email, throttle, None):
            log.info("sign-up mail not sent: the address had %s this hour (%s s)",
                     throttle.account_mails_max, wait)
            session.commit()
            return
        existing = session.scalar(select(User).where(User.email == normalize_email(email)))
        if existing is None:  # deleted in between
            session.commit()
            return
        if unclaimed:
            reset.queue_reset_mail(session, existing, "account_claim", "Choose the password of your account")
        else:
            queue(session, "account_exists", existing.email, "You already have an account",
                  "account_exists", name=existing.name,
                  login_url=url_for("accounts.login", _external=True),
                  forgot_url=url_for("accounts.forgot", _external=True))
        session.commit()
        send_now_best_effort(session)
    except TooManyAttempts:
        log.info("verification mail not sent at sign-up: too many this hour")
