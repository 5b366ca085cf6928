"""The full-text index: one ``search_documents`` row per product and article, kept current.

Why rows of our own rather than an index over ``products``: a product's searchable text spans
four tables (name and description, brand, category, attribute labels). So the catalog writes
that text into ``search_documents`` itself, whenever the ORM flushes a change to a product,
its labels or category, or an article (:func:`install`, a session event), and each database
indexes the rows its own way:

- SQLite: an FTS5 table ``search_fts`` (Porter stemming) over ``search_documents`` as external
  content, kept in step by three triggers.
- PostgreSQL: a generated ``tsvector`` column ``document`` (``english`` configuration; title
  weighted A, keywords B, body D) with a GIN index.

Writes that bypass the ORM (raw SQL updates of product text) must call :func:`reindex_all`.
"""

from __future__ import annotations

from sqlalchemy import DDL, Connection, delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from .models import Article, ArticleTopic, Category, Product, ProductLabel, SearchDocument
from .vocabulary import ATTRIBUTES

_FTS_INSERT = (
    "INSERT INTO search_fts(rowid, title, keywords, body) "
    "VALUES (new.id, new.title, new.keywords, new.body);"
)
_FTS_DELETE = (
    "INSERT INTO search_fts(search_fts, rowid, title, keywords, body) "
    "VALUES ('delete', old.id, old.title, old.keywords, old.body);"
)
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, keywords, body, "
    "content='search_documents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents "
    f"BEGIN {_FTS_INSERT} END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents "
    f"BEGIN {_FTS_DELETE} END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE ON search_documents "
    f"BEGIN {_FTS_DELETE} {_FTS_INSERT} END",
)
SQLITE_DROP = ("DROP TABLE IF EXISTS search_fts",)
POSTGRES_CREATE = (
    "ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(keywords, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'D')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_search_documents_document "
    "ON search_documents USING gin (document)",
)
FTS_TABLE_PREFIX = "search_fts"  # the FTS5 table and its shadow tables (_data, _idx, ...)


def create_statements(dialect: str) -> tuple[str, ...]:
    """The DDL that builds the index on ``dialect`` (used by create_all and the migration)."""
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(dialect, ())


def is_index_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: True for what the models describe, False for the
    database-specific index objects above (the models cannot express them portably)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE_PREFIX):
        return False
    if type_ == "column" and name == "document" and obj.table.name == "search_documents":
        return False
    if type_ == "index" and name == "ix_search_documents_document":
        return False
    return True


for _dialect, _statements in (("sqlite", SQLITE_CREATE), ("postgresql", POSTGRES_CREATE)):
    for _sql in _statements:
        event.listen(
            SearchDocument.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect)
        )
for _sql in SQLITE_DROP:
    event.listen(SearchDocument.__table__, "before_drop", DDL(_sql).execute_if(dialect="sqlite"))


def _words(value: str) -> str:
    return value.replace("-", " ").replace("_", " ")


_TEXT_COLUMNS = ("id", "name", "brand", "description", "category_id")
_ATTRIBUTE_COLUMNS = tuple(
    name for name, spec in ATTRIBUTES.items()
    if spec.stored == "column" and spec.type in ("choice", "flag")
)


def present_product_columns(connection: Connection) -> set[str]:
    """The columns ``products`` has in this database: for a migration, which may run before
    later ones add the columns of newer attributes."""
    return {column["name"] for column in inspect(connection).get_columns("products")}


def product_documents(connection: Connection, ids: list[int] | None = None,
                      columns: set[str] | None = None) -> list[dict]:
    """The searchable text of the products with ``ids`` (all when None), read with Core so it
    can run inside a flush; ``columns``: only those of the model's columns (a migration's)."""
    table = Product.__table__
    wanted = [n for n in (*_TEXT_COLUMNS, *_ATTRIBUTE_COLUMNS) if columns is None or n in columns]
    stmt = select(*(table.c[name] for name in wanted), Category.name.label("category_name")).join(
        Category, Category.id == Product.category_id
    )
    label_stmt = select(ProductLabel.product_id, ProductLabel.value).order_by(ProductLabel.position)
    if ids is not None:
        stmt = stmt.where(Product.id.in_(ids))
        label_stmt = label_stmt.where(ProductLabel.product_id.in_(ids))
    labels: dict[int, list[str]] = {}
    for product_id, value in connection.execute(label_stmt):
        labels.setdefault(product_id, []).append(_words(value))
    docs = []
    for row in connection.execute(stmt).mappings():
        attributes = [
            f"{spec.label} {_words(row[name])}"
            for name, spec in ATTRIBUTES.items()
            if spec.stored == "column" and spec.type == "choice" and row.get(name)
        ] + [
            spec.label
            for name, spec in ATTRIBUTES.items()
            if spec.stored == "column" and spec.type == "flag" and row.get(name)
        ]
        keywords = [row["brand"], row["category_name"], *attributes, *labels.get(row["id"], [])]
        docs.append(
            {
                "kind": "product",
                "ref_id": row["id"],
                "title": row["name"],
                "keywords": " ".join(keywords),
                "body": row["description"] or "",
            }
        )
    return docs


def article_documents(connection: Connection, ids: list[int] | None = None) -> list[dict]:
    stmt = select(Article.id, Article.title, Article.author, Article.summary, Article.body)
    topic_stmt = select(ArticleTopic.article_id, ArticleTopic.topic).order_by(ArticleTopic.position)
    if ids is not None:
        stmt = stmt.where(Article.id.in_(ids))
        topic_stmt = topic_stmt.where(ArticleTopic.article_id.in_(ids))
    topics: dict[int, list[str]] = {}
    for article_id, topic in connection.execute(topic_stmt):
        topics.setdefault(article_id, []).append(_words(topic))
    return [
        {
            "kind": "article",
            "ref_id": row["id"],
            "title": row["title"],
            "keywords": " ".join([row["author"], *topics.get(row["id"], [])]),
            "body": f"{row['summary'] or ''}\n{row['body'] or ''}",
        }
        for row in connection.execute(stmt).mappings()
    ]


def reindex(
    connection: Connection,
    *,
    products: list[int] | None = None,
    articles: list[int] | None = None,
    product_columns: set[str] | None = None,
) -> None:
    """Rewrite the documents of these products and articles (None: every one of that kind;
    an empty list: none). Ids that no longer exist lose their document. ``product_columns``:
    see :func:`product_documents`."""
    table = SearchDocument.__table__
    for kind, ids in (("product", products), ("article", articles)):
        if ids is not None and not ids:
            continue
        gone = delete(table).where(table.c.kind == kind)
        if ids is not None:
            gone = gone.where(table.c.ref_id.in_(ids))
        connection.execute(gone)
        if kind == "product":
            docs = product_documents(connection, ids, product_columns)
        else:
            docs = article_documents(connection, ids)
        if docs:
            connection.execute(insert(table), docs)


def reindex_all(session: Session) -> None:
    """Rebuild every document (after raw SQL writes, or to fill an index created late)."""
    reindex(session.connection())


def _changed_ids(session: Session) -> tuple[set[int], set[int], set[int]]:
    products, articles, categories = set(), set(), set()
    for obj in [*session.new, *session.deleted, *session.dirty]:
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Product):
            products.add(obj.id)
        elif isinstance(obj, ProductLabel):
            products.add(obj.product_id)
        elif isinstance(obj, Article):
            articles.add(obj.id)
        elif isinstance(obj, ArticleTopic):
            articles.add(obj.article_id)
        elif isinstance(obj, Category):
            categories.add(obj.id)
    return products - {None}, articles - {None}, categories - {None}


def _after_flush(session: Session, _context) -> None:
    products, articles, categories = _changed_ids(session)
    if not (products or articles or categories):
        return
    connection = session.connection()
    if categories:  # a renamed category changes its products' keywords
        products |= set(
            connection.scalars(select(Product.id).where(Product.category_id.in_(categories)))
        )
    reindex(connection, products=sorted(products), articles=sorted(articles))


def install() -> None:
    """Keep the index current on every ORM session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


install()
