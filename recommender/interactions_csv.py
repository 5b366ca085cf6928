"""The strict reader of interaction CSV files (plain or gzip).

An import either reads every row or names every bad line (line number, field, what is wrong),
so nothing is half-imported. The common case is parsed by pandas in one pass; only files whose
quoted fields span lines (or that pandas cannot parse) go through the exact, slower
:mod:`csv` reader, so line numbers in messages are always those of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from typing import IO

import numpy as np
import pandas as pd

from recommender.interactions import Interactions, _object_array, _parse_iso

__all__ = ["InteractionsFormatError", "read_interactions_csv"]

_REQUIRED = ("user_id", "item_id")
_OPTIONAL = ("timestamp", "event", "weight")
_MAX_LISTED_ERRORS = 50


class InteractionsFormatError(ValueError):
    """An interactions file has rows that cannot be parsed.

    Attributes
    ----------
    errors : list of tuple (line, field, message)
        Every problem found, ``line`` counted in the file with the header as line 1.
    """

    def __init__(self, errors: list[tuple[int, str, str]], source: str = "interactions file"):
        self.errors = sorted(errors)
        listed = "; ".join(
            f"line {line}: {field}: {msg}" for line, field, msg in self.errors[:_MAX_LISTED_ERRORS]
        )
        more = len(self.errors) - _MAX_LISTED_ERRORS
        suffix = f"; ... and {more} more (see .errors)" if more > 0 else ""
        n_lines = len({line for line, _, _ in self.errors})
        super().__init__(f"{source}: {n_lines} bad line(s): {listed}{suffix}")


def _read_text(source: str | os.PathLike | IO) -> tuple[str, str]:
    """The whole file as text (gzip recognised by its magic bytes) and a name for messages."""
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        with open(name, "rb") as fh:
            data = fh.read()
    else:
        name = str(getattr(source, "name", "interactions file"))
        data = source.read()
    if isinstance(data, bytes):
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        data = data.decode("utf-8-sig")
    return data.removeprefix("\ufeff"), name


def _read_with_csv_module(text: str) -> tuple[pd.DataFrame, np.ndarray, list]:
    """Slow but exact reader: file line numbers across multi-line fields, wrong field counts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[tuple[int, str, str]] = []
    header = next(reader)
    rows, lines = [], []
    start = reader.line_num + 1
    try:
        for row in reader:
            if row and len(row) != len(header):
                errors.append((start, "row", f"expected {len(header)} fields, saw {len(row)}"))
            elif row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        errors.append((start, "row", str(exc)))
    frame = pd.DataFrame(rows or None, columns=header, dtype=object)
    return frame, np.asarray(lines, dtype=np.int64), errors


def read_interactions_csv(path_or_file: str | os.PathLike | IO) -> Interactions:
    """Read an interactions CSV (plain or gzip) as described in DESIGN.md.

    Columns: ``user_id`` and ``item_id`` (required, non-empty strings,
    surrounding spaces removed), ``timestamp`` (Unix seconds or ISO 8601;
    naive times are UTC), ``event`` (lower-cased; empty means unknown) and
    ``weight`` (finite number >= 0; empty means 1). Other columns are
    ignored. Blank lines are skipped; a short row counts as having empty
    trailing fields. Without a ``timestamp`` column the timestamps are the
    row positions (0, 1, ...).

    Parameters
    ----------
    path_or_file : path or file object (text or binary)

    Returns
    -------
    Interactions

    Raises
    ------
    InteractionsFormatError
        Listing every bad line (header = line 1) and field; nothing is returned.

    Examples
    --------
    >>> import io
    >>> inter = read_interactions_csv(io.StringIO("user_id,item_id,event\\nu1,shoe,View\\n"))
    >>> inter.user_ids.tolist(), inter.events.tolist()
    (['u1'], ['view'])
    """
    text, name = _read_text(path_or_file)
    if not text.strip():
        raise InteractionsFormatError([(1, "header", "file is empty")], name)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=object, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, index_col=False,
        )
        # One row per physical line, or a quoted field spans lines: then count exactly.
        n_lines = text.count("\n") + (not text.endswith("\n"))
        exact = len(frame) == n_lines - 1
    except pd.errors.ParserError:
        exact = False
    if exact:
        lines, structural = np.arange(2, len(frame) + 2, dtype=np.int64), []
    else:
        frame, lines, structural = _read_with_csv_module(text)
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise InteractionsFormatError(
            [(1, "header", f"missing required column {c!r}") for c in missing], name)
    return _validate(frame, lines, structural, name)


def _factorized(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, raw uniques, stripped uniques)``: parse each distinct value once."""
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    stripped = _object_array([u.strip() for u in uniques])
    return codes, uniques, stripped


def _validate(frame: pd.DataFrame, lines: np.ndarray, errors: list, name: str) -> Interactions:
    n = len(frame)
    columns = {c: _factorized(frame[c].to_numpy(dtype=object))
               for c in _REQUIRED + _OPTIONAL if c in frame.columns}
    blank = np.ones(n, dtype=bool)
    for codes, _, stripped in columns.values():
        blank &= (stripped == "")[codes] if n else blank
    keep = ~blank
    errors = list(errors)

    def check(field: str, bad_unique: np.ndarray, message) -> None:
        codes, raw, _ = columns[field]
        for pos in np.flatnonzero(bad_unique[codes] & keep):
            errors.append((int(lines[pos]), field, message(raw[codes[pos]])))

    ids = {}
    for field in _REQUIRED:
        codes, _, stripped = columns[field]
        check(field, stripped == "", lambda v: "is empty")
        ids[field] = stripped[codes]

    if "timestamp" in columns:
        codes, _, stripped = columns["timestamp"]
        seconds = pd.to_numeric(pd.Series(stripped), errors="coerce").to_numpy(
            dtype=np.float64, copy=True)
        nan = np.isnan(seconds)
        if nan.any():
            seconds[nan] = _parse_iso(stripped[nan])
        check("timestamp", ~np.isfinite(seconds),
              lambda v: f"{v!r} is neither Unix seconds nor ISO 8601")
        times = seconds[codes]
    else:
        times = np.arange(n, dtype=np.float64)

    if "weight" in columns:
        codes, _, stripped = columns["weight"]
        values = pd.to_numeric(pd.Series(stripped), errors="coerce").to_numpy(
            dtype=np.float64, copy=True)
        values[stripped == ""] = 1.0
        check("weight", ~np.isfinite(values) | (values < 0),
              lambda v: f"{v!r} is not a finite number >= 0")
        weights = values[codes]
    else:
        weights = np.ones(n, dtype=np.float64)

    if "event" in columns:
        codes, _, stripped = columns["event"]
        lowered = _object_array([s.lower() if s else None for s in stripped])
        events = lowered[codes]
    else:
        events = np.full(n, None, dtype=object)

    if errors:
        raise InteractionsFormatError(errors, name)
    if not keep.all():
        if "timestamp" not in columns:
            times = np.arange(n, dtype=np.float64)[: int(keep.sum())]
        else:
            times = times[keep]
        return Interactions(ids["user_id"][keep], ids["item_id"][keep], weights[keep], times,
                            events[keep])
    return Interactions(ids["user_id"], ids["item_id"], weights, times, events)
