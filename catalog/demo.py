"""The fictional demo catalog and articles shipped in ``catalog/demo/``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from .articles import import_articles, read_articles
from .io import ImportReport, import_catalog, read_catalog

DEMO_DIR = Path(__file__).parent / "demo"


def seed_demo(session: Session, media_dir: str | Path | None = None) -> tuple[ImportReport, int]:
    """Load (or refresh) the demo catalog and articles; idempotent. The drawn product images
    (``demo/images/``) go through the image pipeline into ``media_dir`` when one is given."""
    report = import_catalog(session, read_catalog(DEMO_DIR / "catalog.json"), media_dir)
    articles = import_articles(session, read_articles(DEMO_DIR / "articles"))
    return report, articles
