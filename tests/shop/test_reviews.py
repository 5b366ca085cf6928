"""Review rules (service level): verified buyers, one each, moderation, votes, aggregates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from reviewing import buy, make_user
from shopping import seed_tiny_catalog

from catalog.models import Product
from shop.reviews import errors, reading, service
from shop.reviews.models import Review
from shop.reviews.moderation import needs_moderation

HALO, INSOLE = "velmora-halo-walk", "backcare-gel-insole"


@pytest.fixture
def shop(session):
    seed_tiny_catalog(session)
    return session


def product(session, slug=HALO) -> Product:
    return session.query(Product).filter_by(slug=slug).one()


def review(rating=4, title="Comfortable", body="Good on long walks.", **extra) -> dict:
    return {"rating": rating, "title": title, "body": body, **extra}


def test_only_an_account_that_bought_the_product_may_review_it(shop):
    ann = make_user(shop, "ann@example.com")
    buy(shop, ann, INSOLE)  # bought something else
    with pytest.raises(errors.NotABuyer, match="bought this product"):
        service.create_review(shop, ann, product(shop), review())
    with pytest.raises(errors.NotABuyer):
        service.create_review(shop, None, product(shop), review())
    buy(shop, ann, HALO)
    assert service.create_review(shop, ann, product(shop), review()).status == "published"


def test_one_review_per_product_per_account(shop):
    ann = make_user(shop, "ann@example.com")
    buy(shop, ann, HALO)
    service.create_review(shop, ann, product(shop), review())
    with pytest.raises(errors.AlreadyReviewed):
        service.create_review(shop, ann, product(shop), review(rating=1))
    assert shop.query(Review).count() == 1


@pytest.mark.parametrize(
    "title, body",
    [
        ("Great", "Cheaper at https://example.net/deal"),
        ("Great", "see www.cheap-shoes.example"),
        ("Visit shoes4less.com", "Fine."),
        ("Total scam", "Fine."),
        ("Great", "Made by idiots."),  # whole words only: "idiots" is not "idiot"...
    ],
)
def test_links_and_blocked_words_hold_a_review_for_moderation(shop, title, body):
    ann = make_user(shop, "ann@example.com")
    buy(shop, ann, HALO)
    created = service.create_review(shop, ann, product(shop), review(title=title, body=body))
    expected = "published" if body == "Made by idiots." else "pending"
    assert created.status == expected


def test_moderation_is_whole_words_and_the_list_is_data(tmp_path):
    assert needs_moderation("The heel scammed me? no", words=frozenset({"scam"})) is False
    assert needs_moderation("A SCAM.", words=frozenset({"scam"})) is True
    assert needs_moderation("I walk 5.5 km a day", words=frozenset()) is False


def test_pending_reviews_do_not_count_and_edits_are_moderated_again(shop):
    ann, bob = make_user(shop, "ann@example.com"), make_user(shop, "bob@example.com")
    for user in (ann, bob):
        buy(shop, user, HALO)
    service.create_review(shop, ann, product(shop), review(rating=5))
    bobs = service.create_review(
        shop, bob, product(shop), review(rating=1, body="www.spam.example")
    )
    assert (product(shop).rating, product(shop).rating_count) == (Decimal("5.0"), 1)
    service.update_review(shop, bob, bobs.id, {"body": "Too narrow for me."})
    assert bobs.status == "published"
    assert (product(shop).rating, product(shop).rating_count) == (Decimal("3.0"), 2)
    service.update_review(shop, bob, bobs.id, {"title": "Buy crypto"})
    assert bobs.status == "pending" and product(shop).rating_count == 1


def test_a_review_staff_rejected_goes_back_to_moderation_when_edited(shop):
    from shop.admin.review_moderation import moderate

    ann = make_user(shop, "ann@example.com")
    buy(shop, ann, HALO)
    anns = service.create_review(shop, ann, product(shop), review(rating=1, body="www.spam.example"))
    moderate(shop, None, anns.id, "reject")
    service.update_review(shop, ann, anns.id, {"body": "Clean words now."})
    assert anns.status == "pending"  # a person rejected it: a person looks again
    assert product(shop).rating_count == 0
    moderate(shop, None, anns.id, "publish")
    service.update_review(shop, ann, anns.id, {"body": "Still fine."})
    assert anns.status == "published"  # once accepted, edits are filtered as usual


def test_aggregates_are_computed_from_published_reviews(shop):
    ratings = [5, 4, 4, 2]  # hand count: 15 / 4 = 3.75 -> 3.8
    for i, stars in enumerate(ratings):
        user = make_user(shop, f"u{i}@example.com")
        buy(shop, user, HALO)
        service.create_review(shop, user, product(shop), review(rating=stars))
    halo = product(shop)
    assert (halo.rating, halo.rating_count) == (Decimal("3.8"), 4)
    summary = reading.rating_summary(shop, halo.id)
    assert summary.histogram == {5: 1, 4: 2, 3: 0, 2: 1, 1: 0}
    assert summary.average == Decimal("3.8") and summary.percent(4) == 50
    last = shop.query(Review).filter_by(rating=2).one()
    service.delete_review(shop, last.user_id, last.id)
    assert (product(shop).rating, product(shop).rating_count) == (Decimal("4.3"), 3)  # 13 / 3


def test_only_the_author_edits_or_deletes_a_review(shop):
    ann, bob = make_user(shop, "ann@example.com"), make_user(shop, "bob@example.com")
    buy(shop, ann, HALO)
    anns = service.create_review(shop, ann, product(shop), review())
    with pytest.raises(errors.UnknownReview):
        service.update_review(shop, bob, anns.id, {"rating": 1})
    with pytest.raises(errors.UnknownReview):
        service.delete_review(shop, bob, anns.id)
    with pytest.raises(errors.UnknownReview):
        service.delete_review(shop, ann, anns.id + 100)
    assert shop.get(Review, anns.id).rating == 4


def test_helpful_once_per_account_and_never_on_ones_own(shop):
    ann, bob, cat = (make_user(shop, f"{n}@example.com") for n in ("ann", "bob", "cat"))
    buy(shop, ann, HALO)
    anns = service.create_review(shop, ann, product(shop), review())
    with pytest.raises(errors.OwnReview):
        service.vote_helpful(shop, ann, anns.id)
    service.vote_helpful(shop, bob, anns.id)
    with pytest.raises(errors.AlreadyVoted):
        service.vote_helpful(shop, bob, anns.id)
    assert service.vote_helpful(shop, cat, anns.id).helpful_count == 2


def test_fit_is_asked_of_footwear_only(shop):
    ann = make_user(shop, "ann@example.com")
    buy(shop, ann, INSOLE)
    with pytest.raises(errors.FitNotApplicable):
        service.create_review(shop, ann, product(shop, INSOLE), review(size_fit="small"))


def test_fit_summary_names_the_majority_or_says_divided(shop):
    fits = ["true", "true", "true", "small", None]
    for i, fit in enumerate(fits):
        user = make_user(shop, f"u{i}@example.com")
        buy(shop, user, HALO)
        service.create_review(
            shop, user, product(shop), review(size_fit=fit, width_fit="wide" if i < 2 else "true")
        )
    summary = reading.rating_summary(shop, product(shop).id)
    assert summary.size_fit.verdict == "Most reviewers say true to size"
    assert summary.size_fit.answered == 4 and summary.size_fit.share("small") == 0.25
    assert summary.width_fit.verdict == "Most reviewers say true to width"  # 3 of 5
    assert (
        reading._fit(["small", "true"], reading.SIZE_FIT_LABELS, "size").verdict
        == "Reviewers are divided on size"
    )


def test_sorting_filtering_and_pagination(shop):
    base = dt.datetime(2026, 1, 1)
    ids = {}
    for i, (stars, helpful) in enumerate([(5, 0), (3, 2), (1, 1), (4, 0), (5, 3)]):
        user = make_user(shop, f"u{i}@example.com", name=f"User{i} Surname")
        buy(shop, user, HALO)
        r = service.create_review(shop, user, product(shop), review(rating=stars, title=f"r{i}"))
        r.created_at, r.helpful_count = base + dt.timedelta(days=i), helpful
        ids[f"r{i}"] = r.id
    shop.commit()
    pid = product(shop).id

    def titles(**kw):
        return [r.title for r in reading.list_reviews(shop, pid, **kw).items]

    assert titles(sort="helpful") == ["r4", "r1", "r2", "r3", "r0"]
    assert titles(sort="newest") == ["r4", "r3", "r2", "r1", "r0"]
    assert titles(sort="highest") == ["r4", "r0", "r3", "r1", "r2"]
    assert titles(sort="lowest") == ["r2", "r1", "r3", "r4", "r0"]
    assert titles(sort="newest", stars=5) == ["r4", "r0"]
    page = reading.list_reviews(shop, pid, sort="newest", page=2, per_page=2)
    assert [r.title for r in page.items] == ["r2", "r1"] and page.total == 5 and page.pages == 3
    assert page.authors[page.items[0].user_id] == "User2"  # first name only


def test_the_listing_sorts_by_the_computed_rating(shop):
    from catalog import queries
    from catalog.queries import ProductQuery

    for i, (slug, stars) in enumerate([(HALO, 3), ("velmora-drift-cushion", 5), (HALO, 4)]):
        user = make_user(shop, f"u{i}@example.com")
        buy(shop, user, slug)
        service.create_review(shop, user, product(shop, slug), review(rating=stars))
    page = queries.search_products(shop, ProductQuery(sort="rating", per_page=10))
    assert [p.slug for p in page.items][:2] == ["velmora-drift-cushion", HALO]  # 5.0 above 3.5
    assert page.items[-1].rating is None  # the insole has no review


def test_deleting_a_review_removes_its_votes(shop):
    from shop.reviews.models import ReviewVote

    ann, bob = make_user(shop, "ann@example.com"), make_user(shop, "bob@example.com")
    buy(shop, ann, HALO)
    anns = service.create_review(shop, ann, product(shop), review())
    service.vote_helpful(shop, bob, anns.id)
    service.delete_review(shop, ann, anns.id)
    assert shop.query(ReviewVote).count() == 0
