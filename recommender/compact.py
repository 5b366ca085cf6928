"""Read-only mappings held in a few flat arrays instead of millions of Python objects.

A TF-IDF vocabulary of a 100k-product catalog has ~700k terms: as a ``dict`` that is ~75 MiB
of strings and hash slots that every worker process builds for itself on load. Held as flat
NumPy arrays (UTF-8 bytes, offsets, sorted 64-bit hashes) it is a tenth of that and, saved
as a format 3 artifact, mapped read-only and shared by all workers. The same goes for the
100k product ids of the item space (:class:`CompactIds`): a pandas index of Python strings
plus the hash table it builds on first use is ~10 MiB per worker; a fixed-width ``str``
array and sorted hashes are mapped, and a lookup is a vectorised hash and a binary search.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping

import numpy as np

__all__ = ["CompactDict", "CompactStrings", "CompactIds", "CompactVocabulary"]


def _hash64(data: bytes) -> int:
    """A hash that is the same in every process (``hash()`` of a str is salted per process)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


class CompactStrings:
    """An immutable list of strings as UTF-8 bytes and offsets (``strings[i]``, ``len``)."""

    def __init__(self, strings: list[str]):
        encoded = [t.encode("utf-8") for t in strings]
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        self.offsets_ = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        self.blob_ = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()

    def encoded(self, i: int) -> bytes:
        return self.blob_[self.offsets_[i]:self.offsets_[i + 1]].tobytes()

    def __getitem__(self, i: int) -> str:
        return self.encoded(i).decode("utf-8")

    def __len__(self) -> int:
        return len(self.offsets_) - 1

    def __iter__(self) -> Iterator[str]:
        blob = self.blob_.tobytes()
        for start, stop in zip(self.offsets_[:-1].tolist(), self.offsets_[1:].tolist(), strict=True):
            yield blob[start:stop].decode("utf-8")


class CompactVocabulary(Mapping):
    """``term -> column`` for columns ``0..n-1``, as scikit-learn's ``vocabulary_`` is used.

    Examples
    --------
    >>> vocab = CompactVocabulary({"arch": 1, "heel": 0})
    >>> vocab["arch"], "toe" in vocab, len(vocab), list(vocab)
    (1, False, 2, ['heel', 'arch'])
    """

    def __init__(self, vocabulary: Mapping[str, int]):
        terms = [""] * len(vocabulary)
        for term, column in vocabulary.items():
            terms[column] = term
        self.terms_ = CompactStrings(terms)
        hashes = np.fromiter((_hash64(t.encode("utf-8")) for t in terms), dtype=np.int64,
                             count=len(terms))
        order = np.argsort(hashes, kind="stable")
        self.hashes_ = hashes[order]
        self.columns_ = order.astype(np.int32 if len(order) < 2**31 else np.int64)

    def __getitem__(self, term: str) -> int:
        if not isinstance(term, str):
            raise KeyError(term)
        encoded = term.encode("utf-8")
        key = _hash64(encoded)
        i = int(np.searchsorted(self.hashes_, key))
        while i < len(self.hashes_) and self.hashes_[i] == key:
            column = int(self.columns_[i])
            if self.terms_.encoded(column) == encoded:
                return column
            i += 1
        raise KeyError(term)

    def __len__(self) -> int:
        return len(self.terms_)

    def __iter__(self) -> Iterator[str]:
        return iter(self.terms_)


class CompactDict(Mapping):
    """An immutable ``str -> str`` mapping (product titles by id) in flat arrays.

    Examples
    --------
    >>> titles = CompactDict({"p1": "Trail Walker 2", "p2": "Lumbar Belt"})
    >>> titles["p2"], titles.get("p3", "p3"), dict(titles) == {"p1": "Trail Walker 2", "p2": "Lumbar Belt"}
    ('Lumbar Belt', 'p3', True)
    """

    def __init__(self, mapping: Mapping[str, str]):
        self.keys_ = CompactVocabulary({key: i for i, key in enumerate(mapping)})
        self.values_ = CompactStrings([str(v) for v in mapping.values()])

    def __getitem__(self, key: str) -> str:
        return self.values_[self.keys_[key]]

    def __len__(self) -> int:
        return len(self.values_)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_)


#: Queries looked up at a time by :meth:`CompactIds.lookup`.
LOOKUP_SLICE = 4096
_FNV_OFFSET, _FNV_PRIME, _MASK64 = 0xCBF29CE484222325, 0x100000001B3, 2**64 - 1


def _fnv1a(codes: np.ndarray) -> np.ndarray:
    """64-bit FNV-1a of each row of code points, vectorised over the rows (wraps mod 2**64)."""
    hashes = np.full(len(codes), _FNV_OFFSET, dtype=np.uint64)
    for column in codes.T:
        hashes ^= column
        hashes *= np.uint64(_FNV_PRIME)
    return hashes


def _fnv1a_one(value: str, width: int) -> int:
    """:func:`_fnv1a` of one id padded (or cut) to ``width`` code points, in plain Python."""
    hashed = _FNV_OFFSET
    for char in value[:width].ljust(width, "\0"):
        hashed = ((hashed ^ ord(char)) * _FNV_PRIME) & _MASK64
    return hashed


def _joined(values: list) -> str | None:
    """All of ``values`` joined, or None unless they are all ``str`` without a NUL (NumPy's
    fixed-width strings strip trailing NULs, and the hash pads with them)."""
    try:
        joined = "".join(values)
    except TypeError:
        return None
    return None if "\0" in joined else joined


class CompactIds:
    """Distinct string ids (row ``i`` is ``ids_[i]``) found through a sorted hash array.

    ``ids_`` holds the ids as a fixed-width ``str`` array in row order, ``hashes_`` their
    64-bit hashes sorted and ``rows_`` the row of each: plain arrays, so a saved model's are
    mapped, never rebuilt into a per-process hash table. A lookup hashes the queries
    (vectorised), binary-searches the hashes and checks the id itself. :meth:`from_ids`
    returns None for ids this layout cannot hold (not all ``str``, one holding a NUL, or —
    never seen — two ids with one hash).

    Examples
    --------
    >>> ids = CompactIds.from_ids(["b", "a", "c"])
    >>> ids.lookup(["c", "nope", "b", 7]).tolist(), ids.row("a"), ids.row("zz")
    ([2, -1, 0, -1], 1, -1)
    """

    def __init__(self, ids: np.ndarray, hashes: np.ndarray, rows: np.ndarray):
        self.ids_ = ids
        self.hashes_ = hashes
        self.rows_ = rows

    @classmethod
    def from_ids(cls, ids) -> CompactIds | None:
        ids = list(ids)
        if not ids or _joined(ids) is None:
            return None
        array = np.array(ids, dtype=str)
        hashes = _fnv1a(array.view(np.uint32).reshape(len(array), -1))
        order = np.argsort(hashes, kind="stable")
        hashes = hashes[order]
        if (hashes[1:] == hashes[:-1]).any():
            return None
        return cls(array, hashes, order.astype(np.intp))

    def __len__(self) -> int:
        return len(self.ids_)

    def row(self, value) -> int:
        """Row of one id, -1 if unknown (the per-request path: no array is built)."""
        if not isinstance(value, str):
            return -1
        i = int(self.hashes_.searchsorted(np.uint64(_fnv1a_one(value, self.ids_.itemsize >> 2))))
        if i < len(self.hashes_):
            row = int(self.rows_[i])
            if self.ids_[row] == value:
                return row
        return -1

    def lookup(self, values) -> np.ndarray:
        """Rows of ``values`` (a list or object array) as int64, -1 where unknown or not a
        ``str``."""
        values = np.asarray(values, dtype=object).ravel()
        # In slices: the temporaries stay small, so a worker's heap does not grow for them.
        return np.concatenate([np.empty(0, dtype=np.int64)] + [
            self._lookup(values[start:start + LOOKUP_SLICE])
            for start in range(0, len(values), LOOKUP_SLICE)])

    def _lookup(self, values: np.ndarray) -> np.ndarray:
        items = values.tolist()
        joined = _joined(items)
        if joined is None:
            return np.array([self.row(v) for v in items], dtype=np.int64)
        exact = values.astype(self.ids_.dtype)
        if int(np.strings.str_len(exact).sum()) != len(joined):  # some cut to the ids' width
            cut, exact = exact, values.astype(f"<U{max(map(len, items))}")
        else:
            cut = exact
        # A cut query hashes like a cut id at most, which the comparison with the exact
        # query below rejects.
        hashes = _fnv1a(cut.view(np.uint32).reshape(len(items), -1))
        by_hash = np.argsort(hashes)  # sorted keys: the binary searches walk forward
        found = np.empty(len(items), dtype=np.intp)
        found[by_hash] = np.searchsorted(self.hashes_, hashes[by_hash])
        inside = np.flatnonzero(found < len(self.hashes_))
        rows = self.rows_[found[inside]]
        same = self.ids_[rows] == exact[inside]
        out = np.full(len(items), -1, dtype=np.int64)
        out[inside[same]] = rows[same]
        return out
