"""Reviews and summaries as plain dicts: the API's bodies and the JSON-LD's source."""

from __future__ import annotations

from .models import Review
from .reading import RatingSummary, ReviewPage


def review_document(review: Review, product_slug: str, author: str) -> dict:
    return {
        "id": review.id,
        "product": product_slug,
        "author": author,
        "verified_buyer": True,
        "rating": review.rating,
        "title": review.title,
        "body": review.body,
        "size_fit": review.size_fit,
        "width_fit": review.width_fit,
        "status": review.status,
        "helpful_count": review.helpful_count,
        "created_at": review.created_at,
        "updated_at": review.updated_at,
    }


def summary_document(summary: RatingSummary) -> dict:
    def fit(f):
        return {"counts": f.counts, "answered": f.answered, "verdict": f.verdict}

    return {
        "average": summary.average,
        "count": summary.count,
        "histogram": {str(stars): n for stars, n in summary.histogram.items()},
        "size_fit": fit(summary.size_fit),
        "width_fit": fit(summary.width_fit),
    }


def page_document(page: ReviewPage, summary: RatingSummary, product_slug: str) -> dict:
    return {
        "items": [
            review_document(r, product_slug, page.authors.get(r.user_id, "A verified buyer"))
            for r in page.items
        ],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "summary": summary_document(summary),
    }
