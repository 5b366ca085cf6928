"""Home, product listing and detail, article list and detail."""

from __future__ import annotations

from flask import abort, render_template, request
from marshmallow import ValidationError

from catalog import queries, search
from catalog.vocabulary import SORTS

from .. import events
from ..errors import abort_with
from ..extensions import db
from ..profile.service import current_profile
from ..recommendations.registry import slot_from_request
from ..recommendations.related import related_suggestions
from ..recommendations.service import trending
from ..schemas import ArticleQueryArgs, PageProductQueryArgs, load_args
from ..search import visitor_preference
from . import bp, options

SORT_LABELS = {
    "relevance": "Best match", "price_asc": "Price: low to high", "price_desc": "Price: high to low",
    "rating": "Top rated", "newest": "Newest", "name": "Name",
}  # fmt: skip


def _bad_request(exc: ValidationError):
    """A friendly 400 page naming each parameter that was wrong."""
    abort_with(400, "Please check the filters.", exc.messages)


@bp.route("/")
def home():
    session = db.session
    featured = queries.search_products(
        session, queries.ProductQuery(category="footwear", sort="rating", per_page=8), with_facets=False
    ).items
    articles = queries.list_articles(session)[:4]
    return render_template("home.html", featured=featured, articles=articles,
                           categories=queries.category_tree(session))


@bp.route("/products")
def product_list():
    try:
        query = load_args(PageProductQueryArgs(), request.args)
    except ValidationError as exc:
        _bad_request(exc)
    if query.q and query.page == 1:
        events.record("search", context=query.q)
    query.prefer = visitor_preference()
    try:
        page = queries.search_products(db.session, query)
    except queries.UnknownCategory:
        abort(404, description=f"There is no category called {query.category!r}.")
    articles, popular = [], []
    if query.q and query.page == 1:
        articles = search.search_articles(db.session, page.searched or query.q, limit=3)
    if page.total == 0:  # a dead end offers the footwear finder and what others buy
        popular = queries.product_cards(db.session, [r.item_id for r in trending(4)])
    return render_template(
        "products/list.html", page=page, query=query, categories=queries.category_tree(db.session),
        sorts=SORTS, sort_labels=SORT_LABELS, articles=articles, popular=popular,
    )


def _profile_sku(product) -> str | None:
    """The in-stock variant in the visitor's profile size (and width, when known), or None:
    the size picker starts there instead of on "Choose your size"."""
    if not product.sized:
        return None
    profile = current_profile()
    size, width = profile.get("shoe_size_eu"), profile.get("width")
    if size is None:
        return None
    fitting = [v for v in product.variants
               if v.stock > 0 and v.size_eu is not None and float(v.size_eu) == float(size)]
    fitting.sort(key=lambda v: v.width != width)
    return fitting[0].sku if fitting else None


@bp.route("/products/<slug>")
def product_detail(slug: str):
    product = queries.get_product(db.session, slug)
    if product is None:
        abort(404, description="We could not find that product. It may have been discontinued.")
    slot = slot_from_request(request.args.get("rec"))
    events.record("view", product.slug, slot=slot)
    if slot:  # the visitor came from a recommendation slot
        events.record("click", product.slug, slot=slot)
    return render_template("products/detail.html", product=product,
                           profile_sku=_profile_sku(product),
                           selectors=options.selectors(product),
                           chosen=options.chosen_variant(product),
                           variant_options=options.variant_options, sale_end=options.sale_end)


@bp.route("/articles")
def article_list():
    try:
        args = load_args(ArticleQueryArgs(), request.args)
    except ValidationError as exc:
        _bad_request(exc)
    articles = queries.list_articles(db.session, args["topic"])
    return render_template("articles/list.html", articles=articles, topic=args["topic"])


@bp.route("/articles/<slug>")
def article_detail(slug: str):
    article = queries.get_article(db.session, slug)
    if article is None:
        abort(404, description="We could not find that article.")
    events.record("read", f"article:{article.slug}")
    related, reasons = related_suggestions(article)
    return render_template("articles/detail.html", article=article, related=related, related_reasons=reasons)
