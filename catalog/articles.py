"""Articles from Markdown files with a YAML front matter block, upserted by slug."""

from __future__ import annotations

from pathlib import Path

import yaml
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .io import CatalogFileError, RowError, _flatten
from .models import Article, ArticleTopic
from .schemas import ArticleInSchema


def parse_article(path: Path) -> dict:
    """One ``<slug>.md`` file as a validated article dict."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise CatalogFileError([RowError(path.name, "front matter", "Start with a --- block.")])
    head, body = text[4:].split("\n---\n", 1)
    try:
        meta = yaml.safe_load(head) or {}
    except yaml.YAMLError as exc:
        raise CatalogFileError([RowError(path.name, "front matter", str(exc))]) from exc
    if not isinstance(meta, dict):
        raise CatalogFileError([RowError(path.name, "front matter", "Expected key: value lines.")])
    body = body.strip()
    first, _, rest = body.partition("\n")
    if first.startswith("# ") and first[2:].strip() == str(meta.get("title", "")).strip():
        body = rest.strip()  # the page shows the title already
    try:
        return ArticleInSchema().load({"slug": path.stem, **meta, "body": body})
    except ValidationError as exc:
        raise CatalogFileError(
            [RowError(path.name, name, msg) for name, msg in _flatten(exc.messages)]
        ) from exc


def read_articles(directory: str | Path) -> list[dict]:
    return [parse_article(path) for path in sorted(Path(directory).glob("*.md"))]


def import_articles(session: Session, articles: list[dict]) -> int:
    """Upsert articles by slug in one transaction; return how many were written."""
    try:
        existing = {a.slug: a for a in session.scalars(select(Article))}
        for row in articles:
            article = existing.get(row["slug"]) or Article(slug=row["slug"])
            session.add(article)
            article.title, article.author = row["title"], row["author"]
            article.summary, article.body = row["summary"], row["body"]
            article.published = row["published"]
            current = {t.topic: t for t in article.topic_rows}  # reuse rows: no delete+insert clash
            article.topic_rows = []
            for position, topic in enumerate(dict.fromkeys(row["topics"])):
                topic_row = current.get(topic) or ArticleTopic(topic=topic)
                topic_row.position = position
                article.topic_rows.append(topic_row)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(articles)
