"""Errors answer in the asker's language: RFC 9457 problem JSON for the API, pages for people."""

from __future__ import annotations

import functools
import logging

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/api":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def flatten_messages(messages, prefix: str = "") -> list[dict]:
    """Marshmallow/webargs messages as ``[{"name": "a.b", "reason": "..."}]``."""
    params: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("query", "json", "form", "files", "headers", "view_args") and not prefix:
                params.extend(flatten_messages(value, ""))
            else:
                params.extend(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                params.extend(flatten_messages(message, prefix))
            else:
                params.append({"name": prefix or "body", "reason": str(message)})
    else:
        params.append({"name": prefix or "body", "reason": str(messages)})
    return params


def error_response(status: int, detail: str | None = None, *, title: str | None = None,
                   invalid_params: list[dict] | None = None, headers: dict | None = None, **extra):
    """One problem-details response for the whole API."""
    if title is None:
        title = _status_title(status)
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if invalid_params:
        body["invalid_params"] = invalid_params
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _status_title(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error")


def _handle_http(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    invalid = flatten_messages(data["messages"]) if "messages" in data else None
    detail = data.get("message") or exc.description
    if invalid:
        names = ", ".join(dict.fromkeys(p["name"] for p in invalid))
        detail = f"Invalid value for: {names}."
    headers = dict(data.get("headers") or {})
    if wants_json():
        response = error_response(exc.code or 500, detail, invalid_params=invalid, headers=headers)
    else:
        response = render_template("error.html", status=exc.code, title=_status_title(exc.code or 500),
                                   detail=detail, invalid_params=invalid or []), exc.code
        response = _make(response, headers)
    return response


def _make(result, headers):
    from flask import make_response

    response = make_response(result)
    for key, value in headers.items():
        response.headers[key] = value
    return response


def _handle_database_down(exc: OperationalError):
    log.error("database unavailable: %s", exc.__class__.__name__)
    _rollback()
    error = ServiceUnavailable("The shop's database is unavailable for a moment. Please try again shortly.")
    error.data = {"headers": {"Retry-After": "5"}}
    return _handle_http(error)


def _handle_pool_exhausted(exc: PoolTimeout):
    """Every pooled connection busy for ``DB_POOL_TIMEOUT``: shed the request, do not queue it."""
    log.warning("database pool exhausted on %s %s", request.method, request.path)
    _rollback()
    db.fail_fast()
    g.pop("pending_events", None)  # a shed request logs nothing
    _drain_body()
    error = ServiceUnavailable("The shop is very busy right now. Please try again in a moment.")
    error.data = {"headers": {"Retry-After": "2"}}
    return _handle_http(error)


def _handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _handle_http(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    _rollback()
    return _handle_http(InternalServerError("Something went wrong on our side. Nothing was lost; please try again."))


def _drain_body() -> None:
    """Read the unread request body (at most MAX_CONTENT_LENGTH) before answering early: a
    server that closes a socket with unread data resets it, and the client never sees the 503."""
    try:
        request.get_data(cache=False)
    except Exception:
        log.debug("could not drain the request body", exc_info=True)


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the session may be unusable when the database is gone
        log.warning("rollback failed", exc_info=True)


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(OperationalError, _handle_database_down)
    app.register_error_handler(PoolTimeout, _handle_pool_exhausted)
    app.register_error_handler(Exception, _handle_unexpected)
    # Input that no view can use (control characters, JSON nested too deep): 400 before any view.
    from .request_checks import register_request_checks

    register_request_checks(app)


@functools.cache
def domain_statuses() -> dict[type[Exception], int]:
    """The HTTP status of each domain error, for the pages and the API alike.

    The services raise these errors and know nothing of HTTP. Built on first use: the domain
    packages import this module (their blueprints load their views).
    """
    from .cart import errors as cart
    from .orders import errors as orders

    return {
        cart.CartError: 400,
        cart.UnknownVariant: 404,
        cart.UnknownLine: 404,
        cart.ProductUnavailable: 422,
        cart.NotEnoughStock: 409,
        cart.QuantityOutOfRange: 422,
        cart.CartBusy: 409,
        orders.CheckoutError: 409,
        orders.IdempotencyKeyReused: 422,
        orders.ShopBusy: 503,
    }


def http_status(exc: Exception) -> int:
    """The status of a domain error: its class's, else its nearest listed base's (else 500)."""
    statuses = domain_statuses()
    return next((statuses[kind] for kind in type(exc).__mro__ if kind in statuses), 500)


def abort_with(status: int, detail: str, messages=None, headers: dict | None = None):
    """Raise an HTTP error carrying a detail and, optionally, per-parameter messages."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status](description=detail)
    exc.data = {"message": detail, **({"messages": messages} if messages else {}),
                **({"headers": headers} if headers else {})}
    raise exc
