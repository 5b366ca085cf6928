"""Accounts as plain functions: register, authenticate (throttled), and what happens on log-in.

Failed log-ins and sign-ups are rows in ``login_attempts``, so the limits hold across every
gunicorn worker and survive restarts. They are keyed so that an attacker can slow down only
themselves:

- ``login:<e-mail>|<address>``: wrong passwords for one account from one address. From the
  ``max_failures``-th on, that pair waits ``BASE_DELAY`` doubled with every further failure (at
  most the window). The owner, from another address, is never locked out by someone else.
- ``address:<address>``: wrong passwords from one address over all accounts (spraying), a lock
  once ``address_max_failures`` are in the window.
- ``register:<address>``: sign-ups from one address, ``register_max`` per ``register_window``.
- ``forgot:<address>`` and ``forgot-mail:<e-mail>``: password reset requests (``shop.accounts.reset``).
- ``account-mail:<e-mail>``: verification and sign-up e-mails to one address
  (``shop.accounts.verification``), so nobody can flood a stranger's mailbox.

Scrypt runs with no database transaction open (so no pooled connection is held while it takes
its time and memory), and registration hashes whether or not the address is taken, so neither
the answer nor its timing says which e-mail addresses have accounts.
Nothing here ever logs or stores a password in plain text.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import Event, LoginAttempt, Order, User, utcnow

log = logging.getLogger(__name__)

MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
BASE_DELAY = dt.timedelta(minutes=1)
REGISTER_MAX = 10
REGISTER_WINDOW = dt.timedelta(hours=1)
FORGOT_MAX_PER_ADDRESS = 10
FORGOT_MAX_PER_EMAIL = 3
FORGOT_WINDOW = dt.timedelta(hours=1)
ACCOUNT_MAILS_MAX = 5  # per e-mail address and hour
ACCOUNT_MAILS_WINDOW = dt.timedelta(hours=1)

# Checked when the e-mail is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-anyone-has")


class AccountError(Exception):
    """A domain error the views turn into a message."""


class EmailTaken(AccountError):
    """The address has an account; ``unclaimed`` when it is a customer imported without a
    password (who takes it over through an e-mailed link, never by signing up)."""

    def __init__(self, email: str, unclaimed: bool = False):
        super().__init__(email)
        self.unclaimed = unclaimed


class InvalidCredentials(AccountError):
    pass


class TooManyAttempts(AccountError):
    def __init__(self, retry_after: int, what: str = "failed log-in attempts"):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.what = what

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many {self.what}. Please wait {minutes} {unit} and try again."


@dataclass(frozen=True)
class Throttle:
    max_failures: int = MAX_FAILURES
    window: dt.timedelta = WINDOW
    address_max_failures: int = ADDRESS_MAX_FAILURES
    base_delay: dt.timedelta = BASE_DELAY
    register_max: int = REGISTER_MAX
    register_window: dt.timedelta = REGISTER_WINDOW
    forgot_max_per_address: int = FORGOT_MAX_PER_ADDRESS
    forgot_max_per_email: int = FORGOT_MAX_PER_EMAIL
    forgot_window: dt.timedelta = FORGOT_WINDOW
    account_mails_max: int = ACCOUNT_MAILS_MAX


def normalize_email(email: str) -> str:
    """One spelling per address: NFKC folds full-width and other compatibility look-alikes
    (``ａｎｎ@…`` is ``ann@…``), case-folding the case, so a look-alike cannot make a second
    account."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def _end_transaction(session: Session) -> None:
    """Give the connection back to the pool before slow work (scrypt)."""
    if session.in_transaction():
        session.commit()


def register(session: Session, email: str, password: str, name: str = "", *,
             address: str | None = None, throttle: Throttle = Throttle(),
             now: dt.datetime | None = None) -> User:
    """Create an account; the password is stored only as a scrypt hash.

    Raises ``TooManyAttempts`` when the address signed up too often, ``EmailTaken`` when the
    address has an account: only after hashing, so both cost the same time. An account
    without a password (a customer from an imported order history) is not taken over here:
    whoever signs up first with an address need not own it, so its owner claims it through
    the e-mailed link (``EmailTaken.unclaimed``).
    """
    now = now or utcnow()
    email = normalize_email(email)
    key = f"register:{address or 'unknown'}"[:300]
    if wait := _lock_wait(session, key, throttle.register_max, throttle.register_window, now):
        log.warning("sign-up throttled for %s seconds (address %s)", wait, address)
        raise TooManyAttempts(wait, "sign-ups from your address")
    _prune_and_add(session, [key], throttle.register_window, now)
    session.commit()
    password_hash = generate_password_hash(password)  # no transaction, no connection held
    user = User(email=email, name=name.strip(), password_hash=password_hash)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        unclaimed = session.scalar(select(User.password_hash).where(User.email == email)) == ""
        session.commit()
        raise EmailTaken(email, unclaimed=unclaimed) from None
    log.info("account %s registered", user.id)
    return user


def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def throttle_keys(email: str, address: str | None) -> list[str]:
    """The account-and-address key, then the address key."""
    where = address or "unknown"
    return [f"login:{normalize_email(email)}|{where}"[:300], f"address:{where}"[:300]]


def _failures(session: Session, key: str, since: dt.datetime) -> list[dt.datetime]:
    return list(session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.key == key, LoginAttempt.attempted_at > since)
        .order_by(LoginAttempt.attempted_at.desc())
    ))


def _lock_wait(session: Session, key: str, limit: int, window: dt.timedelta, now: dt.datetime) -> int:
    """Seconds until ``key`` is under ``limit`` attempts in ``window`` again; 0 when it is."""
    recent = _failures(session, key, now - window)
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[limit - 1] + window - now).total_seconds()))


def _delay_wait(session: Session, key: str, throttle: Throttle, now: dt.datetime) -> int:
    """The progressive delay of one account-and-address pair: 0 below ``max_failures``, then
    ``base_delay`` after the last failure, doubled for each failure beyond."""
    recent = _failures(session, key, now - throttle.window)
    if len(recent) < throttle.max_failures:
        return 0
    doublings = min(len(recent) - throttle.max_failures, 16)
    delay = min(throttle.base_delay * 2 ** doublings, throttle.window)
    wait = math.ceil((recent[0] + delay - now).total_seconds())
    return max(wait, 0)


def retry_after(session: Session, keys: list[str], throttle: Throttle = Throttle(),
                now: dt.datetime | None = None) -> int:
    """Seconds until these log-in keys (pair, address) may try again; 0 when none waits."""
    now = now or utcnow()
    pair, address = keys
    return max(_delay_wait(session, pair, throttle, now),
               _lock_wait(session, address, throttle.address_max_failures, throttle.window, now))


def _prune_and_add(session: Session, keys: list[str], window: dt.timedelta, now: dt.datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(keys), LoginAttempt.attempted_at <= now - window))
    session.add_all(LoginAttempt(key=key, attempted_at=now) for key in keys)


def authenticate(session: Session, email: str, password: str, address: str | None, *,
                 throttle: Throttle = Throttle(), now: dt.datetime | None = None) -> User:
    """The account for these credentials.

    Raises ``TooManyAttempts`` (before the password is even checked) while this address must
    wait for this account, or for every account; else ``InvalidCredentials``. For an account
    with a second factor the pair's failures are forgiven only by the right code
    (:func:`check_second_factor`), or guessing codes would cost nothing.
    """
    now = now or utcnow()
    keys = throttle_keys(email, address)
    if wait := retry_after(session, keys, throttle, now):
        log.warning("log-in throttled for %s seconds (address %s)", wait, address)
        raise TooManyAttempts(wait)
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    _end_transaction(session)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid:
        _prune_and_add(session, keys, throttle.window, now)
        session.commit()
        raise InvalidCredentials()
    if not needs_second_factor(user):
        forgive(session, keys)
    session.commit()
    return user


def needs_second_factor(user: User) -> bool:
    return bool(getattr(user, "totp_secret", None))


def forgive(session: Session, keys: list[str]) -> None:
    """A success forgives this pair's failures, never the address's (an attacker with an
    account of their own must not be able to reset the address counter). No commit."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))


def throttled(session: Session, key: str, limit: int, window: dt.timedelta,
              now: dt.datetime | None = None) -> int:
    """Count one more request under ``key``: the seconds to wait when it is over ``limit`` in
    ``window`` (then nothing is counted), else 0. Does not commit."""
    now = now or utcnow()
    if wait := _lock_wait(session, key, limit, window, now):
        return wait
    _prune_and_add(session, [key], window, now)
    return 0


def failure_count(session: Session, key: str, throttle: Throttle = Throttle(),
                  now: dt.datetime | None = None) -> int:
    since = (now or utcnow()) - throttle.window
    return session.scalar(
        select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key, LoginAttempt.attempted_at > since)
    ) or 0


def claim_guest_orders(session: Session, user_id: int) -> int:
    """Give the account the guest orders placed (from any browser) with its e-mail address.

    Only once the address is verified (the owner followed an e-mailed link): whoever signs up
    first with someone else's address must not see their orders. Runs when the address is
    verified and at every later log-in, so an order placed as a guest does not vanish after
    its owner signs up elsewhere. Compared as :func:`normalize_email` spells them; SQL
    ``lower()`` only narrows the rows to check. Conditional on ``user_id IS NULL``, so an order
    is claimed once. Does not commit (the caller's unit of work does).
    """
    account = session.execute(  # the row as it is now, not as the identity map remembers it
        select(User.email, User.email_verified_at).where(User.id == user_id)
    ).first()
    if account is None or account.email_verified_at is None:
        return 0
    candidates = session.execute(
        select(Order.id, Order.email).where(
            Order.user_id.is_(None), func.lower(func.trim(Order.email)) == account.email.lower()
        )
    ).all()
    ids = [order_id for order_id, email in candidates if normalize_email(email) == account.email]
    if not ids:
        return 0
    claimed = session.execute(
        update(Order).where(Order.id.in_(ids), Order.user_id.is_(None)).values(user_id=user_id)
    ).rowcount
    log.info("account %s claimed %s guest order(s) placed with its e-mail", user_id, claimed)
    return claimed


def after_log_in(session: Session, visitor_id: str, user_id: int, new_visitor_id: str | None = None) -> list[str]:
    """Move what the guest did to the account: cart, profile, events and guest orders (this
    browser's, and, once the address is verified, any placed with it).

    The guest's events and orders also take the account session's new visitor id, so nothing
    is left under the old one for a copy of the pre-login cookie to find. Messages to show.
    """
    from ..cart.service import merge_guest_cart
    from ..profile.service import adopt_guest_data

    messages = merge_guest_cart(session, visitor_id, user_id)
    adopt_guest_data(session, visitor_id, user_id)
    session.execute(update(Order).where(Order.visitor_id == visitor_id, Order.user_id.is_(None))
                    .values(user_id=user_id))
    claim_guest_orders(session, user_id)
    if new_visitor_id is not None:
        for table in (Event, Order):
            session.execute(update(table).where(table.visitor_id == visitor_id, table.user_id == user_id)
                            .values(visitor_id=new_visitor_id))
    session.commit()
    return messages
