"""Review moderation: the reviews held for links or blocked words are published or rejected by staff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from admin_helpers import staff_client
from reviewing import buy, make_user
from shopping import seed_tiny_catalog
from sqlalchemy import select

from catalog.models import Product
from shop.admin.models import AuditEntry
from shop.admin.reviews_views import REVIEW_MODERATORS
from shop.reviews import service

HALO = "velmora-halo-walk"


@pytest.fixture
def held(session):
    """Ann's five stars are published; Bob's one star links somewhere, so it waits."""
    seed_tiny_catalog(session)
    halo = session.scalar(select(Product).where(Product.slug == HALO))
    ids = {}
    for email, rating, body in (("ann@example.com", 5, "Lovely."), ("bob@example.com", 1, "See www.spam.example")):
        user = make_user(session, email)
        buy(session, user, HALO)
        ids[email] = service.create_review(session, user, halo, {"rating": rating, "title": "Shoes", "body": body}).id
    return session, ids


def rating(session) -> tuple:
    session.expire_all()
    halo = session.scalar(select(Product).where(Product.slug == HALO))
    return halo.rating, halo.rating_count


def test_moderators_are_the_catalog_people_and_support():
    assert set(REVIEW_MODERATORS) == {"admin", "merchandiser", "support"}


def test_publishing_a_held_review_counts_it_in_the_rating(app, held):
    session, ids = held
    assert rating(session) == (Decimal("5.0"), 1)
    support = staff_client(app, "support")
    page = support.get("/admin/reviews").get_data(as_text=True)
    assert "www.spam.example" in page and "bob@example.com" in page
    response = support.post(f"/admin/reviews/{ids['bob@example.com']}/decision", data={"decision": "publish"})
    assert response.status_code == 303
    assert rating(session) == (Decimal("3.0"), 2)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "review.publish"))
    assert (entry.before, entry.after, entry.actor_email) == (
        {"status": "pending"}, {"status": "published"}, "support@example.com")
    assert "No reviews are waiting." in support.get("/admin/reviews").get_data(as_text=True)


def test_rejecting_takes_a_review_out_of_the_rating_and_the_page(app, client, held):
    session, ids = held
    merchandiser = staff_client(app, "merchandiser")
    queue = merchandiser.get("/api/admin/reviews").get_json()
    assert [r["id"] for r in queue["pending"]] == [ids["bob@example.com"]]
    rejected = merchandiser.post(f"/api/admin/reviews/{ids['ann@example.com']}/decision", json={"decision": "reject"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    assert rating(session) == (None, 0)
    assert "Lovely." not in client.get(f"/products/{HALO}").get_data(as_text=True)
    assert merchandiser.post("/api/admin/reviews/999/decision", json={"decision": "reject"}).status_code == 404
    bad = merchandiser.post(f"/api/admin/reviews/{ids['ann@example.com']}/decision", json={"decision": "delete"})
    assert bad.status_code == 422
    page = merchandiser.post(f"/admin/reviews/{ids['ann@example.com']}/decision", data={"decision": "x"})
    assert page.status_code == 400
