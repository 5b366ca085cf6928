"""Profile fit: which products suit what a visitor told us about themselves.

A first-time visitor has no history, but the footwear finder asks about arches, pain and
walking habits, and a physiotherapist can say what follows ("flat feet → stability and high
arch support"). That knowledge lives in an operator-editable YAML rule table
(``rules/profile_rules.yaml``) rather than in code, so it can be reviewed and tuned without
a release, and each rule carries the plain-words reason shown to the visitor.

At fit time every rule's *want* clause is evaluated against every item once, giving a
sparse item × rule match matrix; scoring a profile is then one sparse mat-vec.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "DEFAULT_RULES_PATH",
    "ProfileScorer",
    "Rule",
    "RulesError",
    "load_rules",
    "validate_profile",
]

DEFAULT_RULES_PATH = Path(__file__).with_name("rules") / "profile_rules.yaml"

# ---------------------------------------------------------------- vocabularies
#: Categorical profile traits and their allowed values.
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "age_band": ("under-30", "30-44", "45-59", "60-74", "75-plus"),
    "fitness_level": ("inactive", "beginner", "regular", "active"),
    "arch": ("flat", "neutral", "high", "unknown"),
    "overpronation": ("yes", "no", "unknown"),
    "width": ("narrow", "regular", "wide", "extra-wide"),
}
#: List-valued profile traits and their allowed values.
PROFILE_LISTS: dict[str, tuple[str, ...]] = {
    "goals": ("pain-relief", "walk-daily", "prevent-relapse", "lose-weight", "build-strength"),
    "pain_areas": ("lower-back", "upper-back", "neck", "hips", "knees", "feet"),
    "terrain": ("pavement", "trail", "hills"),
}
#: Numeric profile traits (``bmi`` is derived from height and weight).
PROFILE_NUMBERS: tuple[str, ...] = (
    "height_cm", "weight_kg", "shoe_size_eu", "walks_per_week", "minutes_per_walk", "bmi",
)

#: Categorical item attributes (docs/catalog-format.md).
ITEM_CHOICES: dict[str, tuple[str, ...]] = {
    "arch_support": ("low", "medium", "high"),
    "cushioning": ("low", "medium", "high"),
    "stability": ("neutral", "stability", "motion-control"),
}
#: List-valued item attributes; ``category`` is the category path, ``None`` = free values.
ITEM_LISTS: dict[str, tuple[str, ...] | None] = {
    "terrain": ("pavement", "trail", "hills"),
    "conditions": (
        "lower-back-pain", "upper-back-pain", "neck-pain", "plantar-fasciitis", "flat-feet",
        "high-arches", "overpronation", "knee-pain", "hip-pain", "posture", "sciatica",
    ),
    "widths": ("narrow", "regular", "wide", "extra-wide"),
    "category": None,
}
ITEM_NUMBERS: tuple[str, ...] = ("drop_mm", "weight_g")

_RULE_KEYS = {"id", "when", "want", "weight", "reason"}


class RulesError(ValueError):
    """The rule table is malformed; the message names the file and the rule."""


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

    def applies_to(self, profile: Mapping[str, Any]) -> bool:
        """Whether the (normalised) profile switches this rule on."""
        return _when_holds(self.when, profile)


def _yes_no(value: Any) -> Any:
    # YAML 1.1 reads a bare yes/no as a boolean; the vocabulary says "yes"/"no".
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_when(when: Any, where: str) -> dict[str, Any]:
    """Validate a ``when`` mapping and return it normalised (lists of str, floats)."""
    if not isinstance(when, Mapping) or not when:
        raise RulesError(f"{where}: 'when' must be a non-empty mapping of profile traits")
    out: dict[str, Any] = {}
    for key, value in when.items():
        if not isinstance(key, str):
            raise RulesError(f"{where}: condition names must be strings, got {key!r}")
        if key == "any_of":
            if not isinstance(value, list) or not value:
                raise RulesError(f"{where}: 'any_of' must be a non-empty list of conditions")
            out[key] = [_check_when(sub, f"{where} any_of[{i}]") for i, sub in enumerate(value)]
        elif key in PROFILE_CHOICES or (key.endswith("_any") and key[:-4] in PROFILE_LISTS):
            allowed = PROFILE_CHOICES.get(key) or PROFILE_LISTS[key[:-4]]
            values = [_yes_no(v) for v in _as_list(value)]
            bad = [v for v in values if v not in allowed]
            if bad or not values:
                raise RulesError(
                    f"{where}: bad value {bad[0] if bad else value!r} for {key!r}; "
                    f"expected some of {', '.join(allowed)}"
                )
            out[key] = frozenset(values)
        elif key.endswith(("_min", "_max")) and key[:-4] in PROFILE_NUMBERS:
            if not _is_number(value):
                raise RulesError(f"{where}: {key!r} must be a number, got {value!r}")
            out[key] = float(value)
        else:
            raise RulesError(
                f"{where}: unknown condition {key!r} in 'when'; expected a trait "
                f"({', '.join(PROFILE_CHOICES)}), a list trait with _any "
                f"({', '.join(k + '_any' for k in PROFILE_LISTS)}), a number with _min/_max "
                f"({', '.join(PROFILE_NUMBERS)}) or any_of"
            )
    return out


def _check_want(want: Any, where: str) -> tuple[_Want, ...]:
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
                f"{where}: unknown key {sorted(unknown)[0]!r} in 'want'; "
                "expected attribute, values, min, max"
            )
        attribute = clause.get("attribute")
        if attribute in ITEM_CHOICES or attribute in ITEM_LISTS:
            allowed = ITEM_CHOICES.get(attribute) or ITEM_LISTS.get(attribute)
            if "min" in clause or "max" in clause or "values" not in clause:
                raise RulesError(f"{where}: attribute {attribute!r} takes 'values', not min/max")
            values = [str(v) for v in _as_list(clause["values"])]
            bad = [v for v in values if allowed is not None and v not in allowed]
            if bad or not values:
                raise RulesError(
                    f"{where}: bad value {bad[0] if bad else clause['values']!r} for attribute "
                    f"{attribute!r}; expected some of {', '.join(allowed or ())}"
                )
            out.append(_Want(attribute, values=frozenset(values)))
        elif attribute in ITEM_NUMBERS:
            if "values" in clause or ("min" not in clause and "max" not in clause):
                raise RulesError(f"{where}: attribute {attribute!r} takes 'min' and/or 'max'")
            for bound in ("min", "max"):
                if bound in clause and not _is_number(clause[bound]):
                    raise RulesError(f"{where}: {bound!r} must be a number, got {clause[bound]!r}")
            lo, hi = clause.get("min"), clause.get("max")
            if lo is not None and hi is not None and lo > hi:
                raise RulesError(f"{where}: 'min' {lo} is above 'max' {hi}")
            out.append(_Want(attribute, min=lo, max=hi))
        else:
            known = [*ITEM_CHOICES, *ITEM_LISTS, *ITEM_NUMBERS]
            raise RulesError(
                f"{where}: unknown attribute {attribute!r} in 'want'; expected one of "
                f"{', '.join(known)}"
            )
    return tuple(out)


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """Read and validate a rule table.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to the shipped ``recommender/rules/profile_rules.yaml``.

    Returns
    -------
    list of Rule

    Raises
    ------
    RulesError
        Naming the file and the rule (by id, or by position when it has none) for a missing
        file, bad YAML, an unknown key, a value outside the vocabulary or a duplicate id.

    Examples
    --------
    >>> rules = load_rules()
    >>> any(rule.id == "flat-feet-arch-support" for rule in rules)
    True
    """
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
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise RulesError(
                f"{where}: unknown key {sorted(unknown)[0]!r}; "
                f"expected {', '.join(sorted(_RULE_KEYS))}"
            )
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
                when=_check_when(raw["when"], where),
                want=_check_want(raw["want"], where),
                weight=float(raw["weight"]),
                reason=raw["reason"].strip(),
            )
        )
    return rules


# -------------------------------------------------------------------- profiles
def validate_profile(profile: Mapping[str, Any] | None) -> list[str]:
    """Problems with a profile (unknown keys, values outside the vocabulary); empty if fine.

    :meth:`ProfileScorer.score` ignores what this reports, so a stale profile never breaks
    a page; the shop should validate at input time.
    """
    problems = []
    for key, value in (profile or {}).items():
        if key in PROFILE_CHOICES:
            if value is not None and _yes_no(value) not in PROFILE_CHOICES[key]:
                problems.append(f"{key}: unknown value {value!r}")
        elif key in PROFILE_LISTS:
            for v in _as_list(value or []):
                if v not in PROFILE_LISTS[key]:
                    problems.append(f"{key}: unknown value {v!r}")
        elif key in PROFILE_NUMBERS:
            if value is not None and not _is_number(value):
                problems.append(f"{key}: not a number: {value!r}")
        else:
            problems.append(f"unknown profile key {key!r}")
    return problems


def _normalise_profile(profile: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (profile or {}).items():
        if value is None:
            continue
        if key in PROFILE_CHOICES:
            value = _yes_no(value)
            if value in PROFILE_CHOICES[key]:
                out[key] = value
        elif key in PROFILE_LISTS:
            out[key] = frozenset(v for v in _as_list(value) if v in PROFILE_LISTS[key])
        elif key in PROFILE_NUMBERS and _is_number(value):
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
        elif key.endswith("_any"):
            if not (profile.get(key[:-4], frozenset()) & expected):
                return False
        elif key.endswith("_min"):
            value = profile.get(key[:-4])
            if value is None or value < expected:
                return False
        elif key.endswith("_max"):
            value = profile.get(key[:-4])
            if value is None or value > expected:
                return False
        elif profile.get(key) not in expected:
            return False
    return True


# --------------------------------------------------------------------- items
def _item_values(attributes: Mapping[str, Any], attribute: str) -> set[str]:
    value = attributes.get(attribute)
    if value is None:
        return set()
    return {str(v) for v in _as_list(value)}


def _item_number(attributes: Mapping[str, Any], attribute: str) -> float:
    value = attributes.get(attribute)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


class _AttributeColumns:
    """Item attributes as columns, built lazily with one pass over the items per attribute."""

    def __init__(self, items: Sequence[Mapping[str, Any]]) -> None:
        self.items = items
        self._values: dict[str, dict[str, np.ndarray]] = {}
        self._numbers: dict[str, np.ndarray] = {}

    def has_any(self, attribute: str, values: frozenset[str]) -> np.ndarray:
        if attribute not in self._values:
            columns: dict[str, list[int]] = {}
            for row, attrs in enumerate(self.items):
                for value in _item_values(attrs, attribute):
                    columns.setdefault(value, []).append(row)
            self._values[attribute] = {
                value: np.asarray(rows, dtype=np.intp) for value, rows in columns.items()
            }
        out = np.zeros(len(self.items), dtype=bool)
        for value in values:
            out[self._values[attribute].get(value, [])] = True
        return out

    def in_range(self, attribute: str, low: float | None, high: float | None) -> np.ndarray:
        if attribute not in self._numbers:
            self._numbers[attribute] = np.fromiter(
                (_item_number(attrs, attribute) for attrs in self.items),
                dtype=float,
                count=len(self.items),
            )
        numbers = self._numbers[attribute]
        ok = ~np.isnan(numbers)
        if low is not None:
            ok &= numbers >= low
        if high is not None:
            ok &= numbers <= high
        return ok

    def match(self, want: _Want) -> np.ndarray:
        if want.values is not None:
            return self.has_any(want.attribute, want.values)
        return self.in_range(want.attribute, want.min, want.max)


class ProfileScorer(BaseEstimator):
    """Score every item for a visitor profile with an editable rule table.

    Parameters
    ----------
    rules_path : str or Path, optional
        YAML rule table; ``None`` uses the shipped ``recommender/rules/profile_rules.yaml``.

    Attributes
    ----------
    rules_ : list of Rule
    item_ids_ : ndarray of str, shape (n_items,)
    match_ : csr_matrix of float32, shape (n_items, n_rules)
        1 where the item satisfies the rule's *want* clause.

    Examples
    --------
    >>> scorer = ProfileScorer().fit(
    ...     ["steady", "breeze"],
    ...     [{"stability": "stability", "arch_support": "high"},
    ...      {"stability": "neutral", "arch_support": "low"}],
    ... )
    >>> scores, reasons = scorer.score({"arch": "flat"})
    >>> scores.tolist()
    [1.0, 0.0]
    >>> reasons[0][0][0]
    'High arch support for flat feet'
    """

    def __init__(self, rules_path: str | Path | None = None) -> None:
        self.rules_path = rules_path

    def fit(
        self, item_ids: Sequence[str], item_attributes: Sequence[Mapping[str, Any]]
    ) -> "ProfileScorer":
        """Load the rules and evaluate every rule's *want* clause on every item.

        Parameters
        ----------
        item_ids : sequence of str
        item_attributes : sequence of mapping
            Per item: the catalog attributes (``arch_support``, ``drop_mm``, ``terrain``...),
            plus ``category`` (the category path, e.g. ``("footwear", "walking-shoes")``) and
            ``widths`` (the widths the product comes in). Missing keys never match.

        Returns
        -------
        self
        """
        item_ids = [str(i) for i in item_ids]
        items = list(item_attributes)
        if len(items) != len(item_ids):
            raise ValueError("item_ids and item_attributes must have the same length")
        rules = load_rules(self.rules_path)
        table = _AttributeColumns(items)
        columns = []
        for rule in rules:
            column = np.ones(len(items), dtype=bool)
            for want in rule.want:
                column &= table.match(want)
            columns.append(column)
        dense = np.column_stack(columns) if columns else np.zeros((len(items), 0), dtype=bool)
        self.rules_ = rules
        self.item_ids_ = np.asarray(item_ids, dtype=object)
        self.match_ = sp.csr_matrix(dense, dtype=np.float32)
        self._weights = np.array([rule.weight for rule in rules], dtype=np.float32)
        return self

    def rule_weights(self, profile: Mapping[str, Any] | None) -> np.ndarray:
        """Weight of each rule for this profile: the rule's weight if it applies, else 0."""
        check_is_fitted(self, "match_")
        normalised = _normalise_profile(profile)
        if not normalised:
            return np.zeros(len(self.rules_), dtype=np.float32)
        active = np.fromiter(
            (rule.applies_to(normalised) for rule in self.rules_),
            dtype=bool,
            count=len(self.rules_),
        )
        return np.where(active, self._weights, 0.0).astype(np.float32)

    def score_vector(self, profile: Mapping[str, Any] | None) -> np.ndarray:
        """Scores in [0, 1] over items, without reasons (the fast path for serving).

        The raw score is the sum of the weights of matched, applicable rules. Penalties push
        an item to 0; the best-fitting item gets 1; all zeros when nothing applies.
        """
        return self._normalise(self.match_ @ self.rule_weights(profile))

    @staticmethod
    def _normalise(raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype=np.float32).ravel()
        top = float(raw.max()) if raw.size else 0.0
        if top <= 0.0:
            return np.zeros_like(raw)
        return np.clip(raw / top, 0.0, 1.0)

    def explain(
        self, profile: Mapping[str, Any] | None, item_indices: Sequence[int] | np.ndarray
    ) -> list[list[tuple[str, float]]]:
        """For the given item rows, the ``(reason, contribution)`` of each matched rule.

        Strongest first; penalties (negative contributions) come last.
        """
        weights = self.rule_weights(profile)
        item_indices = np.asarray(item_indices, dtype=np.intp)
        if not weights.any():
            return [[] for _ in item_indices]
        sub = self.match_[item_indices].multiply(weights).tocsr()
        out = []
        for row in range(sub.shape[0]):
            start, end = sub.indptr[row], sub.indptr[row + 1]
            pairs = [
                (self.rules_[j].reason, float(c))
                for j, c in zip(sub.indices[start:end], sub.data[start:end])
                if c != 0
            ]
            pairs.sort(key=lambda pair: -pair[1])
            out.append(pairs)
        return out

    def score(
        self, profile: Mapping[str, Any] | None
    ) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
        """Score every item for a profile and say which rules matched.

        Parameters
        ----------
        profile : mapping or None
            Keys as in the footwear finder (``arch``, ``pain_areas``, ``width``...); unknown
            keys and values are ignored (see :func:`validate_profile`).

        Returns
        -------
        scores : ndarray of float32, shape (n_items,)
            In [0, 1]; all zeros when no rule applies.
        reasons : list of list of (str, float)
            Per item, ``(reason, contribution)`` of the rules that matched, strongest first.
        """
        check_is_fitted(self, "match_")
        scores = self.score_vector(profile)
        return scores, self.explain(profile, np.arange(len(self.item_ids_)))
