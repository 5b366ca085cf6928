"""What the hardening tests run over, read from the app itself when the tests are collected.

Routes come from ``app.url_map`` and API operations from ``/api/openapi.json``, so a form or an
endpoint added by anyone is covered the moment it is registered. The app used for discovery has
an empty in-memory database: nothing is read from it.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import create_engine, select

from catalog.models import Base
from shop import create_app

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
OPENAPI_METHODS = ("get", "put", "post", "patch", "delete")


@functools.cache
def _discovery() -> tuple[list[tuple[str, str, str]], dict]:
    app = create_app({"TESTING": True, "SECRET_KEY": "discovery", "DATABASE_URL": "sqlite://"})
    try:
        rules = [(rule.rule, rule.endpoint, ",".join(sorted(rule.methods or ())))
                 for rule in app.url_map.iter_rules()]
        document = app.test_client().get("/api/openapi.json").get_json()
    finally:
        app.extensions["database"].engine.dispose()
    return rules, document


def is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def form_posts() -> list[tuple[str, str]]:
    """``(rule, endpoint)`` of every state-changing HTML route: a POST outside ``/api``."""
    rules, _ = _discovery()
    return sorted((rule, endpoint) for rule, endpoint, methods in rules
                  if "POST" in methods.split(",") and not is_api(rule))


def page_gets() -> list[tuple[str, str]]:
    """``(rule, endpoint)`` of every HTML page answering GET (static files and docs assets left out)."""
    rules, _ = _discovery()
    return sorted((rule, endpoint) for rule, endpoint, methods in rules
                  if "GET" in methods.split(",") and not is_api(rule) and endpoint != "static")


def api_routes() -> list[tuple[str, str, str]]:
    """``(rule, endpoint, methods)`` of every route under ``/api`` (documented or not)."""
    rules, _ = _discovery()
    return sorted(r for r in rules if is_api(r[0]))


def openapi_document() -> dict:
    return _discovery()[1]


def api_operations() -> list[tuple[str, str, dict]]:
    """``(METHOD, path, operation)`` for every operation in the OpenAPI document."""
    return [(method.upper(), path, operation)
            for path, item in openapi_document()["paths"].items()
            for method, operation in item.items() if method in OPENAPI_METHODS]


def api_writes() -> list[tuple[str, str]]:
    """``(METHOD, path)`` of every documented API operation that takes a body (POST, PUT, PATCH)."""
    return [(method, path) for method, path, _ in api_operations() if method in ("POST", "PUT", "PATCH")]


def rule_params(rule: str) -> list[str]:
    """The variable names of a Werkzeug rule or an OpenAPI path: ``/a/<int:id>/{b}`` → ``[id, b]``."""
    return [m.group(1) or m.group(2) for m in re.finditer(r"<(?:[^:>]+:)?([^>]+)>|\{([^}]+)\}", rule)]


def fill(rule: str, values: dict) -> str:
    """A rule or OpenAPI path with its variables replaced from ``values``."""
    def value(match):
        return str(values[match.group(1) or match.group(2)])
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>|\{([^}]+)\}", value, rule)


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refused request changed nothing."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                    for table in Base.metadata.sorted_tables}
    finally:
        engine.dispose()
