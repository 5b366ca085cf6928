"""The profile form's fields as data: parse a submitted form, show stored answers.

Shared by the profile page and the footwear finder, which asks a subset of the same
questions; no Flask request object is read here, the views pass ``request.form``.
"""

from __future__ import annotations

import math

from marshmallow import ValidationError

from catalog.vocabulary import eu_to_uk, eu_to_us, uk_to_eu, us_to_eu

from ..accounts.forms import field_errors
from .schema import LIST_FIELDS, MAX_SHOE_EU, MIN_SHOE_EU, PROFILE_FIELDS, ProfileSchema

SIZE_SYSTEMS = {
    "eu": ("EU", lambda size: size, MIN_SHOE_EU, MAX_SHOE_EU),
    "uk": ("UK", uk_to_eu, eu_to_uk(MIN_SHOE_EU), eu_to_uk(MAX_SHOE_EU)),
    "us": ("US", us_to_eu, eu_to_us(MIN_SHOE_EU), eu_to_us(MAX_SHOE_EU)),
}


def _fmt(number: float) -> str:
    return f"{number:g}"


def _shoe_size(form, raw: dict, errors: dict) -> None:
    """``shoe_size`` in the chosen ``size_system`` becomes ``shoe_size_eu`` (or an error)."""
    system = form.get("size_system", "eu")
    text = form.get("shoe_size", "").strip().replace(",", ".")
    if system not in SIZE_SYSTEMS:
        errors["shoe_size"] = "Choose EU, UK or US sizes."
        return
    if not text:
        return
    label, to_eu, low, high = SIZE_SYSTEMS[system]
    bounds = f"{label} shoe size must be between {_fmt(low)} and {_fmt(high)}."
    try:
        size = float(text)
    except ValueError:
        errors["shoe_size"] = f"Enter a number, like {_fmt(low + 7)} or {_fmt(low + 7.5)}. {bounds}"
        return
    if not math.isfinite(size) or not low <= size <= high:
        errors["shoe_size"] = bounds
    elif not (size * 2).is_integer():
        errors["shoe_size"] = f"Use a whole or half size, like {_fmt(low + 7)} or {_fmt(low + 7.5)}."
    else:
        raw["shoe_size_eu"] = to_eu(size)


def parse_form(form) -> tuple[dict, dict[str, str]]:
    """(profile data, errors by form field) from the submitted form."""
    raw: dict = {}
    errors: dict[str, str] = {}
    for name in PROFILE_FIELDS:
        if name == "shoe_size_eu":
            continue
        if name in LIST_FIELDS:
            if values := [v for v in form.getlist(name) if v]:
                raw[name] = values
        elif value := form.get(name, "").strip():
            raw[name] = value
    _shoe_size(form, raw, errors)
    try:
        data = ProfileSchema().load(raw)
    except ValidationError as exc:
        messages = field_errors(exc.messages)
        if "shoe_size_eu" in messages:
            errors.setdefault("shoe_size", messages.pop("shoe_size_eu"))
        errors.update(messages)
        data = {}
    order = [name if name != "shoe_size_eu" else "shoe_size" for name in PROFILE_FIELDS]
    errors = dict(sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
    return data, errors


def form_values(data: dict) -> dict:
    """Stored profile data as the form shows it (sizes in EU)."""
    values = {key: value for key, value in data.items() if key != "shoe_size_eu"}
    if "shoe_size_eu" in data:
        values["shoe_size"], values["size_system"] = _fmt(data["shoe_size_eu"]), "eu"
    return values


def submitted_values(form) -> dict:
    values = {name: form.getlist(name) if name in LIST_FIELDS else form.get(name, "") for name in PROFILE_FIELDS}
    values["shoe_size"] = form.get("shoe_size", "")
    values["size_system"] = form.get("size_system", "eu")
    return values
