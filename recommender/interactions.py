"""Interaction data as plain columns, id indexes and the user x item matrix.

Everything the collaborative models learn from starts as "user u did event e
on item i at time t with weight w". Keeping that as a handful of NumPy columns
(rather than ORM rows or a data frame) makes the library independent of the
shop's database and keeps splitting and matrix building vectorised. The strict
CSV reader lives in :mod:`recommender.interactions_csv` (``read_interactions_csv``
and ``InteractionsFormatError`` are importable from here too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.compact import CompactIds

__all__ = [
    "DEFAULT_EVENT_WEIGHTS",
    "IdIndex",
    "Interactions",
    "to_matrix",
]

#: Weight of each event type in :func:`to_matrix`; unknown events weigh 1.
DEFAULT_EVENT_WEIGHTS: Mapping[str, float] = {
    "view": 1.0,
    "read": 1.0,
    "search": 0.5,
    "cart": 3.0,
    "purchase": 5.0,
    "rating": 1.0,
}

_SECONDS_PER_DAY = 86_400.0


def _object_array(values: Any) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values) if not isinstance(values, np.ndarray) else values
    return arr


@dataclass(frozen=True)
class Interactions:
    """Columnar interaction log: one entry per (user, item, event).

    Parameters
    ----------
    user_ids, item_ids : array of str, shape (n,)
        Ids as strings (object arrays).
    weights : array of float64, shape (n,)
        Strength of each interaction (e.g. a quantity); 1 when unknown.
    timestamps : array of float64, shape (n,)
        Unix seconds, or the position in the file when only an order is known.
    events : array of object, shape (n,)
        Event type per row (lower-case str) or None when unknown.

    Examples
    --------
    >>> inter = Interactions.from_records([
    ...     {"user_id": "u1", "item_id": "shoe", "event": "view"},
    ...     {"user_id": "u1", "item_id": "insole", "event": "purchase", "weight": 2},
    ... ])
    >>> len(inter), inter.weights.tolist()
    (2, [1.0, 2.0])
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    weights: np.ndarray
    timestamps: np.ndarray
    events: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.user_ids)
        coerced = {
            "user_ids": np.asarray(self.user_ids, dtype=object),
            "item_ids": np.asarray(self.item_ids, dtype=object),
            "weights": np.asarray(self.weights, dtype=np.float64),
            "timestamps": np.asarray(self.timestamps, dtype=np.float64),
            "events": np.asarray(self.events, dtype=object),
        }
        for name, arr in coerced.items():
            if arr.ndim != 1 or len(arr) != n:
                raise ValueError(f"{name} must be 1-D of length {n}, got shape {arr.shape}")
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.user_ids)

    def take(self, indices: np.ndarray) -> Interactions:
        """Return the rows at ``indices`` (integer positions or a boolean mask)."""
        return Interactions(
            self.user_ids[indices],
            self.item_ids[indices],
            self.weights[indices],
            self.timestamps[indices],
            self.events[indices],
        )

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any] | tuple]) -> Interactions:
        """Build from mappings (keys as in the CSV) or ``(user_id, item_id[, weight])`` tuples.

        Missing weights are 1, missing events None, and missing timestamps
        the record's position. Timestamps may be numbers (Unix seconds) or
        ISO 8601 strings.

        Examples
        --------
        >>> Interactions.from_records([("u1", "a"), ("u2", "b", 3.0)]).weights.tolist()
        [1.0, 3.0]
        """
        users, items, weights, times, events = [], [], [], [], []
        for pos, rec in enumerate(records):
            if isinstance(rec, Mapping):
                u, i = rec["user_id"], rec["item_id"]
                w = rec.get("weight")
                t = rec.get("timestamp")
                e = rec.get("event")
            else:
                u, i = rec[0], rec[1]
                w = rec[2] if len(rec) > 2 else None
                t, e = None, None
            users.append(str(u))
            items.append(str(i))
            weights.append(1.0 if w is None else float(w))
            times.append(float(pos) if t is None else t)
            events.append(None if e is None or e == "" else str(e).strip().lower())
        stamps = pd.Series(times, dtype=object)
        numeric = pd.to_numeric(stamps, errors="coerce").to_numpy(dtype=np.float64, copy=True)
        bad = np.isnan(numeric)
        if bad.any():
            parsed = _parse_iso(stamps[bad])
            if np.isnan(parsed).any():
                raise ValueError("timestamps must be Unix seconds or ISO 8601")
            numeric[bad] = parsed
        return cls(
            _object_array(users), _object_array(items), np.asarray(weights, dtype=np.float64),
            numeric, _object_array(events),
        )


class IdIndex:
    """Bidirectional mapping between string ids and contiguous integer indices.

    Indices follow the order of first appearance in ``ids``; duplicates are ignored.

    The process that builds an index looks ids up in a pandas hash table (training maps
    millions of events). A pickled index (a saved model's item space) carries flat arrays
    instead (:class:`~recommender.compact.CompactIds`): a serving worker maps them and looks
    ids up by their sorted hashes, with no Python string or hash table of its own per id.
    Both give the same answers.

    Parameters
    ----------
    ids : iterable of str

    Examples
    --------
    >>> idx = IdIndex(["b", "a", "b"])
    >>> len(idx), idx.index_of("a"), idx.get_indexer(["a", "zzz"]).tolist()
    (2, 1, [1, -1])
    >>> import pickle
    >>> pickle.loads(pickle.dumps(idx)).get_indexer(["a", "zzz"]).tolist()
    [1, -1]
    """

    def __init__(self, ids: Iterable[str]):
        arr = ids if isinstance(ids, np.ndarray) else _object_array(list(ids))
        self._index: pd.Index | None = pd.Index(pd.unique(np.asarray(arr, dtype=object)), dtype=object)
        self._flat: CompactIds | None = None

    def __getstate__(self) -> dict:
        if self._flat is not None:
            return {"flat": self._flat}
        flat = CompactIds.from_ids(self._index.tolist())
        return {"_index": self._index} if flat is None else {"flat": flat}

    def __setstate__(self, state: dict) -> None:
        # {"_index": pandas Index}: artifacts of format 3 and before, or ids without a flat form.
        self._index = state.get("_index")
        self._flat = state.get("flat")

    @property
    def ids(self) -> np.ndarray:
        """Ids in index order (object array)."""
        if self._index is None:
            return self._flat.ids_.astype(object)
        return self._index.to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self._index) if self._index is not None else len(self._flat)

    def __contains__(self, item_id: object) -> bool:
        if self._index is None:
            return self._flat.row(item_id) >= 0
        return item_id in self._index

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, IdIndex) and len(self) == len(other)
                and bool(np.array_equal(self.ids, other.ids)))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IdIndex(n={len(self)})"

    def index_of(self, item_id: str) -> int:
        """Index of one id; raises ``KeyError`` when unknown."""
        if self._index is None:
            row = self._flat.row(item_id)
            if row < 0:
                raise KeyError(item_id)
            return row
        return int(self._index.get_loc(item_id))

    def get_indexer(self, ids: Iterable[str]) -> np.ndarray:
        """Indices of many ids as an int64 array, -1 where unknown."""
        arr = ids if isinstance(ids, np.ndarray) else _object_array(list(ids))
        if self._index is None:
            return self._flat.lookup(arr)
        # An object Index as target: given a bare array, pandas 3 infers a string dtype and
        # caches a converted copy of this index (~15 MiB per process at 100k ids).
        target = pd.Index(np.asarray(arr, dtype=object), dtype=object, copy=False)
        return self._index.get_indexer(target).astype(np.int64)


def _parse_iso(values) -> np.ndarray:
    """ISO 8601 strings to Unix seconds (NaN where unparseable); naive times are UTC."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True,
                            errors="coerce")
    ok = parsed.notna().to_numpy()
    out = np.full(len(ok), np.nan)
    if ok.any():
        out[ok] = (parsed[ok] - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return out


# --------------------------------------------------------------------------- matrix


def to_matrix(
    interactions: Interactions,
    users: IdIndex | None = None,
    items: IdIndex | None = None,
    event_weights: Mapping[str, float] | None = None,
    half_life_days: float | None = None,
    now: float | None = None,
) -> tuple[sp.csr_matrix, IdIndex, IdIndex]:
    """Sum interactions into a user x item CSR matrix (float32).

    Each row contributes ``weight * event_weights[event] *
    0.5 ** (age_days / half_life_days)`` (the last factor only when
    ``half_life_days`` is given); repeated (user, item) pairs are summed.

    Parameters
    ----------
    interactions : Interactions
    users, items : IdIndex, optional
        Fixed row / column indexes; rows with ids outside them are dropped.
        Built from the interactions (order of first appearance) when omitted.
    event_weights : mapping, optional
        Weight per event; defaults to :data:`DEFAULT_EVENT_WEIGHTS`. Events
        not in the mapping (and missing events) weigh 1.
    half_life_days : float, optional
        Exponential time decay; ages are counted from ``now``.
    now : float, optional
        Reference time in Unix seconds; defaults to the latest timestamp.
        Interactions after ``now`` are not decayed (age 0).

    Returns
    -------
    X : scipy.sparse.csr_matrix of float32, shape (len(users), len(items))
    users, items : IdIndex

    Examples
    --------
    >>> inter = Interactions.from_records([
    ...     {"user_id": "u", "item_id": "a", "event": "view"},
    ...     {"user_id": "u", "item_id": "a", "event": "purchase"}])
    >>> X, users, items = to_matrix(inter)
    >>> X.toarray().tolist()
    [[6.0]]
    """
    if users is None:
        users = IdIndex(interactions.user_ids)
    if items is None:
        items = IdIndex(interactions.item_ids)
    rows = users.get_indexer(interactions.user_ids)
    cols = items.get_indexer(interactions.item_ids)
    values = interactions.weights.astype(np.float64, copy=True)

    mapping = DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights
    if len(values) and mapping:
        factors = pd.Series(interactions.events, dtype=object).map(dict(mapping))
        values *= factors.astype(np.float64).fillna(1.0).to_numpy()
    if half_life_days is not None:
        if not half_life_days > 0:
            raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
        if len(values):
            ref = float(np.max(interactions.timestamps)) if now is None else float(now)
            age_days = np.maximum(ref - interactions.timestamps, 0.0) / _SECONDS_PER_DAY
            values *= np.exp2(-age_days / half_life_days)

    known = (rows >= 0) & (cols >= 0)
    X = sp.csr_matrix(
        (values[known].astype(np.float32), (rows[known], cols[known])),
        shape=(len(users), len(items)), dtype=np.float32,
    )
    X.sum_duplicates()
    X.sort_indices()
    return X, users, items


def __getattr__(name: str):
    """The CSV reader's names, re-exported lazily (``interactions_csv`` imports this module)."""
    if name in ("InteractionsFormatError", "read_interactions_csv"):
        from recommender import interactions_csv

        return getattr(interactions_csv, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
