"""Profile fit: which products suit what a visitor told us about themselves.

A first-time visitor has no history, but the footwear finder asks about arches, pain and
walking habits, and a physiotherapist can say what follows ("flat feet → stability and high
arch support"). That knowledge lives in an operator-editable YAML rule table
(``rules/profile_rules.yaml``, read and validated by :mod:`recommender.profile_rules`)
rather than in code, so it can be reviewed and tuned without a release, and each rule
carries the plain-words reason shown to the visitor. The words rules and profiles use come
from the application as a vocabulary (plain data), never from a catalog import.

At fit time every rule's *want* clause is evaluated against every item once, giving a
sparse item × rule match matrix; scoring a profile is then one sparse mat-vec.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from recommender.profile_rules import (
    DEFAULT_RULES_PATH,
    Rule,
    RulesError,
    RuleTable,
    Vocabulary,
    _as_list,
    _Want,
    load_rules,
    normalise_profile,
    validate_profile,
    word,
)

__all__ = [
    "DEFAULT_RULES_PATH",
    "ProfileScorer",
    "Rule",
    "RuleTable",
    "RulesError",
    "Vocabulary",
    "load_rules",
    "validate_profile",
]


# --------------------------------------------------------------------- items
def _item_values(attributes: Mapping[str, Any], attribute: str) -> set[str]:
    value = attributes.get(attribute)
    if value is None:
        return set()
    return {word(v) for v in _as_list(value)}


def _item_number(attributes: Mapping[str, Any], attribute: str) -> float:
    value = attributes.get(attribute)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _effect(rule: Rule) -> str:
    return getattr(rule, "effect", "rank")  # rules pickled before effects existed rank


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
    rules_path : str, Path or RuleTable, optional
        YAML rule table; ``None`` uses the shipped ``recommender/rules/profile_rules.yaml``.
        A :class:`RuleTable` carries the file and the vocabulary together.
    vocabulary : mapping, optional
        The words rules and profiles may use (see :class:`Vocabulary`; the shop passes its
        catalog's registry). Without one, rules are checked for shape only and profile
        values are taken as given.

    Attributes
    ----------
    rules_ : list of Rule
    vocabulary_ : Vocabulary or None
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

    def __init__(
        self,
        rules_path: str | Path | RuleTable | None = None,
        vocabulary: Mapping[str, Any] | None = None,
    ) -> None:
        self.rules_path = rules_path
        self.vocabulary = vocabulary

    def fit(
        self, item_ids: Sequence[str], item_attributes: Sequence[Mapping[str, Any]]
    ) -> ProfileScorer:
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
        path, vocabulary = self.rules_path, self.vocabulary
        if isinstance(path, RuleTable):
            if vocabulary is not None and path.vocabulary is not None:
                raise ValueError("give the vocabulary either in the RuleTable or as vocabulary=")
            path, vocabulary = path.path, path.vocabulary if vocabulary is None else vocabulary
        vocab = Vocabulary.from_data(vocabulary)
        rules = load_rules(path, vocab)
        table = _AttributeColumns(items)
        columns = []
        for rule in rules:
            column = np.ones(len(items), dtype=bool)
            for want in rule.want:
                column &= table.match(want)
            columns.append(column)
        dense = np.column_stack(columns) if columns else np.zeros((len(items), 0), dtype=bool)
        self.rules_ = rules
        self.vocabulary_ = vocab
        self.item_ids_ = np.asarray(item_ids, dtype=object)
        self.match_ = sp.csr_matrix(dense, dtype=np.float32)
        # Exclusions and demotions say which shoes contradict the profile; they add no score.
        self._weights = np.array(
            [rule.weight if _effect(rule) == "rank" else 0.0 for rule in rules], dtype=np.float32
        )
        return self

    def rule_weights(self, profile: Mapping[str, Any] | None) -> np.ndarray:
        """Weight of each rule for this profile: the rule's weight if it applies, else 0."""
        check_is_fitted(self, "match_")
        # getattr: artifacts pickled before vocabularies existed have none.
        normalised = normalise_profile(profile, getattr(self, "vocabulary_", None))
        if not normalised:
            return np.zeros(len(self.rules_), dtype=np.float32)
        active = np.fromiter(
            (rule.applies_to(normalised) for rule in self.rules_),
            dtype=bool,
            count=len(self.rules_),
        )
        return np.where(active, self._weights, 0.0).astype(np.float32)

    def effect_masks(self, profile: Mapping[str, Any] | None) -> tuple[np.ndarray, np.ndarray]:
        """Items that contradict the profile: ``(excluded, demoted)`` boolean masks.

        An item is excluded (demoted) when it matches an applicable rule whose ``effect`` is
        ``exclude`` (``demote``): the rule table, not the code, says which contradictions
        take a product out and which only send it down the list.
        """
        check_is_fitted(self, "match_")
        normalised = normalise_profile(profile, getattr(self, "vocabulary_", None))
        masks = []
        for effect in ("exclude", "demote"):
            active = np.fromiter(
                (bool(normalised) and _effect(r) == effect and r.applies_to(normalised)
                 for r in self.rules_),
                dtype=bool, count=len(self.rules_),
            )
            hits = self.match_ @ active.astype(np.float32) if active.any() else None
            masks.append(
                np.asarray(hits).ravel() > 0 if hits is not None
                else np.zeros(self.match_.shape[0], dtype=bool)
            )
        return masks[0], masks[1]

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
                for j, c in zip(sub.indices[start:end], sub.data[start:end], strict=False)
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
