"""Input no view can use, refused before any view runs: a 400 problem (or page), never a 500.

- Control characters (NUL and the other C0 controls; in the path also tab and line breaks) in the
  path, the query string, a form or a JSON string. PostgreSQL refuses a NUL in text, so without
  this a NUL in a slug, a SKU or a search reached the database and failed there; SQLite stored it.
  The schemas apply the same rule per field (``shop.schemas.Text``); this check covers the path
  parameters and every body the schemas of other packages read.
- JSON nested deeper than :data:`MAX_JSON_DEPTH`: nothing the shop accepts is nested more than a
  few levels, and ``json.loads`` of ~1,000 levels raised ``RecursionError`` inside the body
  parser. Counted on the raw text, with the string literals taken out, before anything parses it.
"""

from __future__ import annotations

import json
import re

from flask import Flask, request

from .errors import abort_with
from .schemas import has_control_characters

MAX_JSON_DEPTH = 32
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``text`` nests arrays and objects, counting no further than ``limit + 1``."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING_LITERAL.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _strings(value):
    """Every string of a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _refuse(where: str) -> None:
    abort_with(400, f"The {where} contains control characters.",
               messages={where.replace(" ", "_"): ["Must not contain control characters."]})


def _check_json_body() -> None:
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        return  # not JSON at all: the view's parser says so
    if json_depth(text) > MAX_JSON_DEPTH:
        abort_with(400, f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        document = json.loads(text)
    except ValueError:
        return  # malformed: the view's parser answers it
    if any(has_control_characters(s) for s in _strings(document)):
        _refuse("body")


def check_request() -> None:
    """The before-request check (see the module docstring)."""
    if has_control_characters(request.path, multiline=False):
        _refuse("path")
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            _refuse("query string")
    limit, length = request.max_content_length, request.content_length
    if limit is not None and length is not None and length > limit:
        return  # the 413 check answers it
    if request.is_json:
        _check_json_body()
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if has_control_characters(key) or has_control_characters(value):
                _refuse("form")


def register_request_checks(app: Flask) -> None:
    app.before_request(check_request)
