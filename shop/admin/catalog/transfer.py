"""Catalog files from and to the browser, through the command line's own importer.

``catalog.io`` validates every row and upserts all of it or nothing; here the file comes from
an upload instead of a path. A dry run does the whole import, then rolls it back, so it
reports every problem the real run would meet (unknown categories, SKUs of other products)
and what would change. Pictures named in an uploaded file are not read: their paths name
files on the server, which an upload has no business reaching; galleries stay as they are
(upload pictures on the product's page, or import the file with ``shop catalog import``).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path

from sqlalchemy.orm import Session

from catalog.io import CatalogFileError, ImportReport, RowError, export_catalog, import_catalog, parse_csv, parse_json

from ...models import User
from .. import audit

FORMATS = {".json": "application/json", ".csv": "text/csv"}


def read_upload(filename: str, data: bytes):
    """The validated contents of an uploaded ``.json`` or ``.csv`` catalog file."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise CatalogFileError([RowError(filename or "file", "file", "Use a .json or .csv catalog file.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogFileError([RowError(filename, "file", f"Not UTF-8 text (byte {exc.start}).")]) from exc
    return parse_json(text) if suffix == ".json" else parse_csv(text)


def import_upload(session: Session, actor: User | None, filename: str, data: bytes, *,
                  dry_run: bool) -> tuple[ImportReport, int]:
    """Import (or try) an uploaded catalog file: (the report, how many products named pictures
    that were not read). Raises CatalogFileError with every row's problems; writes nothing then."""
    catalog = read_upload(filename, data)
    with_images = sum(1 for product in catalog.products if product.get("images"))
    report = import_catalog(session, catalog, None, commit=False)
    if dry_run:
        session.rollback()
        return report, with_images
    audit.record(session, actor, "catalog.import", "catalog", filename[:120],
                 after={**asdict(report), "file": filename})
    session.commit()
    return report, with_images


def export_file(session: Session, kind: str) -> bytes:
    """The whole catalog as the importer reads it (``json`` with categories, or ``csv``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"catalog.{kind}"
        export_catalog(session, path)
        return path.read_bytes()
