"""Versioned, atomically written model artifacts whose large arrays every worker maps.

The shop trains in one process and serves from others that reload the newest model when it
appears. A reader must therefore never see a half-written file (temp file in the same
directory, fsync, ``os.replace``), and a broken or incompatible file must fail loudly with
:class:`ArtifactError` so the shop can fall back to popularity instead of serving garbage.

Layout of an artifact (format 4; format 3 is laid out alike)::

    8 bytes   magic  b"BCRECART"
    4 bytes   header length N (big-endian unsigned)
    N bytes   header: UTF-8 JSON (format version, model version, created_at, model class,
              metadata, environment, payload size and sha256, the mapped arrays)
    rest      payload: the pickled model without its large arrays

    <name>.arrays/<model version>/aNNNN.npy   the large arrays, uncompressed

The arrays (:mod:`recommender.persistence_arrays`) are written first, into a new version
directory (temporary name, then renamed), and the artifact file is replaced last: a reader
sees the old version or the complete new one. Loading maps them read-only
(``np.load(mmap_mode="r")``), so any number of processes serving one version share one copy
in the page cache. Saving keeps the previous version directory too (a worker may be a moment
behind) and deletes older ones. Format 4 also maps what format 3 left in the pickle as
Python objects: large arrays of id strings, and the item space's id index (fixed-width
UTF-8 bytes and a sort order instead of a pandas index). Format 3 files, and format 2 ones
(one pickle, no arrays), are still read.

The header can be read without unpickling (:func:`artifact_info`). The checksum covers the
pickle; the arrays are checked for shape and dtype. Neither detects tampering: only load
artifacts you wrote yourself, as with any pickle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import platform
import shutil
import struct
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from recommender.persistence_arrays import (
    ArrayPickler,
    describe,
    load_skeleton,
    prune_versions,
    versions_root,
    write_arrays,
)

__all__ = [
    "ARTIFACT_FORMAT_VERSION",
    "ArtifactError",
    "artifact_info",
    "load_artifact",
    "save_artifact",
]

MAGIC = b"BCRECART"
#: Bumped whenever a saved model of the previous version would not load or serve correctly
#: (2: the hybrid's ``_popularity_norm`` became ``popularity_norm_``; 3: large arrays in
#: mapped ``.npy`` files; 4: id strings and id indexes mapped too, which code reading format
#: 3 would unpickle into an unusable index). A file of a version not in
#: ``READABLE_FORMAT_VERSIONS`` is refused with :class:`ArtifactError`; the shop then serves
#: popularity until retrained.
ARTIFACT_FORMAT_VERSION = 4
READABLE_FORMAT_VERSIONS = (2, 3, 4)
_LEN = struct.Struct(">I")
_MAX_HEADER = 16 * 1024 * 1024


class ArtifactError(Exception):
    """A model artifact is missing, truncated, corrupt or incompatible."""


def _json_safe(value: Any) -> Any:
    """Plain JSON types only; anything else becomes its ``repr`` (parameters, paths...)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        try:
            return _json_safe(value.item())
        except (TypeError, ValueError):
            pass
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return repr(value)


def _environment() -> dict[str, str]:
    env = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "sklearn"):
        module = __import__(name)
        env[name] = getattr(module, "__version__", "?")
    return env


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pickle(model: Any) -> tuple[bytes, dict]:
    buffer = io.BytesIO()
    pickler = ArrayPickler(buffer)
    pickler.dump(model)
    return buffer.getvalue(), pickler.arrays


def _write_file(path: Path, directory: Path, header_bytes: bytes, payload: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC)
            fh.write(_LEN.pack(len(header_bytes)))
            fh.write(header_bytes)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def save_artifact(model: Any, path: str | os.PathLike, *, metadata: Mapping[str, Any]) -> dict:
    """Write ``model`` and its metadata atomically: its large arrays into a new version
    directory, then the artifact file.

    Parameters
    ----------
    model : object
        Any picklable model. Its ``get_params()`` (scikit-learn estimators) and ``stats_``
        (data statistics, if the model has them) are recorded in the header.
    path : path-like
        Target file; its directory must exist. Readers see either the old version or the
        complete new one, never a mix. Large arrays go to ``<path>.arrays/<model version>/``.
    metadata : mapping
        JSON-able extras for the header (data statistics, training window, who trained it).

    Returns
    -------
    dict
        The header written (also what :func:`artifact_info` returns).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "model.bin"
    >>> header = save_artifact({"weights": [1, 2]}, target, metadata={"n_items": 2})
    >>> model, meta = load_artifact(target)
    >>> model, meta["metadata"]["n_items"], meta["model_version"] == header["model_version"]
    ({'weights': [1, 2]}, 2, True)
    """
    path = Path(path)
    payload, arrays = _pickle(model)
    digest = hashlib.sha256(payload).hexdigest()
    now = dt.datetime.now(dt.UTC)
    version = f"{now:%Y%m%dT%H%M%S}{now.microsecond:06d}Z-{digest[:8]}"
    params = model.get_params() if hasattr(model, "get_params") else None
    directory = path.parent if str(path.parent) else Path(".")
    root = versions_root(path)
    header = {
        "format_version": ARTIFACT_FORMAT_VERSION,
        "model_version": version,
        "created_at": now.isoformat(timespec="seconds"),
        "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
        "parameters": _json_safe(params),
        "data_stats": _json_safe(getattr(model, "stats_", None)),
        "metadata": _json_safe(dict(metadata)),
        "environment": _environment(),
        "payload_size": len(payload),
        "payload_sha256": digest,
        "arrays_directory": f"{root.name}/{version}" if arrays else None,
        "arrays": {name: describe(array) for name, array in arrays.items()},
    }
    header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")

    written = write_arrays(root, version, arrays) if arrays else None
    try:
        if written is not None:
            _fsync_dir(written)  # the files' names, then the directory's own
            _fsync_dir(root)
        _write_file(path, directory, header_bytes, payload)
    except BaseException:
        if written is not None:
            shutil.rmtree(written, ignore_errors=True)
        raise
    _fsync_dir(directory)
    prune_versions(root, keep={version})
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()
    return header


def _read_header(fh, path: Path) -> dict:
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        if len(magic) < len(MAGIC):
            raise ArtifactError(f"{path}: truncated model artifact (file too short)")
        raise ArtifactError(f"{path}: not a model artifact (bad magic bytes)")
    raw_len = fh.read(_LEN.size)
    if len(raw_len) < _LEN.size:
        raise ArtifactError(f"{path}: truncated model artifact (no header length)")
    (length,) = _LEN.unpack(raw_len)
    if length > _MAX_HEADER:
        raise ArtifactError(f"{path}: corrupt model artifact (header length {length})")
    raw = fh.read(length)
    if len(raw) < length:
        raise ArtifactError(f"{path}: truncated model artifact (header cut short)")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: corrupt model artifact header: {exc}") from exc
    if not isinstance(header, dict):
        raise ArtifactError(f"{path}: corrupt model artifact header (not an object)")
    version = header.get("format_version")
    if version not in READABLE_FORMAT_VERSIONS:
        raise ArtifactError(
            f"{path}: incompatible artifact format version {version!r}; this code reads "
            f"versions {', '.join(map(str, READABLE_FORMAT_VERSIONS))}. Retrain the model."
        )
    for key in ("payload_size", "payload_sha256", "model_version"):
        if key not in header:
            raise ArtifactError(f"{path}: corrupt model artifact header (no {key!r})")
    return header


def _open(path: Path):
    try:
        return open(path, "rb")
    except FileNotFoundError as exc:
        raise ArtifactError(f"{path}: model artifact not found") from exc
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot open model artifact: {exc.strerror or exc}") from exc


def artifact_info(path: str | os.PathLike) -> dict:
    """The header of an artifact, without unpickling the model (cheap, safe).

    Raises
    ------
    ArtifactError
        If the file is missing, not an artifact, truncated in its header or of another
        format version.
    """
    path = Path(path)
    with _open(path) as fh:
        return _read_header(fh, path)


def load_artifact(
    path: str | os.PathLike, *, expected_class: type | None = None
) -> tuple[Any, dict]:
    """Read, verify and unpickle an artifact written by :func:`save_artifact`.

    Parameters
    ----------
    path : path-like
    expected_class : type, optional
        If given, the model must be an instance of it.

    Returns
    -------
    model : object
    header : dict
        Format and model versions, ``created_at``, ``parameters``, ``data_stats``,
        ``metadata``, ``environment``. Large arrays of a format 3 or 4 artifact are
        read-only memory maps (``np.memmap``) of its version directory; in format 4 a large
        object array of ``str`` comes back as a mapped ``'U'`` array of the same strings.

    Raises
    ------
    ArtifactError
        On a missing, truncated, corrupt (checksum mismatch) or incompatible file, or one
        whose model cannot be unpickled by this code.
    """
    path = Path(path)
    with _open(path) as fh:
        header = _read_header(fh, path)
        payload = fh.read(header["payload_size"] + 1)
    size = header["payload_size"]
    if len(payload) < size:
        raise ArtifactError(
            f"{path}: truncated model artifact ({len(payload)} of {size} payload bytes)"
        )
    if len(payload) > size:
        raise ArtifactError(f"{path}: corrupt model artifact (trailing bytes after payload)")
    if hashlib.sha256(payload).hexdigest() != header["payload_sha256"]:
        raise ArtifactError(f"{path}: corrupt model artifact (checksum mismatch)")
    try:
        model = _unpickle(payload, header, path)
    except ArtifactError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "incompatible"
        raise ArtifactError(
            f"{path}: cannot load model {header.get('model_class')!r} "
            f"(written with {header.get('environment')}): {type(exc).__name__}: {exc}"
        ) from exc
    if expected_class is not None and not isinstance(model, expected_class):
        raise ArtifactError(
            f"{path}: expected a {expected_class.__name__}, found {type(model).__name__}"
        )
    return model, header


def _unpickle(payload: bytes, header: dict, path: Path) -> Any:
    if header["format_version"] < 3 or not header.get("arrays"):
        return pickle.loads(payload)
    directory = path.parent / str(header.get("arrays_directory"))
    try:
        return load_skeleton(payload, directory, header["arrays"])
    except LookupError as exc:
        raise ArtifactError(f"{path}: missing or damaged array file ({exc})") from exc
