"""The profile rule table: reading and validating it, and the vocabulary its words come from.

The rules (``rules/profile_rules.yaml``) are operator-editable, so every mistake must be
named: the file, the rule and the word. The words themselves (which traits a profile has,
which values an attribute takes) are not declared here: the application hands them over as
plain data, a :class:`Vocabulary`, so the library never imports the catalog that owns them.
Without a vocabulary the table is checked for shape only and any word is accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DEFAULT_RULES_PATH",
    "EFFECTS",
    "Rule",
    "RuleTable",
    "RulesError",
    "Vocabulary",
    "load_rules",
    "normalise_profile",
    "validate_profile",
]

DEFAULT_RULES_PATH = Path(__file__).with_name("rules") / "profile_rules.yaml"

_RULE_KEYS = {"id", "when", "want", "weight", "reason"}
#: Optional keys: ``unless`` switches a rule off, ``effect`` says what a match does.
_OPTIONAL_KEYS = {"unless", "effect"}
#: ``rank`` adds the weight to the score; ``exclude`` takes a matching shoe out of the
#: list; ``demote`` ranks it behind every shoe that does not contradict the profile.
EFFECTS = ("rank", "exclude", "demote")
_PROFILE_TYPES = ("choice", "list", "number")
_ITEM_TYPES = ("choice", "list", "number", "flag")


class RulesError(ValueError):
    """The rule table (or the vocabulary it is checked against) is malformed; the message
    names the file and the rule."""


# ------------------------------------------------------------------ vocabulary
@dataclass(frozen=True)
class Trait:
    """One word list: its type and allowed values (``None``: any value)."""

    type: str
    values: frozenset[str] | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Profile traits and item attributes the rules may name, with their allowed values.

    Built from plain data with :meth:`from_data`::

        {"profile": {"arch": {"type": "choice", "values": ["flat", ...]},
                     "height_cm": {"type": "number"}, ...},
         "item": {"arch_support": {"type": "choice", "values": [...]},
                  "waterproof": {"type": "flag"}, "drop_mm": {"type": "number"}, ...}}

    Profile types: choice, list, number. Item types: choice, list, number, flag. Two words
    are always known: the profile number ``bmi`` (derived from height and weight) and the
    item list ``category`` (the category path, any value).
    """

    profile: Mapping[str, Trait] = field(default_factory=dict)
    item: Mapping[str, Trait] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | Vocabulary | None) -> Vocabulary | None:
        if data is None or isinstance(data, Vocabulary):
            return data
        if not isinstance(data, Mapping) or set(data) - {"profile", "item"}:
            raise RulesError("vocabulary: expected a mapping with 'profile' and 'item'")
        profile = cls._traits(data.get("profile", {}), "profile", _PROFILE_TYPES)
        item = cls._traits(data.get("item", {}), "item", _ITEM_TYPES)
        profile.setdefault("bmi", Trait("number"))
        item.setdefault("category", Trait("list"))
        return cls(profile, item)

    @staticmethod
    def _traits(raw: Any, part: str, types: tuple[str, ...]) -> dict[str, Trait]:
        if not isinstance(raw, Mapping):
            raise RulesError(f"vocabulary: {part!r} must be a mapping of names")
        out = {}
        for name, spec in raw.items():
            kind = spec.get("type") if isinstance(spec, Mapping) else None
            if kind not in types:
                raise RulesError(f"vocabulary: {part} {name!r} needs a type, one of {', '.join(types)}")
            values = spec.get("values")
            out[str(name)] = Trait(kind, None if values is None else frozenset(map(str, values)))
        return out

    def of(self, part: str, kind: str) -> dict[str, Trait]:
        """The traits of one type in ``profile`` or ``item``."""
        return {name: t for name, t in getattr(self, part).items() if t.type == kind}


@dataclass(frozen=True)
class RuleTable:
    """A rule file and the vocabulary it must use, as one value.

    A model that forwards only ``rules_path`` to its :class:`~recommender.profile.ProfileScorer`
    (the hybrid) forwards both when given a RuleTable there.
    """

    path: str | Path | None = None
    vocabulary: Mapping[str, Any] | None = field(default=None, repr=False)


# ------------------------------------------------------------------ conditions
@dataclass(frozen=True)
class _Want:
    attribute: str
    values: frozenset[str] | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Rule:
    """One validated rule: *when* the profile matches, items that satisfy *want* gain *weight*."""

    id: str
    when: Mapping[str, Any]
    want: tuple[_Want, ...]
    weight: float
    reason: str
    effect: str = "rank"
    unless: Mapping[str, Any] | None = None

    def applies_to(self, profile: Mapping[str, Any]) -> bool:
        """Whether the (normalised) profile switches this rule on (``when`` holds and
        ``unless``, if any, does not)."""
        unless = getattr(self, "unless", None)  # rules pickled before ``unless`` existed
        return _when_holds(self.when, profile) and not (unless and _when_holds(unless, profile))


def _yes_no(value: Any) -> Any:
    # YAML 1.1 reads a bare yes/no as a boolean; the vocabulary says "yes"/"no".
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def word(value: Any) -> str:
    """An item value as the rules compare it: flags as ``true``/``false``, the rest as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_values(values: list, allowed: frozenset[str] | None, where: str, what: str) -> frozenset:
    bad = [v for v in values if allowed is not None and v not in allowed]
    if bad or not values:
        expected = ", ".join(sorted(allowed or ()))
        raise RulesError(f"{where}: bad value {bad[0] if bad else values!r} for {what}; expected some of {expected}")
    return frozenset(values)


def _check_when(when: Any, where: str, vocab: Vocabulary | None) -> dict[str, Any]:
    """Validate a ``when`` mapping and return it normalised (sets of str, floats)."""
    if not isinstance(when, Mapping) or not when:
        raise RulesError(f"{where}: 'when' must be a non-empty mapping of profile traits")
    choices = vocab.of("profile", "choice") if vocab else None
    lists = vocab.of("profile", "list") if vocab else None
    numbers = vocab.of("profile", "number") if vocab else None
    out: dict[str, Any] = {}
    for key, value in when.items():
        if not isinstance(key, str):
            raise RulesError(f"{where}: condition names must be strings, got {key!r}")
        if key == "any_of":
            if not isinstance(value, list) or not value:
                raise RulesError(f"{where}: 'any_of' must be a non-empty list of conditions")
            out[key] = [_check_when(sub, f"{where} any_of[{i}]", vocab) for i, sub in enumerate(value)]
        elif key.endswith(("_min", "_max")) and (numbers is None or key[:-4] in numbers):
            if not _is_number(value):
                raise RulesError(f"{where}: {key!r} must be a number, got {value!r}")
            out[key] = float(value)
        elif key.endswith("_any") and (lists is None or key[:-4] in lists):
            allowed = lists[key[:-4]].values if lists else None
            out[key] = _check_values([_yes_no(v) for v in _as_list(value)], allowed, where, repr(key))
        elif choices is None or key in choices:
            allowed = choices[key].values if choices else None
            out[key] = _check_values([_yes_no(v) for v in _as_list(value)], allowed, where, repr(key))
        else:
            raise RulesError(
                f"{where}: unknown condition {key!r} in 'when'; expected a trait "
                f"({', '.join(choices)}), a list trait with _any "
                f"({', '.join(k + '_any' for k in lists)}), a number with _min/_max "
                f"({', '.join(numbers)}) or any_of"
            )
    return out


def _check_want(want: Any, where: str, vocab: Vocabulary | None) -> tuple[_Want, ...]:
    clauses = want if isinstance(want, list) else [want]
    if not clauses:
        raise RulesError(f"{where}: 'want' must not be empty")
    out = []
    for clause in clauses:
        if not isinstance(clause, Mapping):
            raise RulesError(f"{where}: each 'want' clause must be a mapping, got {clause!r}")
        unknown = set(clause) - {"attribute", "values", "min", "max"}
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r} in 'want'; expected attribute, values, min, max"
            )
        attribute = clause.get("attribute")
        if vocab is not None and attribute not in vocab.item:
            raise RulesError(
                f"{where}: unknown attribute {attribute!r} in 'want'; expected one of {', '.join(vocab.item)}"
            )
        if not isinstance(attribute, str) or not attribute:
            raise RulesError(f"{where}: each 'want' clause needs an 'attribute'")
        trait = vocab.item[attribute] if vocab is not None else None
        numeric = trait.type == "number" if trait else "values" not in clause
        if not numeric:
            if "min" in clause or "max" in clause or "values" not in clause:
                raise RulesError(f"{where}: attribute {attribute!r} takes 'values', not min/max")
            allowed = frozenset({"true", "false"}) if trait and trait.type == "flag" else (trait and trait.values)
            values = [word(v) for v in _as_list(clause["values"])]
            out.append(_Want(attribute, values=_check_values(values, allowed, where, f"attribute {attribute!r}")))
            continue
        if "values" in clause or ("min" not in clause and "max" not in clause):
            raise RulesError(f"{where}: attribute {attribute!r} takes 'min' and/or 'max'")
        for bound in ("min", "max"):
            if bound in clause and not _is_number(clause[bound]):
                raise RulesError(f"{where}: {bound!r} must be a number, got {clause[bound]!r}")
        lo, hi = clause.get("min"), clause.get("max")
        if lo is not None and hi is not None and lo > hi:
            raise RulesError(f"{where}: 'min' {lo} is above 'max' {hi}")
        out.append(_Want(attribute, min=lo, max=hi))
    return tuple(out)


def load_rules(path: str | Path | None = None, vocabulary: Mapping[str, Any] | Vocabulary | None = None) -> list[Rule]:
    """Read and validate a rule table.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to the shipped ``recommender/rules/profile_rules.yaml``.
    vocabulary : mapping or Vocabulary, optional
        The words rules may use (see :class:`Vocabulary`); without one only the table's
        shape is checked.

    Returns
    -------
    list of Rule

    Raises
    ------
    RulesError
        Naming the file and the rule (by id, or by position when it has none) for a missing
        file, bad YAML, an unknown key, a word outside the vocabulary or a duplicate id.

    Examples
    --------
    >>> rules = load_rules()
    >>> any(rule.id == "flat-feet-arch-support" for rule in rules)
    True
    """
    vocab = Vocabulary.from_data(vocabulary)
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{path}: expected a mapping with a 'rules' list")
    unknown_top = set(data) - {"version", "rules"}
    if unknown_top:
        raise RulesError(f"{path}: unknown top-level key {sorted(unknown_top)[0]!r}")
    if data.get("version", 1) != 1:
        raise RulesError(f"{path}: unsupported rules version {data.get('version')!r}")

    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["rules"]):
        name = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"{path}: rule {name!r} (#{i + 1})" if name else f"{path}: rule #{i + 1}"
        if not isinstance(raw, Mapping):
            raise RulesError(f"{where}: must be a mapping")
        unknown = set(raw) - _RULE_KEYS - _OPTIONAL_KEYS
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; "
                f"expected {', '.join(sorted(_RULE_KEYS | _OPTIONAL_KEYS))}"
            )
        effect = raw.get("effect", "rank")
        if effect not in EFFECTS:
            raise RulesError(f"{where}: 'effect' must be one of {', '.join(EFFECTS)}, got {effect!r}")
        if effect != "rank":
            raw = {"weight": -1.0, **raw}  # an exclusion or demotion adds nothing to the score
        missing = _RULE_KEYS - set(raw)
        if missing:
            raise RulesError(f"{where}: missing key {sorted(missing)[0]!r}")
        if not isinstance(name, str) or not name:
            raise RulesError(f"{where}: 'id' must be a non-empty string")
        if name in seen:
            raise RulesError(f"{where}: duplicate id {name!r}")
        seen.add(name)
        if not _is_number(raw["weight"]) or raw["weight"] == 0:
            raise RulesError(f"{where}: 'weight' must be a non-zero number, got {raw['weight']!r}")
        if not isinstance(raw["reason"], str) or not raw["reason"].strip():
            raise RulesError(f"{where}: 'reason' must be a non-empty string")
        rules.append(
            Rule(
                id=name,
                when=_check_when(raw["when"], where, vocab),
                want=_check_want(raw["want"], where, vocab),
                weight=float(raw["weight"]),
                reason=raw["reason"].strip(),
                effect=effect,
                unless=(_check_when(raw["unless"], f"{where} unless", vocab) if "unless" in raw else None),
            )
        )
    return rules


# -------------------------------------------------------------------- profiles
def _kind(key: str, value: Any, vocab: Vocabulary | None) -> tuple[str | None, frozenset | None]:
    """A profile trait's type and allowed values: from the vocabulary, else from the value."""
    if vocab is not None:
        trait = vocab.profile.get(key)
        return (trait.type, trait.values) if trait else (None, None)
    if isinstance(value, (list, tuple, set, frozenset)):
        return "list", None
    if _is_number(value):
        return "number", None
    return ("choice" if isinstance(value, (str, bool)) else None), None


def validate_profile(
    profile: Mapping[str, Any] | None, vocabulary: Mapping[str, Any] | Vocabulary | None = None
) -> list[str]:
    """Problems with a profile (unknown keys, values outside the vocabulary); empty if fine.

    :meth:`ProfileScorer.score` ignores what this reports, so a stale profile never breaks
    a page; the shop should validate at input time.
    """
    vocab = Vocabulary.from_data(vocabulary)
    problems = []
    for key, value in (profile or {}).items():
        kind, allowed = _kind(key, value, vocab)
        if kind == "choice":
            if value is not None and allowed is not None and _yes_no(value) not in allowed:
                problems.append(f"{key}: unknown value {value!r}")
        elif kind == "list":
            for v in _as_list(value or []):
                if allowed is not None and v not in allowed:
                    problems.append(f"{key}: unknown value {v!r}")
        elif kind == "number":
            if value is not None and not _is_number(value):
                problems.append(f"{key}: not a number: {value!r}")
        else:
            problems.append(f"unknown profile key {key!r}")
    return problems


def normalise_profile(profile: Mapping[str, Any] | None, vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The profile as rules read it: known words only, lists as sets, numbers as floats, and
    ``bmi`` derived from height and weight."""
    out: dict[str, Any] = {}
    for key, value in (profile or {}).items():
        if value is None:
            continue
        kind, allowed = _kind(key, value, vocab)
        if kind == "choice":
            value = _yes_no(value)
            if allowed is None or value in allowed:
                out[key] = value
        elif kind == "list":
            out[key] = frozenset(v for v in _as_list(value) if allowed is None or v in allowed)
        elif kind == "number" and _is_number(value):
            out[key] = float(value)
    height, weight = out.get("height_cm"), out.get("weight_kg")
    if "bmi" not in out and height and weight and height > 0:
        out["bmi"] = weight / (height / 100.0) ** 2
    return out


def _when_holds(when: Mapping[str, Any], profile: Mapping[str, Any]) -> bool:
    for key, expected in when.items():
        if key == "any_of":
            if not any(_when_holds(sub, profile) for sub in expected):
                return False
        elif isinstance(expected, float):  # a trait_min / trait_max bound
            value = profile.get(key[:-4])
            if not isinstance(value, float):
                return False
            if (value < expected) if key.endswith("_min") else (value > expected):
                return False
        elif key.endswith("_any"):  # a list trait shares a value
            value = profile.get(key[:-4])
            if not isinstance(value, frozenset) or not (value & expected):
                return False
        elif profile.get(key) not in expected:
            return False
    return True
