"""The mapping file: which WooCommerce attributes mean which words of the catalog.

A YAML file, one entry per WooCommerce attribute name (matched case-insensitively)::

    attributes:
      Arch support:            # -> the product's arch_support, values mapped one by one
        to: arch_support
        values: {High: high, Firm: high, Medium: medium}
      Shoe size:               # -> each variant's EU size; labels "UK 8", "42", "9.5 US"
        to: size_eu
        sizes: uk              # how a bare number is read (eu, the default, uk or us)
      Fit:
        to: width
        values: {Standard: regular, 2E: wide}
      Color:                   # not mapped: kept as the option or attribute "Colour"
        label: Colour

Attributes without an entry are kept as they are: a plain product attribute shown on
the page, or, when variations choose it, a named option of the variants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from catalog.vocabulary import ATTRIBUTES

from .sizes import SYSTEMS
from .types import Problem, WooCommerceFileError


@dataclass(frozen=True)
class Target:
    """A catalog word a WooCommerce attribute can be mapped onto."""

    kind: str  # "choice", "labels" (several values), "int", "bool", "size", "width"
    choices: tuple[str, ...] = ()
    per_variant: bool = False


#: How each registry type is read from a WooCommerce value.
_KINDS = {"choice": "choice", "list": "labels", "integer": "int", "flag": "bool", "size": "size"}


def _target(attribute) -> Target:
    kind = "width" if attribute.name == "width" else _KINDS[attribute.type]
    return Target(kind, attribute.codes, per_variant=attribute.stored == "variant")


#: The catalog words an attribute can be mapped onto: the attribute registry, plus tags.
TARGETS = {
    **{name: _target(attribute) for name, attribute in ATTRIBUTES.items()},
    "tags": Target("labels"),
}

#: Width words shops use for the catalog's widths, when the mapping file names none.
WIDTH_WORDS = {
    "narrow": "narrow", "slim": "narrow",
    "regular": "regular", "standard": "regular", "normal": "regular", "medium": "regular",
    "wide": "wide",
    "extra wide": "extra-wide", "extra-wide": "extra-wide", "x-wide": "extra-wide", "xw": "extra-wide",
}  # fmt: skip


@dataclass(frozen=True)
class Rule:
    """What one WooCommerce attribute becomes."""

    name: str
    target: str | None = None
    label: str | None = None
    values: dict[str, str] = field(default_factory=dict)  # casefolded WooCommerce value -> word
    sizes: str = "eu"
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Mapping:
    rules: dict[str, Rule] = field(default_factory=dict)  # casefolded attribute name -> rule

    def rule(self, attribute_name: str) -> Rule | None:
        return self.rules.get(attribute_name.casefold())


class _RuleSchema(Schema):
    class Meta:
        unknown = RAISE

    to = fields.String(validate=validate.OneOf(tuple(TARGETS)))
    label = fields.String(validate=validate.Length(min=1, max=60))
    values = fields.Dict(keys=fields.String(), values=fields.Raw())
    sizes = fields.String(validate=validate.OneOf(SYSTEMS))


def read_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WooCommerceFileError([Problem(None, "", str(exc), file=str(path))]) from exc
    return parse_mapping(text, path.name)


def parse_mapping(text: str, name: str = "mapping") -> Mapping:
    """Parse and check a mapping file; raise WooCommerceFileError with lines."""
    try:
        document, lines = yaml.safe_load(text), _key_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise WooCommerceFileError([Problem(line, "", f"not YAML: {exc}", file=name)]) from exc
    if document is None:
        return Mapping()
    if not isinstance(document, dict) or set(document) - {"attributes"}:
        message = "expected a mapping with one key, 'attributes'"
        raise WooCommerceFileError([Problem(1, "", message, file=name)])
    entries = document.get("attributes") or {}
    if not isinstance(entries, dict):
        raise WooCommerceFileError(
            [Problem(lines.get("attributes"), "", "expected attribute names", file=name)]
        )
    problems, rules = [], {}
    for attribute, entry in entries.items():
        line = lines.get(str(attribute))
        rule = _rule(str(attribute), entry, line, name, problems)
        if rule is not None:
            if rule.name.casefold() in rules:
                problems.append(Problem(line, "", f"{attribute!r} is listed twice", file=name))
            rules[rule.name.casefold()] = rule
    if problems:
        raise WooCommerceFileError(problems)
    return Mapping(rules)


def _rule(
    attribute: str, entry, line: int | None, name: str, problems: list[Problem]
) -> Rule | None:
    def problem(message: str) -> None:
        problems.append(Problem(line, "", message, file=name, path=f"attributes.{attribute}"))

    if isinstance(entry, dict) and isinstance(entry.get("values"), dict):
        raw = entry["values"]
        if any(isinstance(key, bool) for key in raw):
            problem("values: quote Yes/No/On/Off keys ('Yes': ...): YAML reads them as true/false")
            return None
        entry = {**entry, "values": {str(key): word for key, word in raw.items()}}
    try:
        data = _RuleSchema().load(entry if isinstance(entry, dict) else {"": entry})
    except ValidationError as exc:
        for key, messages in exc.messages.items():
            for message in messages if isinstance(messages, list) else [messages]:
                problem(
                    f"{key or 'entry'}: {message}"
                    if key
                    else "expected to:, label:, values: or sizes:"
                )
        return None
    target = data.get("to")
    values = {}
    for value, word in (data.get("values") or {}).items():
        word = str(word).lower() if isinstance(word, bool) else str(word)
        choices = TARGETS[target].choices if target else ()
        if choices and word not in choices:
            problem(f"values: {value!r} maps to {word!r}, which is not one of {', '.join(choices)}")
        values[str(value).casefold()] = word
    if "sizes" in data and target != "size_eu":
        problem("sizes: only for an attribute mapped to size_eu")
    return Rule(attribute, target, data.get("label"), values, data.get("sizes", "eu"), line)


def _key_lines(text: str) -> dict[str, int]:
    """Line of each key in the file (first two levels), for problems that point at it."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[str, int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            lines[str(key.value)] = key.start_mark.line + 1
            if isinstance(value, yaml.MappingNode):
                for inner, _ in value.value:
                    lines.setdefault(str(inner.value), inner.start_mark.line + 1)
    return lines
