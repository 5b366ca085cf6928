"""Admission control: a worker process serves a few requests at once and sheds the rest early.

Under a burst, queueing is the failure: 500 requests in front of two workers were all answered,
but the last ones only after 6–15 s, long after a shopper gave up. Here each worker process
lets ``MAX_REQUESTS_IN_FLIGHT`` requests into the app at once; up to ``MAX_REQUESTS_WAITING``
more wait at most ``REQUEST_WAIT_SECONDS`` for a slot; any other request is answered at once
with a 503 and ``Retry-After``. The 503 is built here, outside Flask: no session is loaded (that
is a database read), no template rendered, nothing logged as an event, so shedding costs about
a millisecond and never competes with the admitted requests for the pool.

The middleware wraps the whole WSGI app, so it also sees the requests gunicorn's threads pick
up while the app is busy; it needs more server threads than slots plus waiting room, or
requests queue in the server instead (``shop run`` starts 32 threads per worker). Static files
bypass it: they are cheap and a page that got in needs them.
"""

from __future__ import annotations

import json
import logging
import threading
import time

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Response
from werkzeug.wsgi import get_input_stream

log = logging.getLogger(__name__)

BUSY = "The shop is very busy right now. Please try again in a moment."
BUSY_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Very busy — Backcare</title></head><body><main><h1>One moment, please</h1>"
    f"<p>{BUSY}</p><p><a href=\"\">Try again</a></p></main></body></html>\n"
)
#: Paths served without a slot: static files and product pictures are cheap files that the
#: admitted pages need (a listing asks for a dozen pictures at once).
BYPASS_PREFIXES = ("/static/", "/media/")


def _wants_json(environ: dict) -> bool:
    """The same choice as ``shop.errors.wants_json``, from the raw environ (no Flask request)."""
    path = environ.get("PATH_INFO", "")
    if path == "/api" or path.startswith("/api/"):
        return True
    accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    best = accept.best_match(["text/html", "application/json"])
    return best == "application/json" and accept[best] > accept["text/html"]


class AdmissionLimit:
    """WSGI middleware: at most ``in_flight`` requests inside ``app``, ``waiting`` more queued
    for at most ``wait_seconds``; everything else a 503 with ``Retry-After`` at once.

    ``in_flight`` 0 turns it off. One instance per process (its semaphore is not shared
    between gunicorn workers, each builds its own app).
    """

    def __init__(self, app, in_flight: int, waiting: int, wait_seconds: float, *,
                 retry_after: int = 2, headers: dict[str, str] | None = None,
                 max_body: int | None = None):
        self.app = app
        self.in_flight = in_flight
        self.waiting = waiting
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self.headers = dict(headers or {})
        self.max_body = max_body
        self._slots = threading.BoundedSemaphore(in_flight) if in_flight > 0 else None
        self._lock = threading.Lock()
        self._queued = 0
        self.shed = 0  # requests answered 503 by this process so far
        self._shed_logged = (float("-inf"), 0)  # (when, count): the first shed is logged at once

    def __call__(self, environ, start_response):
        if self._slots is None or environ.get("PATH_INFO", "").startswith(BYPASS_PREFIXES):
            return self.app(environ, start_response)
        if not self._admit():
            return self._busy(environ, start_response)
        try:
            # Flask does all its work (view, session save, teardown that returns the pooled
            # connection) before it returns the body; only the bytes are sent after the release.
            return self.app(environ, start_response)
        finally:
            self._slots.release()

    def _admit(self) -> bool:
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            if self._queued >= self.waiting:
                return False
            self._queued += 1
        try:
            return self._slots.acquire(timeout=self.wait_seconds)
        finally:
            with self._lock:
                self._queued -= 1

    def _busy(self, environ, start_response):
        self._drain_body(environ)
        if _wants_json(environ):
            body = json.dumps({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                               "detail": BUSY})
            response = Response(body, 503, mimetype="application/problem+json")
        else:
            response = Response(BUSY_PAGE, 503, mimetype="text/html")
        response.headers.update(self.headers)
        response.headers["Retry-After"] = str(self.retry_after)
        response.headers["Cache-Control"] = "no-store"
        self._count_shed()
        return response(environ, start_response)

    def _drain_body(self, environ) -> None:
        """Read the (bounded) request body first: a server that closes a socket with unread
        data resets it, and the client would see a reset instead of the 503."""
        try:
            stream = get_input_stream(environ, max_content_length=self.max_body)
            while stream.read(64 * 1024):
                pass
        except Exception:  # a body over the limit or a broken client: the 503 is sent anyway
            log.debug("could not drain the request body", exc_info=True)

    def _count_shed(self) -> None:
        """One warning per 10 s at most with the count, not one line per shed request."""
        with self._lock:
            self.shed += 1
            since, logged = self._shed_logged
            now = time.monotonic()
            if now - since < 10:
                return
            self._shed_logged = (now, self.shed)
        log.warning("very busy: %d requests shed with 503 since the last report (at most %d in "
                    "flight, %d waiting per process)", self.shed - logged, self.in_flight, self.waiting)


def register(app) -> None:
    """Wrap ``app.wsgi_app`` (last, so it is the outermost layer) with the configured limit."""
    from .factory import SECURITY_HEADERS

    in_flight = int(app.config["MAX_REQUESTS_IN_FLIGHT"])
    if in_flight <= 0:
        return
    app.wsgi_app = AdmissionLimit(
        app.wsgi_app, in_flight, int(app.config["MAX_REQUESTS_WAITING"]),
        float(app.config["REQUEST_WAIT_SECONDS"]), headers=SECURITY_HEADERS,
        max_body=app.config.get("MAX_CONTENT_LENGTH"),
    )
    app.extensions["admission"] = app.wsgi_app
