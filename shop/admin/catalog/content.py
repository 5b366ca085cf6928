"""Categories and articles for staff; each change audited in its own transaction.

A category is deleted only when empty (no products, no sub-categories), and is never moved
under itself. Articles are Markdown, as the demo's article files have always been: the page
renders and sanitises them (``shop.rendering.render_markdown``), the back office stores them
as written.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from catalog.models import Article, ArticleTopic, Category, Product, ProductCategory

from ...models import User
from .. import audit
from .products import CatalogError, slugify

# ---------------------------------------------------------------- categories


def category_state(category: Category) -> dict:
    return {"slug": category.slug, "name": category.name, "description": category.description,
            "parent": category.parent.slug if category.parent else None}


def list_categories(session: Session) -> list[Category]:
    """Every category in tree order, each with ``depth`` and ``product_count`` set."""
    counts = dict(session.execute(select(Product.category_id, func.count()).group_by(Product.category_id)).all())
    extra = dict(session.execute(
        select(ProductCategory.category_id, func.count()).group_by(ProductCategory.category_id)).all())
    everything = list(session.scalars(select(Category)))
    children: dict[int | None, list[Category]] = {}
    for category in everything:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []

    def walk(parent_id, depth):
        for category in sorted(children.get(parent_id, []), key=lambda c: (c.position, c.name)):
            category.depth = depth
            category.product_count = counts.get(category.id, 0) + extra.get(category.id, 0)
            ordered.append(category)
            walk(category.id, depth + 1)

    walk(None, 0)
    return ordered


def _parent(session: Session, slug: str | None, moving: Category | None) -> Category | None:
    if not slug:
        return None
    parent = session.scalar(select(Category).where(Category.slug == slug))
    if parent is None:
        raise CatalogError({"parent": f"There is no category {slug!r}."})
    node = parent
    while node is not None:
        if moving is not None and node is moving:
            raise CatalogError({"parent": "A category cannot go under itself or one of its own sub-categories."})
        node = node.parent
    return parent


def create_category(session: Session, actor: User | None, data: dict) -> Category:
    slug = data.get("slug") or slugify(data["name"], 80) or "category"
    if session.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise CatalogError({"slug": f"The address {slug!r} is taken: give another slug."})
    parent = _parent(session, data.get("parent"), None)
    position = 1 + (session.scalar(select(func.max(Category.position)).where(
        Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id)) or 0)
    category = Category(slug=slug, name=data["name"].strip(), description=data.get("description", ""),
                        parent=parent, position=position)
    session.add(category)
    session.flush()
    audit.record(session, actor, "category.create", "category", category.id, after=category_state(category))
    session.commit()
    return category


def update_category(session: Session, actor: User | None, category: Category, data: dict) -> Category:
    """Rename, describe or move (a new parent) a category; its slug stays. Commits."""
    before = category_state(category)
    category.parent = _parent(session, data.get("parent"), category)
    category.name, category.description = data["name"].strip(), data.get("description", "")
    old, new = audit.changes(before, category_state(category))
    if new:
        audit.record(session, actor, "category.update", "category", category.id, before=old, after=new)
    session.commit()
    return category


def delete_category(session: Session, actor: User | None, category: Category) -> None:
    used = session.scalar(select(func.count()).select_from(Product).where(Product.category_id == category.id))
    used += session.scalar(select(func.count()).select_from(ProductCategory)
                           .where(ProductCategory.category_id == category.id))
    if used or category.children:
        what = f"{used} product(s)" if used else f"{len(category.children)} sub-categories"
        raise CatalogError({"category": f"{category.name} still has {what}: move them first."}, status=409)
    audit.record(session, actor, "category.delete", "category", category.id, before=category_state(category))
    session.delete(category)
    session.commit()


# ---------------------------------------------------------------- articles


def article_state(article: Article) -> dict:
    return {"slug": article.slug, "title": article.title, "author": article.author, "summary": article.summary,
            "body": article.body, "published": article.published, "draft": article.draft, "topics": article.topics}


def list_articles(session: Session, q: str | None = None) -> list[Article]:
    """Every article, drafts too, newest first."""
    stmt = select(Article).order_by(Article.published.desc(), Article.id.desc())
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Article.title).like(like), func.lower(Article.slug).like(like)))
    return list(session.scalars(stmt))


def _apply_article(article: Article, data: dict) -> None:
    article.title, article.author = data["title"].strip(), data["author"].strip()
    article.summary, article.body = data.get("summary", ""), data["body"]
    article.published, article.draft = data["published"], data.get("draft", False)
    current = {row.topic: row for row in article.topic_rows}
    article.topic_rows = []
    for position, topic in enumerate(dict.fromkeys(data.get("topics") or [])):
        row = current.get(topic) or ArticleTopic(topic=topic)
        row.position = position
        article.topic_rows.append(row)


def create_article(session: Session, actor: User | None, data: dict) -> Article:
    slug = data.get("slug") or slugify(data["title"], 120) or "article"
    if session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
        raise CatalogError({"slug": f"The address {slug!r} is taken: give another slug."})
    article = Article(slug=slug)
    _apply_article(article, data)
    session.add(article)
    session.flush()
    audit.record(session, actor, "article.create", "article", article.id, after=article_state(article))
    session.commit()
    return article


def update_article(session: Session, actor: User | None, article: Article, data: dict) -> Article:
    before = article_state(article)
    _apply_article(article, data)
    old, new = audit.changes(before, article_state(article))
    if new:
        audit.record(session, actor, "article.update", "article", article.id, before=old, after=new)
    session.commit()
    return article


def delete_article(session: Session, actor: User | None, article: Article) -> None:
    audit.record(session, actor, "article.delete", "article", article.id, before=article_state(article))
    session.delete(article)
    session.commit()
