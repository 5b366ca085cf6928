"""Helpers shared by the HTML forms: pick known fields, turn schema errors into one line per field."""

from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import Schema

from ..errors import flatten_messages


def form_values(schema: Schema, form) -> dict:
    """The submitted values of the schema's fields only (``csrf_token`` and the like are not data)."""
    values = {}
    for name, field in schema.fields.items():
        if name not in form:
            continue
        values[name] = form.getlist(name) if getattr(field, "is_multiple", False) else form[name]
    return values


def field_errors(messages) -> dict[str, str]:
    """``{"field": "message"}`` from marshmallow messages; ``goals.1`` counts as ``goals``."""
    errors: dict[str, list[str]] = {}
    for param in flatten_messages(messages):
        name = param["name"].split(".")[0]
        if param["reason"] not in errors.setdefault(name, []):
            errors[name].append(param["reason"])
    return {name: " ".join(reasons) for name, reasons in errors.items()}


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to after logging in; anything else (another site) is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
