"""Catalog queries: product filtering with facet counts, text search, sorting, pagination.

Text search is full-text (``catalog.search``): every word must match, stemmed; ``relevance``
orders by its rank, then by how well a product fits the visitor (``ProductQuery.prefer``).
A query that finds nothing is retried once with its misspellings corrected.

Facets are disjunctive: the counts of one dimension ignore that dimension's own filter, so a
shopper sees how many products each other choice would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import Select, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, selectinload, with_expression

from . import search
from .models import Article, ArticleTopic, Category, Product, ProductCategory, ProductLabel, Variant
from .vocabulary import FILTERS, Attribute


@dataclass(frozen=True)
class Preference:
    """What the visitor told us, as plain data: the tie-breaker among equally relevant results."""

    size_eu: Decimal | None = None
    width: str | None = None
    terrain: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.size_eu is not None or bool(self.terrain)


@dataclass
class ProductQuery:
    """What a shopper asked the catalog for; already validated by a schema."""

    q: str | None = None
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    arch_support: list[str] = field(default_factory=list)
    cushioning: list[str] = field(default_factory=list)
    stability: list[str] = field(default_factory=list)
    waterproof: bool = False
    condition: list[str] = field(default_factory=list)
    size: Decimal | None = None
    width: list[str] = field(default_factory=list)
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 12
    prefer: Preference | None = None


@dataclass
class ProductPage:
    items: list[Product]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    #: The text actually searched: ``corrected_from`` is set when the shopper's words found
    #: nothing and their correction did ("Showing results for ...").
    searched: str | None = None
    corrected_from: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class UnknownCategory(LookupError):
    pass


def category_tree(session: Session) -> list[Category]:
    """Root categories with their children loaded, in display order."""
    categories = session.scalars(select(Category).order_by(Category.position, Category.slug)).all()
    return [c for c in categories if c.parent_id is None]


def descendant_ids(session: Session, slug: str) -> list[int]:
    """Ids of the category named by ``slug`` and every category below it."""
    rows = session.execute(select(Category.id, Category.slug, Category.parent_id)).all()
    by_slug = {row.slug: row.id for row in rows}
    if slug not in by_slug:
        raise UnknownCategory(slug)
    children: dict[int | None, list[int]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row.id)
    found, stack = [], [by_slug[slug]]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, []))
    return found


def _variant_clauses(query: ProductQuery, skip: str | None, variant=Variant) -> list:
    clauses = []
    if query.size is not None and skip != "size":
        clauses.append(variant.size_eu == query.size)
    if query.width and skip != "width":
        clauses.append(variant.width.in_(query.width))
    if query.in_stock and skip != "in_stock":
        clauses.append(variant.stock > 0)
    return clauses


def _search_clause(session: Session, text: str):
    terms = search.words(text)
    if not terms:
        return false()
    found = search.matches(session, "product", [[w] for w in terms], name="search_filter")
    return Product.id.in_(select(found.c.ref_id))


def _attribute_clause(spec: Attribute, wanted):
    """A registry attribute's filter: a flag is set, a column or a label is one of ``wanted``."""
    if spec.stored == "label":
        # Subqueries use aliases so they never correlate with a facet query's own joins.
        label = aliased(ProductLabel)
        return exists().where(label.product_id == Product.id, label.kind == spec.label_kind, label.value.in_(wanted))
    column = getattr(Product, spec.name)
    return column.is_(True) if spec.type == "flag" else column.in_(wanted)


def _product_clauses(session: Session, query: ProductQuery, skip: str | None = None) -> list:
    """Every filter but ``skip`` as SQL clauses on Product (variant filters as one EXISTS)."""
    clauses = [Product.active.is_(True), Product.listed.is_(True)]
    if query.q:
        clauses.append(_search_clause(session, query.q))
    if query.category and skip != "category":
        ids = descendant_ids(session, query.category)
        also_in = exists().where(ProductCategory.product_id == Product.id, ProductCategory.category_id.in_(ids))
        clauses.append(or_(Product.category_id.in_(ids), also_in))
    if query.min_price is not None:
        clauses.append(Product.price >= query.min_price)
    if query.max_price is not None:
        clauses.append(Product.price <= query.max_price)
    for spec in FILTERS:
        wanted = getattr(query, spec.filter)
        if wanted and skip != spec.filter:
            clauses.append(_attribute_clause(spec, wanted))
    variant = aliased(Variant)
    variant_clauses = _variant_clauses(query, skip, variant)
    if variant_clauses:
        clauses.append(exists().where(variant.product_id == Product.id, *variant_clauses))
    return clauses


def listing_clauses(session: Session) -> list:
    """What makes a product appear in listings at all (active, ...), for other views of the
    catalog such as search suggestions."""
    return _product_clauses(session, ProductQuery())


def _order_by(session: Session, query: ProductQuery, stmt: Select) -> Select:
    rating = func.coalesce(Product.rating, 0)
    if query.sort == "price_asc":
        return stmt.order_by(Product.price.asc(), Product.id)
    if query.sort == "price_desc":
        return stmt.order_by(Product.price.desc(), Product.id)
    if query.sort == "rating":
        return stmt.order_by(rating.desc(), Product.rating_count.desc(), Product.id)
    if query.sort == "newest":
        return stmt.order_by(Product.created_at.desc(), Product.id)
    if query.sort == "name":
        return stmt.order_by(Product.name, Product.id)
    if query.q and search.words(query.q):  # relevance: the full-text rank, then the visitor
        groups = [[w] for w in search.words(query.q)]
        found = search.matches(session, "product", groups, name="search_rank")
        stmt = stmt.join(found, found.c.ref_id == Product.id)
        return stmt.order_by(
            found.c.score.desc(), _fit(query.prefer).desc(), found.c.rank.desc(), rating.desc(), Product.id
        )
    return stmt.order_by(rating.desc(), Product.rating_count.desc(), Product.id)


def _fit(prefer: Preference | None):
    """How many of the visitor's wishes a product meets: their size (and width) in stock, a
    terrain they walk on."""
    if not prefer:
        return literal(0)
    points = []
    if prefer.size_eu is not None:
        variant = aliased(Variant)
        wanted = [variant.product_id == Product.id, variant.size_eu == prefer.size_eu, variant.stock > 0]
        if prefer.width:
            wanted.append(variant.width == prefer.width)
        points.append(case((exists().where(*wanted), 1), else_=0))
    if prefer.terrain:
        label = aliased(ProductLabel)
        points.append(
            case(
                (
                    exists().where(
                        label.product_id == Product.id, label.kind == "terrain", label.value.in_(prefer.terrain)
                    ),
                    1,
                ),
                else_=0,
            )
        )
    total = points[0]
    for point in points[1:]:
        total = total + point
    return total


def _count_by(session: Session, column, clauses, *joins) -> dict[str, int]:
    stmt = select(column, func.count(func.distinct(Product.id))).select_from(Product)
    for target, onclause in joins:
        stmt = stmt.join(target, onclause)
    stmt = stmt.where(*clauses, column.is_not(None)).group_by(column)
    return {_facet_key(value): count for value, count in session.execute(stmt)}


def _facet_key(value) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def facet_counts(session: Session, query: ProductQuery) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {}
    for spec in FILTERS:
        clauses = _product_clauses(session, query, spec.filter)
        if spec.stored == "label":
            facets[spec.filter] = _count_by(
                session,
                ProductLabel.value,
                [*clauses, ProductLabel.kind == spec.label_kind],
                (ProductLabel, ProductLabel.product_id == Product.id),
            )
        elif spec.type == "flag":
            count = session.scalar(
                select(func.count(Product.id)).where(*clauses, getattr(Product, spec.name).is_(True))
            )
            facets[spec.filter] = {"true": count or 0}
        else:
            facets[spec.filter] = _count_by(session, getattr(Product, spec.name), clauses)
    variant_join = (Variant, Variant.product_id == Product.id)
    for name, column in (("size", Variant.size_eu), ("width", Variant.width)):
        clauses = _product_clauses(session, query, skip=name) + _variant_clauses(query, skip=name)
        facets[name] = _count_by(session, column, clauses, variant_join)
    stock_clauses = _product_clauses(session, query, "in_stock")
    stock_clauses += [*_variant_clauses(query, "in_stock"), Variant.stock > 0]
    in_stock = session.scalar(
        select(func.count(func.distinct(Product.id))).select_from(Product).join(*variant_join).where(*stock_clauses)
    )
    facets["in_stock"] = {"true": in_stock or 0}
    facets["category"] = _category_counts(session, query)
    facets["size"] = dict(sorted(facets["size"].items(), key=lambda kv: float(kv[0])))
    return facets


def _category_counts(session: Session, query: ProductQuery) -> dict[str, int]:
    """Products per category, each counted in its own category and every ancestor."""
    clauses = _product_clauses(session, query, "category")
    leaf_counts = session.execute(
        select(Product.category_id, func.count(Product.id)).where(*clauses).group_by(Product.category_id)
    ).all()
    rows = {row.id: row for row in session.execute(select(Category.id, Category.slug, Category.parent_id))}
    counts: dict[str, int] = {}
    for category_id, count in leaf_counts:
        node = rows.get(category_id)
        while node is not None:
            counts[node.slug] = counts.get(node.slug, 0) + count
            node = rows.get(node.parent_id)
    return counts


def search_products(session: Session, query: ProductQuery, with_facets: bool = True) -> ProductPage:
    """A page of products; a text search that finds nothing is retried with its typos fixed."""
    page = _product_page(session, query, with_facets)
    if query.q and page.total == 0:
        fixed = search.correct(session, query.q)
        if fixed:
            retry = _product_page(session, replace(query, q=fixed), with_facets)
            if retry.total:
                retry.corrected_from = query.q
                return retry
    return page


def _product_page(session: Session, query: ProductQuery, with_facets: bool) -> ProductPage:
    clauses = _product_clauses(session, query)
    total = session.scalar(select(func.count()).select_from(Product).where(*clauses)) or 0
    stmt = _order_by(session, query, select(Product).where(*clauses))
    stmt = stmt.options(selectinload(Product.variants), selectinload(Product.labels))
    stmt = stmt.offset((query.page - 1) * query.per_page).limit(query.per_page)
    items = list(session.scalars(stmt))
    facets = facet_counts(session, query) if with_facets else {}
    return ProductPage(items, total, query.page, query.per_page, facets, searched=query.q)


def get_product(session: Session, slug: str, *, active_only: bool = True) -> Product | None:
    stmt = select(Product).where(Product.slug == slug)
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    stmt = stmt.options(selectinload(Product.variants), selectinload(Product.labels))
    return session.scalar(stmt)


def products_by_slugs(session: Session, slugs: list[str]) -> list[Product]:
    """Active products in the order of ``slugs`` (unknown or inactive ones left out)."""
    if not slugs:
        return []
    found = {
        p.slug: p
        for p in session.scalars(
            select(Product)
            .where(Product.slug.in_(slugs), Product.active.is_(True))
            .options(selectinload(Product.variants), selectinload(Product.labels))
        )
    }
    return [found[s] for s in slugs if s in found]


def product_cards(session: Session, slugs: list[str]) -> list[Product]:
    """Active products in the order of ``slugs`` with what a product card shows: the row, its
    category, labels and ``in_stock`` (one EXISTS per product, the variants are not loaded)."""
    if not slugs:
        return []
    in_stock = exists().where(Variant.product_id == Product.id, Variant.stock > 0)
    found = {
        p.slug: p
        for p in session.scalars(
            select(Product)
            .where(Product.slug.in_(slugs), Product.active.is_(True))
            .options(selectinload(Product.labels), with_expression(Product.any_in_stock, in_stock))
        )
    }
    return [found[s] for s in slugs if s in found]


def list_articles(session: Session, topic: str | None = None) -> list[Article]:
    """Published articles (drafts are the back office's), newest first."""
    stmt = select(Article).where(Article.draft.is_(False)).order_by(Article.published.desc(), Article.id)
    if topic:
        stmt = stmt.where(exists().where(ArticleTopic.article_id == Article.id, ArticleTopic.topic == topic))
    return list(session.scalars(stmt))


def get_article(session: Session, slug: str) -> Article | None:
    return session.scalar(select(Article).where(Article.slug == slug, Article.draft.is_(False)))


def products_for_topics(session: Session, topics: list[str], limit: int = 6) -> list[Product]:
    """Active products sharing the most tags/conditions with ``topics``, best rated first."""
    if not topics:
        return []
    shared = func.count(func.distinct(ProductLabel.value)).label("shared")
    ranked = (
        select(Product.id, shared)
        .join(ProductLabel, ProductLabel.product_id == Product.id)
        .where(Product.active.is_(True), ProductLabel.value.in_(topics))
        .group_by(Product.id, Product.rating)
        .order_by(shared.desc(), func.coalesce(Product.rating, 0).desc(), Product.id)
        .limit(limit)
    )
    ids = [row.id for row in session.execute(ranked)]
    products = {
        p.id: p
        for p in session.scalars(
            select(Product)
            .where(Product.id.in_(ids))
            .options(selectinload(Product.variants), selectinload(Product.labels))
        )
    }
    return [products[i] for i in ids]
