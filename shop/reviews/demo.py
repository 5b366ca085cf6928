"""Demo reviews written by fictional accounts that follow the personas (clearly demo data).

Each persona of ``catalog/demo/personas.json`` gets a few reviewer accounts (e-mail
``...@demo.invalid``, an unusable password) with the persona's saved profile and one demo order
(number ``DEMO-...``) of what the persona buys, so every review is a verified purchase. Stars
follow the product and the profile — flat feet reward stability and motion control, high
arches cushioning, sore knees soft soles — plus seeded noise; the models listed in
``catalog/demo/review_traits.json`` are reported to run small or large. Same seed, same reviews.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from catalog.demo import DEMO_DIR
from catalog.models import Product

from ..models import Order, OrderLine, Profile, User, utcnow
from ..recommendations.demo_events import load_personas
from .models import Review, ReviewVote
from .service import PUBLISHED, is_footwear, refresh_product

TRAITS_PATH = DEMO_DIR / "review_traits.json"
EMAIL_DOMAIN = "@demo.invalid"
ORDER_PREFIX = "DEMO-"
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Priya",
    "Tom",
    "Grace",
    "Omar",
    "Lena",
    "Rob",
    "Mei",
    "Jo",
    "Ravi",
    "Nina",
    "Ben",
    "Aisha",
    "Karl",
    "Ruth",
    "Ian",
    "Zoe",
    "Dev",
    "Hana",
]
TITLES = {
    5: ["Exactly what my back needed", "Best I have owned", "Comfortable from day one"],
    4: ["Very good", "Comfortable, small niggles", "Good support"],
    3: ["It is fine", "Mixed feelings", "Does the job"],
    2: ["Not for me", "Disappointing", "Expected more"],
    1: ["Made things worse", "Sent it back", "Uncomfortable"],
}
OPENINGS = {
    5: "I use it every day and my back thanks me.",
    4: "Good overall and worth the price.",
    3: "Some days good, some days not.",
    2: "It did not suit me.",
    1: "Hurt after the first walk.",
}


@dataclass(frozen=True)
class DemoReviewReport:
    reviewers: int
    reviews: int


def _traits() -> dict:
    return json.loads(TRAITS_PATH.read_text(encoding="utf-8"))


def expected_stars(product: Product, profile: dict) -> float:
    """How well the product should suit someone with this profile, before noise (1..5)."""
    score = 4.0
    arch, pains = profile.get("arch"), set(profile.get("pain_areas", []))
    if is_footwear(product):
        supportive = product.stability in ("stability", "motion-control")
        if arch == "flat" or profile.get("overpronation") == "yes":
            score += 0.7 if supportive else -0.6
        if arch == "high":
            score += 0.5 if product.cushioning == "high" else -0.4
        if "knees" in pains and product.cushioning == "low":
            score -= 0.5
    elif arch == "flat" and product.arch_support == "high":
        score += 0.5
    return score


def _size_fit(rng: random.Random, slug: str, traits: dict) -> str | None:
    roll = rng.random()
    if roll < 0.15:
        return None  # not every reviewer answers
    if slug in traits["runs_small"]:
        return "small" if roll < 0.8 else "true"
    if slug in traits["runs_large"]:
        return "large" if roll < 0.75 else "true"
    return "small" if roll < 0.2 else "large" if roll < 0.25 else "true"


def _width_fit(rng: random.Random, width: str | None) -> str | None:
    roll = rng.random()
    if roll < 0.15:
        return None
    if width in ("wide", "extra-wide"):
        return "narrow" if roll < 0.45 else "true"
    if width == "narrow":
        return "wide" if roll < 0.4 else "true"
    return "true"


def _body(rng: random.Random, stars: int, product: Product, profile: dict) -> str:
    parts = [OPENINGS[stars]]
    if profile.get("arch") == "flat" and product.stability in ("stability", "motion-control"):
        parts.append("With my flat feet the firm support stops my ankles rolling in.")
    elif profile.get("arch") == "flat" and is_footwear(product):
        parts.append("Not enough support for my flat feet on longer walks.")
    if product.cushioning == "high":
        parts.append("The cushioning is soft on pavements.")
    parts.append(
        rng.choice(
            [
                "I walk most days.",
                "Bought it on a physio's advice.",
                "Would buy again." if stars >= 4 else "Would not buy again.",
            ]
        )
    )
    return " ".join(parts)


def _remove_earlier(session: Session) -> None:
    users = select(User.id).where(User.email.like(f"%{EMAIL_DOMAIN}"))
    session.execute(delete(ReviewVote).where(ReviewVote.user_id.in_(users)))
    session.execute(delete(Review).where(Review.user_id.in_(users)))
    session.execute(delete(Profile).where(Profile.user_id.in_(users)))
    orders = select(Order.id).where(Order.user_id.in_(users))
    session.execute(delete(OrderLine).where(OrderLine.order_id.in_(orders)))
    session.execute(delete(Order).where(Order.user_id.in_(users)))
    session.execute(delete(User).where(User.email.like(f"%{EMAIL_DOMAIN}")))


def _variant(product: Product, profile: dict):
    size, width = profile.get("shoe_size_eu"), profile.get("width")
    for variant in product.variants:
        if (
            variant.size_eu is not None
            and size is not None
            and float(variant.size_eu) == float(size)
            and variant.width == width
        ):
            return variant
    return product.variants[0]


def seed_demo_reviews(
    session: Session, *, per_weight: int = 2, seed: int = 11, now: dt.datetime | None = None
) -> DemoReviewReport:
    """Replace the demo reviewers and their reviews; refresh every reviewed product's figures."""
    rng = random.Random(seed)
    now = now or utcnow()
    traits = _traits()
    _remove_earlier(session)
    products = {p.slug: p for p in session.scalars(select(Product).where(Product.active.is_(True)))}
    password_hash = generate_password_hash(secrets.token_urlsafe(24))  # nobody can log in
    reviewers, owned, reviews, reviewed = [], [], [], set()  # owned: (user, profile, order)
    for index, persona in enumerate(load_personas()):
        profile = persona.get("profile", {})
        bought = [products[s] for s in persona.get("buys", []) if s in products]
        for k in range(max(1, round(float(persona.get("weight", 1)) * per_weight))):
            name = f"{FIRST_NAMES[(index * 7 + k) % len(FIRST_NAMES)]} (demo)"
            user = User(
                email=f"reviewer-{index:02d}-{k:02d}{EMAIL_DOMAIN}",
                name=name,
                password_hash=password_hash,
            )
            reviewers.append(user)
            when = now - dt.timedelta(days=rng.uniform(20, 240))
            lines = []
            for product in bought:
                variant = _variant(product, profile)
                lines.append(
                    OrderLine(
                        variant_id=variant.id,
                        product_slug=product.slug,
                        product_name=product.name,
                        sku=variant.sku,
                        variant_label="",
                        unit_price=product.price,
                        quantity=1,
                        line_total=product.price,
                    )
                )
            total = sum((line.line_total for line in lines), Decimal("0"))
            order = Order(
                number=f"{ORDER_PREFIX}{index:02d}-{k:02d}",
                name=name,
                email=user.email,
                address={
                    "line1": "1 Demo Street",
                    "city": "York",
                    "postal_code": "YO1 7HH",
                    "country": "GB",
                },
                delivery="standard",
                subtotal=total,
                shipping=Decimal("0.00"),
                total=total,
                created_at=when,
                lines=lines,
            )
            owned.append((user, Profile(data=profile), order))
            for product in bought:
                if rng.random() > 0.6:
                    continue
                stars = min(5, max(1, round(expected_stars(product, profile) + rng.gauss(0, 0.7))))
                created = when + dt.timedelta(days=rng.uniform(5, 20))
                reviews.append(
                    (
                        user,
                        Review(
                            product_id=product.id,
                            rating=stars,
                            title=rng.choice(TITLES[stars]),
                            body=_body(rng, stars, product, profile),
                            status=PUBLISHED,
                            size_fit=_size_fit(rng, product.slug, traits)
                            if is_footwear(product)
                            else None,
                            width_fit=_width_fit(rng, profile.get("width"))
                            if is_footwear(product)
                            else None,
                            created_at=min(created, now),
                            updated_at=min(created, now),
                        ),
                    )
                )
                reviewed.add(product.id)
    session.add_all(reviewers)
    session.flush()
    for user, saved_profile, order in owned:
        saved_profile.user_id = order.user_id = user.id
        session.add_all([saved_profile, order])
    for user, review in reviews:
        review.user_id = user.id
    session.add_all([review for _, review in reviews])
    session.flush()
    _vote(session, rng, reviewers, [review for _, review in reviews])
    for product_id in reviewed:
        refresh_product(session, product_id)
    session.commit()
    return DemoReviewReport(reviewers=len(reviewers), reviews=len(reviews))


def _vote(
    session: Session, rng: random.Random, reviewers: list[User], reviews: list[Review]
) -> None:
    """A few "helpful" votes from other demo reviewers, more for the longer reviews."""
    for review in reviews:
        voters = [u for u in reviewers if u.id != review.user_id]
        count = min(len(voters), int(rng.random() * len(review.body) / 40))
        for voter in rng.sample(voters, count):
            session.add(ReviewVote(review_id=review.id, user_id=voter.id))
        review.helpful_count = count
