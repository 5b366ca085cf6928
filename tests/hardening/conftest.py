"""Fixtures of the hardening tests: a small slice of the demo catalog, quick to load per test."""

from __future__ import annotations

import json

import pytest

from catalog.articles import import_articles, read_articles
from catalog.demo import DEMO_DIR
from catalog.io import import_catalog, parse_json

PRODUCTS = 12  # enough for listings, related products and recommendations to have something to show
ARTICLES = 3


@pytest.fixture
def small_demo(app):
    """Every demo category, the first products of the demo catalog and a few demo articles."""
    from shop.extensions import db

    data = json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8"))
    wanted = {"velmora-halo-walk"}
    data["products"] = [p for p in data["products"] if p["slug"] in wanted] + [
        p for p in data["products"] if p["slug"] not in wanted][: PRODUCTS - 1]
    with app.app_context():
        import_catalog(db.session, parse_json(json.dumps(data)))
        import_articles(db.session, read_articles(DEMO_DIR / "articles")[:ARTICLES])
    return app
