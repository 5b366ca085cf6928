"""A model's large arrays as ``.npy`` files that every worker maps read-only.

Several gunicorn workers serving one model should hold it once: the page cache holds the
file, each worker maps it (``np.load(mmap_mode="r")``), and what a worker adds is only its
small pickled skeleton (parameters, dictionaries). The pickler below takes every large
NumPy array out of the pickle (dense arrays and the ``data``/``indices``/``indptr`` of SciPy
sparse matrices alike) and writes it, uncompressed, into a *version directory*; the unpickler
maps them back. A large object array of ``str`` (product ids) would unpickle as one Python
string per element in every worker (~6 MiB at 100k products): it is written as a
fixed-width ``str`` array (NumPy ``'U'``) instead and comes back as that, mapped — the same
strings (elements are ``np.str_``, a ``str``), read-only like every mapped array. Equal
string arrays (the same ids held by several components) are written and mapped once.

A version directory is written under a temporary name and renamed, so it is complete or
absent; a new version is a new directory, so a worker still serving the old one
keeps reading intact files (and on POSIX even a deleted file stays readable while mapped).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ArrayPickler", "ArrayUnpickler", "prune_versions", "versions_root", "write_arrays"]

#: Arrays smaller than this stay inside the pickle: mapping a page for 40 bytes is no saving.
MIN_MAPPED_BYTES = 64 * 1024
#: Leftover temporary directories older than this are a crashed save, not one in progress.
STALE_TEMP_SECONDS = 3600.0
_TEMP_PREFIX = ".tmp-"


def versions_root(path: Path) -> Path:
    """Where the version directories of the artifact at ``path`` live (``<name>.arrays/``)."""
    return path.parent / f"{path.name}.arrays"


class ArrayPickler(pickle.Pickler):
    """Pickles ``obj`` but sets its large plain arrays aside (``self.arrays``: name → array).

    The same array object met twice (a view shared by two attributes) is written once, and
    so are equal string arrays.
    """

    def __init__(self, file, min_bytes: int | None = None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.min_bytes = MIN_MAPPED_BYTES if min_bytes is None else min_bytes
        self.arrays: dict[str, np.ndarray] = {}
        self._names: dict[int, str] = {}
        self._strings: dict[tuple, str] = {}  # content of a string array -> its name
        self._seen: list[Any] = []  # keeps every array met alive, so its id stays unique

    def persistent_id(self, obj: Any) -> str | None:
        if type(obj) not in (np.ndarray, np.memmap):
            return None
        name = self._names.get(id(obj))
        if name is not None:
            return name
        if obj.dtype.hasobject:
            strings = fixed_width_strings(obj, self.min_bytes)
            if strings is None:
                return None
            key = (strings.dtype.str, strings.shape,
                   hashlib.blake2b(strings.tobytes(), digest_size=16).digest())
            name = self._strings.get(key) or self._add(strings)
            self._strings[key] = name
        elif obj.nbytes < self.min_bytes:
            return None
        else:
            name = self._add(obj)
        self._names[id(obj)] = name
        self._seen.append(obj)
        return name

    def _add(self, array: np.ndarray) -> str:
        name = f"a{len(self.arrays):04d}"
        self.arrays[name] = array
        return name


def fixed_width_strings(array: np.ndarray, min_bytes: int) -> np.ndarray | None:
    """``array`` (of dtype object) as a ``'U'`` array, if it holds only ``str`` and is large.

    None otherwise: other objects, a string ending in NUL (fixed width would strip it) or
    fewer than ``min_bytes`` as ``'U'``.
    """
    flat = array.ravel(order="K").tolist()
    if not flat or not all(type(s) is str and not s.endswith("\0") for s in flat):
        return None
    if len(flat) * 4 * max(map(len, flat)) < min_bytes:
        return None
    return np.array(array.tolist(), dtype=str).reshape(array.shape)


def describe(array: np.ndarray) -> dict:
    """What the header records of one array, to check the file before it is trusted."""
    return {"dtype": array.dtype.str, "shape": list(array.shape)}


def write_arrays(root: Path, version: str, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` as ``<root>/<version>/<name>.npy``: all of them or none.

    Files are fsynced, then the temporary directory is renamed to ``version``.
    """
    root.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{version}.", dir=root))
    try:
        for name, array in arrays.items():
            with open(temporary / f"{name}.npy", "wb") as fh:
                np.save(fh, np.asarray(array), allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
        target = root / version
        os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return target


class ArrayUnpickler(pickle.Unpickler):
    """Unpickles a skeleton written by :class:`ArrayPickler`, mapping its arrays read-only.

    ``expected`` is the header's description of each array; a file that does not match
    (missing, truncated, another shape or dtype) raises :class:`LookupError`.
    """

    def __init__(self, file, directory: Path, expected: dict[str, dict]):
        super().__init__(file)
        self.directory = directory
        self.expected = expected
        self._mapped: dict[str, np.ndarray] = {}

    def persistent_load(self, pid: Any) -> np.ndarray:
        name = str(pid)
        if name in self._mapped:
            return self._mapped[name]
        if name not in self.expected:
            raise LookupError(f"array {name!r} is not listed in the header")
        path = self.directory / f"{name}.npy"
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise LookupError(f"cannot map {path}: {exc}") from exc
        if describe(array) != self.expected[name]:
            raise LookupError(f"{path}: {describe(array)} where the header says {self.expected[name]}")
        # A plain ndarray view of the map (no copy): np.memmap's Python-level indexing costs
        # about a microsecond per slice, and serving slices CSR rows thousands of times.
        self._mapped[name] = array.view(np.ndarray)
        return self._mapped[name]


def mapped_file(array: Any) -> str | None:
    """The file ``array``'s memory is mapped from (through any views of it), or None."""
    while array is not None:
        if isinstance(array, np.memmap):
            return array.filename
        array = getattr(array, "base", None)
    return None


def load_skeleton(payload: bytes, directory: Path, expected: dict[str, dict]) -> Any:
    return ArrayUnpickler(io.BytesIO(payload), directory, expected).load()


def prune_versions(root: Path, keep: set[str], n_previous: int = 1) -> list[str]:
    """Delete old version directories, keeping ``keep`` and the ``n_previous`` newest others.

    The previous version survives one more save, for a worker that read the old artifact's
    header just before it was replaced and maps its arrays just after. Versions sort by
    name (a creation timestamp comes first). Returns the names deleted.
    """
    if not root.is_dir():
        return []
    now = time.time()
    finished, deleted = [], []
    for entry in root.iterdir():
        if entry.name.startswith(_TEMP_PREFIX):
            try:
                stale = now - entry.stat().st_mtime > STALE_TEMP_SECONDS
            except FileNotFoundError:
                continue
            if stale:
                shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_dir() and entry.name not in keep:
            finished.append(entry.name)
    for name in sorted(finished, reverse=True)[n_previous:]:
        shutil.rmtree(root / name, ignore_errors=True)
        deleted.append(name)
    return deleted
