"""Read-only mappings held in a few flat arrays instead of millions of Python objects.

A TF-IDF vocabulary of a 100k-product catalog has ~700k terms: as a ``dict`` that is ~75 MiB
of strings and hash slots that every worker process builds for itself on load. Held as flat
NumPy arrays (UTF-8 bytes, offsets, sorted 64-bit hashes) it is a tenth of that and, saved
as a format 3 artifact, mapped read-only and shared by all workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping

import numpy as np

__all__ = ["CompactDict", "CompactStrings", "CompactVocabulary"]


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
