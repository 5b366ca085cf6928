"""The product page's reviews panel: what ``products/_reviews.html`` shows, and its JSON-LD.

A template global (``review_panel(product)``) so the product page includes the panel with one
line and the storefront's view needs no change. Its own query parameters are prefixed
(``review_sort``, ``review_stars``, ``review_page``) to stay clear of the page's others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Flask, abort, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError

from catalog.models import Product

from .. import visitor
from ..extensions import db
from . import reading, service
from .models import Review
from .schemas import ReviewListArgs

PREFIX = "review_"
PER_PAGE = 5


@dataclass
class ReviewPanel:
    product: Product
    summary: reading.RatingSummary
    page: reading.ReviewPage
    sort: str
    stars: int | None
    mine: Review | None
    can_write: bool
    footwear: bool
    signed_in: bool
    json_ld: Markup


def _args() -> dict:
    raw = {
        key[len(PREFIX) :]: value
        for key, value in request.args.items()
        if key.startswith(PREFIX) and value.strip()
    }
    try:
        return ReviewListArgs().load(raw)
    except ValidationError as exc:
        names = ", ".join(PREFIX + name for name in exc.messages)
        abort(400, description=f"Invalid value for: {names}.")


def review_panel(product: Product) -> ReviewPanel:
    args = _args()
    args["per_page"] = PER_PAGE
    user_id = visitor.user_id()
    summary = reading.rating_summary(db.session, product.id)
    page = reading.list_reviews(db.session, product.id, **args)
    mine = service.review_by(db.session, user_id, product.id)
    return ReviewPanel(
        product=product,
        summary=summary,
        page=page,
        sort=args["sort"],
        stars=args["stars"],
        mine=mine,
        can_write=mine is None and service.has_bought(db.session, user_id, product),
        footwear=service.is_footwear(product),
        signed_in=user_id is not None,
        json_ld=json_ld(product, summary, page),
    )


def json_ld_document(
    product: Product, summary: reading.RatingSummary, page: reading.ReviewPage
) -> dict:
    """schema.org ``Product`` with its ``AggregateRating`` and the reviews on this page."""
    document = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "brand": {"@type": "Brand", "name": product.brand},
        "url": url_for("storefront.product_detail", slug=product.slug, _external=True),
        "offers": {
            "@type": "Offer",
            "price": f"{product.price:.2f}",
            "priceCurrency": "GBP",
            "availability": "https://schema.org/"
            + ("InStock" if any(v.stock > 0 for v in product.variants) else "OutOfStock"),
        },
    }
    if summary.count:
        document["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(summary.average),
            "reviewCount": summary.count,
            "bestRating": 5,
            "worstRating": 1,
        }
        document["review"] = [
            {
                "@type": "Review",
                "name": r.title,
                "reviewBody": r.body,
                "datePublished": r.created_at.date().isoformat(),
                "author": {
                    "@type": "Person",
                    "name": page.authors.get(r.user_id, "A verified buyer"),
                },
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": r.rating,
                    "bestRating": 5,
                    "worstRating": 1,
                },
            }
            for r in page.items
        ]
    return document


def json_ld(product: Product, summary: reading.RatingSummary, page: reading.ReviewPage) -> Markup:
    """The JSON for a ``<script type="application/ld+json">`` data block, safe inside HTML:
    ``<``, ``>`` and ``&`` escaped so no text can close the element."""
    text = json.dumps(json_ld_document(product, summary, page), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        review_panel=review_panel,
        review_sort_labels=reading.SORT_LABELS,
        size_fit_labels=reading.SIZE_FIT_LABELS,
        width_fit_labels=reading.WIDTH_FIT_LABELS,
        size_fit_form_labels={k: v.capitalize() for k, v in reading.SIZE_FIT_LABELS.items()},
        width_fit_form_labels={k: v.capitalize() for k, v in reading.WIDTH_FIT_LABELS.items()},
    )
