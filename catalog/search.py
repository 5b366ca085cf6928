"""Full-text search over products and articles: one contract, a backend per database.

A query is parsed here, once, into words (lower-cased, stop words dropped, at most eight), so
SQLite (FTS5 ``MATCH``) and PostgreSQL (``to_tsquery('english')``) are asked the same
question: every word must match a document, stemmed ("walking" finds "walk"). Relevance is
computed alike on both: a word in the title counts 10, in the keywords (brand, category,
attributes, conditions) 4, in the body 1; each database's own rank (``bm25``, ``ts_rank``)
only orders what that leaves equal.

Typos are handled in Python over the vocabulary of indexed words (the same answers on both
databases): a word the index has never seen is replaced by the closest known word.
The index itself is kept by ``catalog.search_index``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Float, Integer, func, select, text
from sqlalchemy.orm import Session

from .models import SearchDocument

MAX_WORDS = 8
# Dropped from queries on both databases: PostgreSQL's english configuration ignores them, and
# SQLite's FTS5 would otherwise demand them.
STOP_WORDS = frozenset(  # the Snowball English list, as in PostgreSQL's english.stop
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did "
    "doing a an the and but if or because as until while of at by for with about against "
    "between into through during before after above below to from up down in out on off over "
    "under again further then once here there when where why how all any both each few more "
    "most other some such no nor not only own same so than too very s t can will just don "
    "should now".split()
)
_WORD = re.compile(r"[a-z0-9]+")
RANK_WEIGHTS = (10.0, 4.0, 1.0)  # title, keywords, body


def _tokens(value: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", value.lower()).encode("ascii", "ignore").decode()
    return [w for w in _WORD.findall(folded) if w not in STOP_WORDS]


def words(value: str) -> list[str]:
    """The searchable words of ``value``: lower-cased, accents folded, stop words dropped."""
    return _tokens(value)[:MAX_WORDS]


# A query is an AND of groups; a group is an OR of words (one word, or a prefix's completions).
Groups = list[list[str]]


COLUMNS = ("title", "keywords", "body")
POSTGRES_WEIGHT = {"title": "A", "keywords": "B", "body": "D"}  # see catalog.search_index


def _sqlite_match(groups: Groups, column: str | None = None) -> str:
    scope = f"{column} : " if column else ""
    parts = ["(" + " OR ".join(f'"{w}"' for w in group) + ")" for group in groups]
    return scope + "(" + " AND ".join(parts) + ")"


def _postgres_tsquery(groups: Groups, column: str | None = None) -> str:
    weight = f":{POSTGRES_WEIGHT[column]}" if column else ""
    return " & ".join("(" + " | ".join(f"{w}{weight}" for w in group) + ")" for group in groups)


def matches(
    session: Session,
    kind: str,
    groups: Groups,
    column: str | None = None,
    name: str = "matches",
    *,
    scored: bool = True,
):
    """A subquery ``(ref_id, score, rank)`` of the documents of ``kind`` matching every group
    (``column="title"``: in the title only).

    ``score`` is the relevance both databases agree on: per query word, 10 when it is in the
    title, 4 in the keywords, 1 in the body (added up); equal scores are equally relevant.
    ``rank`` is the database's own finer measure (bm25, ts_rank), for ties after the visitor's
    fit; neither is comparable across databases, both are "higher is better".
    ``scored=False`` leaves ``score`` 0 (suggestions per keystroke rank by ``rank`` alone).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    params, parts = {"kind": kind}, ["0"]
    for i, group in enumerate(groups if scored else []):
        for field_name, weight in zip(COLUMNS, RANK_WEIGHTS, strict=True):
            key = f"m{i}{field_name[0]}"
            if postgres:
                params[key] = _postgres_tsquery([group], field_name)
                test = f"document @@ to_tsquery('english', :{key})"
            else:
                params[key] = _sqlite_match([group], field_name)
                test = f"d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :{key})"
            parts.append(f"CASE WHEN {test} THEN {weight:g} ELSE 0 END")
    score = " + ".join(parts)
    if postgres:
        params["q"] = _postgres_tsquery(groups, column)
        sql = (
            f"SELECT ref_id, {score} AS score, "
            "ts_rank(document, to_tsquery('english', :q)) AS rank FROM search_documents "
            "WHERE kind = :kind AND document @@ to_tsquery('english', :q)"
        )
    else:
        params["q"] = _sqlite_match(groups, column)
        weights = ", ".join(f"{w:g}" for w in RANK_WEIGHTS)
        sql = (
            f"SELECT d.ref_id AS ref_id, {score} AS score, -bm25(search_fts, {weights}) AS rank "
            "FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH :q AND d.kind = :kind"
        )
    return (
        text(sql)
        .bindparams(**params)
        .columns(ref_id=Integer, score=Float, rank=Float)
        .subquery(name)
    )


# --------------------------------------------------------------------------- vocabulary

_vocabularies: dict[str, tuple[tuple, Counter]] = {}
_corrections: dict[tuple[int, str], str | None] = {}  # (id of a vocabulary, word) → closest
_sorted_words: dict[int, list[str]] = {}  # id of a vocabulary → its words in order (prefixes)


def vocabulary(session: Session) -> Counter:
    """Indexed word → number of documents containing it. Cached per database until a document
    is written (ids are never reused, so count and highest id name the index's state)."""
    key = str(session.get_bind().url)
    state = tuple(
        session.execute(select(func.count(SearchDocument.id), func.max(SearchDocument.id))).one()
    )
    cached = _vocabularies.get(key)
    if cached is not None and cached[0] == state:
        return cached[1]
    counts: Counter = Counter()
    rows = session.execute(
        select(SearchDocument.title, SearchDocument.keywords, SearchDocument.body)
    )
    for title, keywords, body in rows:
        counts.update(set(_tokens(f"{title} {keywords} {body}")))
    _vocabularies[key] = (state, counts)
    _corrections.clear()  # keyed by id(): a new vocabulary may reuse an old one's id
    _sorted_words.clear()
    return counts


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (adjacent swaps cost one), or ``limit + 1`` once over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous, current = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
    return current[-1]


def closest_word(word: str, known: Counter) -> str | None:
    """The known word nearest ``word`` (one edit for 4–5 letters, two from 6; its first letter
    right or one place off), the most common one on a tie; None when ``word`` is known, too
    short, or nothing is near."""
    if word in known or len(word) < 4 or word.isdigit():
        return None
    key = (id(known), word)
    if key not in _corrections:
        if len(_corrections) > 10_000:
            _corrections.clear()
        _corrections[key] = _closest(word, known)
    return _corrections[key]


def _closest(word: str, known: Counter) -> str | None:
    limit = 1 if len(word) < 6 else 2
    best: tuple[int, int, str] | None = None
    for candidate, count in known.items():
        if (
            abs(len(candidate) - len(word)) > limit
            or candidate[0] not in word[:2]
            or candidate.isdigit()
        ):
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit and (best is None or (distance, -count, candidate) < best):
            best = (distance, -count, candidate)
    return best[2] if best else None


def correct(session: Session, query: str) -> str | None:
    """``query`` with each unknown word replaced by the closest indexed word ("stabilty shoe"
    → "stability shoe"); None when nothing would change."""
    known = vocabulary(session)
    original = words(query)
    fixed = [closest_word(w, known) or w for w in original]
    return " ".join(fixed) if fixed != original else None


def completions(known: Counter, prefix: str, limit: int = 6) -> list[str]:
    """Words of ``known`` starting with ``prefix``, the most common first (``prefix`` itself
    first when it is a word)."""
    ordered = _sorted_words.get(id(known))
    if ordered is None:
        _sorted_words.clear()
        ordered = _sorted_words[id(known)] = sorted(known)
    start = bisect.bisect_left(ordered, prefix)
    end = bisect.bisect_left(ordered, prefix + "\uffff", start)
    found = sorted(ordered[start:end], key=lambda w: (w != prefix, -known[w], w))
    return found[:limit]


@dataclass
class ArticleHit:
    slug: str
    title: str
    summary: str


def search_articles(session: Session, query: str, limit: int = 5) -> list[ArticleHit]:
    """Articles matching every word of ``query``, best first."""
    from .models import Article

    terms = words(query)
    if not terms:
        return []
    found = matches(session, "article", [[w] for w in terms])
    rows = session.execute(
        select(Article.slug, Article.title, Article.summary)
        .join(found, found.c.ref_id == Article.id)
        .where(Article.draft.is_(False))
        .order_by(found.c.score.desc(), found.c.rank.desc(), Article.published.desc(), Article.id)
        .limit(limit)
    )
    return [ArticleHit(*row) for row in rows]


# --------------------------------------------------------------------------- suggestions


@dataclass
class Suggestions:
    """What the header search box offers while a shopper types."""

    products: list = field(default_factory=list)  # rows of slug, name, brand, price
    categories: list = field(default_factory=list)  # rows of slug, name
    articles: list[ArticleHit] = field(default_factory=list)


def _typed_groups(session: Session, query: str) -> Groups:
    """The words typed so far as query groups: finished words as typed (or corrected when
    unknown), the last one as a prefix (its completions, else its correction)."""
    terms = words(query)
    if not terms:
        return []
    known = vocabulary(session)
    finished = terms if query[-1:].isspace() else terms[:-1]
    groups = [[closest_word(w, known) or w] for w in finished]
    if len(finished) < len(terms):
        last = terms[-1]
        groups.append(completions(known, last, limit=4) or [closest_word(last, known) or last])
    return groups


def suggest(
    session: Session, query: str, *, products: int = 5, categories: int = 3, articles: int = 3
) -> Suggestions:
    """Products, categories and articles for a search box being typed in, best first."""
    from .models import Article, Category, Product
    from .queries import listing_clauses  # queries imports this module

    groups = _typed_groups(session, query)
    if not groups:
        return Suggestions()
    found = matches(session, "product", groups)  # a name match scores 10 a word: names first
    product_rows = session.execute(
        select(Product.slug, Product.name, Product.brand, Product.price)
        .join(found, found.c.ref_id == Product.id)
        .where(*listing_clauses(session))
        .order_by(
            found.c.score.desc(),
            found.c.rank.desc(),
            func.coalesce(Product.rating, 0).desc(),
            Product.id,
        )
        .limit(products)
    ).all()
    article_found = matches(session, "article", groups, scored=False)
    article_rows = session.execute(
        select(Article.slug, Article.title, Article.summary)
        .join(article_found, article_found.c.ref_id == Article.id)
        .where(Article.draft.is_(False))
        .order_by(article_found.c.score.desc(), article_found.c.rank.desc(), Article.id)
        .limit(articles)
    ).all()
    category_rows = []
    for category in session.execute(
        select(Category.slug, Category.name).order_by(Category.position, Category.slug)
    ):
        its_words = _tokens(f"{category.name} {category.slug}")
        if all(
            any(w.startswith(option) for option in group for w in its_words) for group in groups
        ):
            category_rows.append(category)
    category_rows = category_rows[:categories]
    return Suggestions(
        list(product_rows), category_rows, [ArticleHit(*row) for row in article_rows]
    )
