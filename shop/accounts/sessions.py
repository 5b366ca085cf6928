"""Server-side sessions in the shop's own database; the cookie carries only a random id.

A signed-cookie session cannot be taken back: a copy made before logout stayed valid for 30
days. Here the session is a ``user_sessions`` row keyed by the SHA-256 of a 256-bit random
token, so logging out (or "log out of every device") deletes it and every copy of the cookie
then reads an empty guest session.

- The row is read at the start of each request (``load_before_request``, inside the dispatch
  so that a database outage is the usual 503) through the request's own database session, and
  that read's transaction is ended at once: a session never holds a pooled connection (nor a
  second one) while the view does slow work such as hashing. Static files skip it.
- A row is written only when its data changed, or to note the visit when ``last_seen_at`` is
  older than ``TOUCH_SECONDS``: a page view is not a write.
- Guests (no ``user_id``) expire after ``PERMANENT_SESSION_LIFETIME`` unused (their cart lives
  that long); accounts after ``SESSION_IDLE_SECONDS`` unused or ``SESSION_ABSOLUTE_SECONDS``
  after log-in, however active.
- An id the client made up is never adopted: an unknown token starts a fresh session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask, Request, Response, has_app_context, has_request_context, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import UserSession, utcnow

log = logging.getLogger(__name__)

TOUCH_SECONDS = 60
PURGE_EVERY_SECONDS = 600
_serializer = TaggedJSONSerializer()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def key_of(token: str) -> str:
    """What the table stores: a stolen database gives no usable cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(SessionMixin):
    """The session dict, loaded from its row on first use."""

    def __init__(self, app: Flask, token: str | None, timeouts: Timeouts):
        self.app = app
        self.token = token
        self.timeouts = timeouts
        self._data: dict | None = None
        self._saved = "{}"  # the serialised data as loaded, to see in-place changes
        self.new = True
        self.modified = False
        self.created_at: dt.datetime | None = None
        self.last_seen_at: dt.datetime | None = None
        self.load_failed = False
        self.drop_cookie = False  # the browser holds a token that no longer names a session

    # -- loading
    def _loaded(self) -> dict:
        if self._data is None:
            self._data = {}
            try:
                if has_app_context():
                    self._load()
                else:  # a test's ``session_transaction`` reads it after the request ended
                    with self.app.app_context():
                        self._load()
            except SQLAlchemyError:
                # The database is away: raised once (a 503), then the error page sees a guest;
                # nothing is saved.
                self.load_failed = True
                self._data = {}
                raise
        return self._data

    def _load(self) -> None:
        if not self.token:
            return
        session = db.session
        ours = not session.in_transaction()  # never commit a transaction the view has begun
        row = session.execute(
            select(UserSession.user_id, UserSession.data, UserSession.created_at, UserSession.last_seen_at)
            .where(UserSession.id == key_of(self.token))
        ).first()
        if row is not None and self.timeouts.expired(row.user_id, row.created_at, row.last_seen_at):
            session.execute(delete(UserSession).where(UserSession.id == key_of(self.token)))
            row = None
        if ours:
            session.commit()  # ends the read: no connection is held for the rest of the request
        if row is None:
            self.token, self.drop_cookie = None, True
            return
        self._data = _serializer.loads(json.dumps(row.data))
        self._saved = _dump(self._data)
        self.new, self.created_at, self.last_seen_at = False, row.created_at, row.last_seen_at

    # -- the mapping
    def __getitem__(self, key: str) -> Any:
        return self._loaded()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._loaded()[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self._loaded()[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def changed(self) -> bool:
        return self._data is not None and _dump(self._data) != self._saved

    # -- ending and renewing
    def end(self) -> None:
        """Delete this session's row now and forget its data; a new id follows if data is set."""
        self._loaded()
        if self.token:
            db.session.execute(delete(UserSession).where(UserSession.id == key_of(self.token)))
            db.session.commit()
        self.token, self.drop_cookie, self.new = None, True, True
        self._data, self._saved = {}, "{}"
        self.modified = True

    def renew(self) -> None:
        """The same data under a new id (log-in, a privilege change): the old id is dead."""
        data = dict(self._loaded())
        self.end()
        self._data = data


def _dump(data: dict) -> str:
    return _serializer.dumps(data)


class Timeouts:
    def __init__(self, app: Flask):
        config = app.config
        self.guest = dt.timedelta(seconds=_seconds(config["PERMANENT_SESSION_LIFETIME"]))
        self.idle = dt.timedelta(seconds=config["SESSION_IDLE_SECONDS"])
        self.absolute = dt.timedelta(seconds=config["SESSION_ABSOLUTE_SECONDS"])

    def expired(self, user_id, created_at, last_seen_at, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        if user_id is None:
            return now - last_seen_at > self.guest
        return now - last_seen_at > self.idle or now - created_at > self.absolute

    def cookie_expires(self, user_id, created_at: dt.datetime, now: dt.datetime) -> dt.datetime:
        if user_id is None:
            expires = now + self.guest
        else:
            expires = min(now + self.idle, created_at + self.absolute)
        return expires.replace(tzinfo=dt.UTC)

    def expired_clause(self, now: dt.datetime):
        return or_(
            and_(UserSession.user_id.is_(None), UserSession.last_seen_at < now - self.guest),
            and_(UserSession.user_id.is_not(None),
                 or_(UserSession.last_seen_at < now - self.idle, UserSession.created_at < now - self.absolute)),
        )


def _seconds(value) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class DatabaseSessionInterface(SessionInterface):
    """Flask's session, kept in ``user_sessions``; the cookie is HttpOnly, SameSite=Lax, and
    Secure when configured or when the request came over HTTPS."""

    def __init__(self) -> None:
        self._last_purge = 0.0

    def get_cookie_secure(self, app: Flask) -> bool:
        if super().get_cookie_secure(app):
            return True
        return has_request_context() and request.is_secure

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app)) or None
        if token is not None and (len(token) > 64 or not token.isascii()):
            token = None
        return ServerSession(app, token, Timeouts(app))

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        if session.accessed:
            response.vary.add("Cookie")
        if session._data is None or session.load_failed:
            return  # never read (or unreadable): nothing to write, the cookie stays as it was
        now = utcnow()
        try:
            written = self._write(app, session, now)
        except SQLAlchemyError:
            log.warning("could not save the session", exc_info=True)
            _rollback()
            return
        if written:
            self._set_cookie(app, session, response, now)
        elif session.drop_cookie and not session:
            response.delete_cookie(self.get_cookie_name(app), domain=self.get_cookie_domain(app),
                                   path=self.get_cookie_path(app))

    def _write(self, app: Flask, session: ServerSession, now: dt.datetime) -> bool:
        """Insert, update or touch the row; False when there was nothing to write."""
        data = session._data or {}
        user_id = data.get("user_id")
        if session.token is None or session.new:
            if not data:
                return False
            _discard_pending()
            session.token = session.token or new_token()
            db.session.execute(insert(UserSession).values(
                id=key_of(session.token), user_id=user_id, data=json.loads(_dump(data)),
                created_at=now, last_seen_at=now))
            db.session.commit()
            session.created_at = now
            self._maybe_purge(session.timeouts, now)
            return True
        changed = session.changed()
        due = session.last_seen_at is None or (now - session.last_seen_at).total_seconds() > TOUCH_SECONDS
        if not (changed or due):
            return False
        _discard_pending()
        values: dict[str, Any] = {"last_seen_at": now}
        if changed:
            values.update(data=json.loads(_dump(data)), user_id=user_id)
        db.session.execute(update(UserSession).where(UserSession.id == key_of(session.token)).values(**values))
        db.session.commit()
        return True

    def _set_cookie(self, app: Flask, session: ServerSession, response: Response, now: dt.datetime) -> None:
        user_id = (session._data or {}).get("user_id")
        response.set_cookie(
            self.get_cookie_name(app), session.token,
            expires=session.timeouts.cookie_expires(user_id, session.created_at, now),
            httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )
        response.vary.add("Cookie")

    def _maybe_purge(self, timeouts: Timeouts, now: dt.datetime) -> None:
        """Expired rows go now and then (once per ``PURGE_EVERY_SECONDS`` per process)."""
        if time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = time.monotonic()
        db.session.execute(delete(UserSession).where(timeouts.expired_clause(now)))
        db.session.commit()


def _discard_pending() -> None:
    """Whatever the view left uncommitted is rolled back at teardown anyway; it must not ride
    along in the session's commit (nor may a failed transaction stop it)."""
    if db.session.in_transaction() or not db.session.is_active:
        db.session.rollback()


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database may be gone
        log.warning("rollback failed", exc_info=True)


def load_before_request(app: Flask) -> None:
    from flask import session

    @app.before_request
    def _load_session() -> None:
        if request.endpoint != "static" and isinstance(session, ServerSession):
            session._loaded()


def end_every_session_of(user_id: int) -> int:
    """Delete every session of the account (all devices); returns how many there were."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.session.commit()
    return result.rowcount or 0
