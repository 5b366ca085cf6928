"""The footwear finder: asks what the profile lacks, saves it, shows shoes that fit."""

from __future__ import annotations

import re

import pytest
from rec_helpers import FLAT_FOOTED_LOWER_BACK, install_model
from sqlalchemy import select

from catalog.models import Product, Variant


@pytest.fixture
def trained(demo):
    install_model(demo)
    return demo


def shown(html: str) -> list[str]:
    return re.findall(r'/products/([a-z0-9-]+)\?rec=footwear"', html)


def test_a_new_visitor_is_asked_every_question_with_labels(trained, client):
    html = client.get("/footwear").get_data(as_text=True)
    assert "<form" in html
    for name in ("arch", "overpronation", "shoe_size", "width", "pain_areas", "terrain", "fitness_level"):
        assert f'name="{name}"' in html, name
    assert '<label for="f-shoe_size">Shoe size</label>' in html
    assert '<label for="f-width">Foot width</label>' in html
    assert "<legend>What are your arches like?</legend>" in html
    assert shown(html) == []


def test_answers_are_saved_to_the_profile_and_shoes_in_size_shown_with_reasons(trained, client, session):
    response = client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK)
    assert response.status_code == 302
    profile = client.get("/api/profile").get_json()
    assert profile["arch"] == "flat" and profile["shoe_size_eu"] == 42 and profile["pain_areas"] == ["lower-back"]

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    slugs = shown(html)
    assert len(slugs) >= 5
    fits = set(
        session.scalars(
            select(Product.slug)
            .join(Variant)
            .where(Variant.size_eu.between(41.5, 42.5), Variant.width == "regular", Variant.stock > 0)
        )
    )
    assert set(slugs) <= fits
    assert html.count('<ul class="reasons">') >= len(slugs)
    assert "High arch support for flat feet" in html
    assert "size EU 42" in html and "Refine your answers" in html

    # Once answered, the finder goes straight to the shoes.
    assert shown(client.get("/footwear").get_data(as_text=True))


def test_only_missing_questions_are_asked(trained, client):
    assert client.put("/api/profile", json={"arch": "high", "shoe_size_eu": 44, "width": "regular"}).status_code in (
        200,
        204,
    )
    html = client.get("/footwear").get_data(as_text=True)
    assert 'name="arch"' not in html and 'name="shoe_size"' not in html
    assert 'name="pain_areas"' in html and 'name="terrain"' in html
    client.post(
        "/footwear",
        data={
            "asked": ["overpronation", "pain_areas", "terrain", "fitness_level"],
            "overpronation": "no",
            "terrain": ["trail"],
            "fitness_level": "active",
        },
    )
    profile = client.get("/api/profile").get_json()
    assert profile["arch"] == "high" and profile["terrain"] == ["trail"] and profile["shoe_size_eu"] == 44


def test_refine_shows_every_question_with_current_answers(trained, client):
    client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK)
    html = client.get("/footwear/refine").get_data(as_text=True)
    assert 'value="flat" checked' in html
    assert 'value="42"' in html
    client.post("/footwear", data={**FLAT_FOOTED_LOWER_BACK, "arch": "high", "overpronation": "no"})
    assert client.get("/api/profile").get_json()["arch"] == "high"


@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("shoe_size", "99", "shoe_size"),
        ("shoe_size", "forty", "shoe_size"),
        ("arch", "wobbly", "arch"),
        ("width", "enormous", "width"),
    ],
)
def test_bad_answers_are_explained_next_to_the_field(trained, client, field, value, error_field):
    response = client.post("/footwear", data={**FLAT_FOOTED_LOWER_BACK, field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="f-{error_field}-error"' in html
    assert "arch" not in (client.get("/api/profile").get_json() or {})  # nothing saved


def test_extra_wide_feet_get_only_shoes_made_in_extra_wide(trained, client, session):
    client.post(
        "/footwear",
        data={
            **FLAT_FOOTED_LOWER_BACK,
            "width": "extra-wide",
            "shoe_size": "39",
            "arch": "unknown",
            "overpronation": "unknown",
            "pain_areas": ["hips"],
        },
    )
    slugs = shown(client.get("/footwear").get_data(as_text=True))
    assert slugs
    fits = set(
        session.scalars(
            select(Product.slug)
            .join(Variant)
            .where(Variant.size_eu.between(38.5, 39.5), Variant.width == "extra-wide", Variant.stock > 0)
        )
    )
    assert set(slugs) <= fits


def test_skipping_the_questions_still_shows_shoes(trained, client):
    html = client.get("/footwear?show=1").get_data(as_text=True)
    assert shown(html)
    assert "most popular" in html


def test_wet_weather_walkers_see_waterproof_shoes_with_the_reason(trained, client, session):
    answers = {
        **FLAT_FOOTED_LOWER_BACK,
        "arch": "neutral",
        "overpronation": "no",
        "pain_areas": [],
        "terrain": ["wet"],
        "width": "regular",
        "shoe_size": "42",
    }
    response = client.post("/footwear", data=answers)
    assert response.status_code == 302
    assert client.get("/api/profile").get_json()["terrain"] == ["wet"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    slugs = shown(html)
    waterproof = set(session.scalars(select(Product.slug).where(Product.waterproof.is_(True))))
    assert slugs and slugs[0] in waterproof
    assert "Waterproof for wet-weather walks" in html


def links(html: str, slot: str) -> list[str]:
    return re.findall(rf'/products/([a-z0-9-]+)\?rec={slot}"', html)


def test_a_uk_half_size_shows_the_shoes_a_fitter_would_try(trained, client, session):
    """UK 9 is EU 42.5: shoes in EU 42 and 43 fit too, so the list is as full as for EU 42."""
    client.post("/footwear", data={**FLAT_FOOTED_LOWER_BACK, "size_system": "uk", "shoe_size": "9"})
    assert client.get("/api/profile").get_json()["shoe_size_eu"] == 42.5
    half = shown(client.get("/footwear").get_data(as_text=True))
    client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK)
    whole = shown(client.get("/footwear").get_data(as_text=True))
    assert len(half) >= len(whole) - 2 and len(half) >= 8
    fits = set(
        session.scalars(
            select(Product.slug)
            .join(Variant)
            .where(Variant.size_eu.between(42, 43), Variant.width == "regular", Variant.stock > 0)
        )
    )
    assert set(half) <= fits


def test_few_matches_say_so_and_offer_the_next_width_and_insoles(trained, client, session):
    client.post("/footwear", data={**FLAT_FOOTED_LOWER_BACK, "shoe_size": "46", "width": "extra-wide"})
    html = client.get("/footwear").get_data(as_text=True)
    shoes = shown(html)
    assert 0 < len(shoes) < 4
    assert f"Only {len(shoes)} shoe" in html and "nearest alternatives" in html

    wider = links(html, "footwear-other-width")
    wide_fits = set(
        session.scalars(
            select(Product.slug)
            .join(Variant)
            .where(Variant.size_eu.between(45.5, 46.5), Variant.width == "wide", Variant.stock > 0)
        )
    )
    assert wider and set(wider) <= wide_fits and not set(wider) & set(shoes)
    assert ">In the next width</h2>" in html

    insoles = links(html, "footwear-insoles")
    paths = {p.slug: p.category.path for p in session.scalars(select(Product).where(Product.slug.in_(insoles)))}
    assert insoles and all("insoles-and-orthotics" in paths[slug] for slug in insoles)
    assert html.count('<ul class="reasons">') >= len(shoes) + len(wider) + len(insoles)


def test_enough_matches_offer_no_alternatives(trained, client):
    client.post("/footwear", data=FLAT_FOOTED_LOWER_BACK)
    html = client.get("/footwear").get_data(as_text=True)
    assert len(shown(html)) >= 4
    assert "nearest alternatives" not in html and "rec=footwear-insoles" not in html


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        ("narrow", "regular"),
        ("regular", "wide"),
        ("wide", "extra-wide"),
        ("extra-wide", "wide"),
        (None, None),
        ("enormous", None),
    ],
)
def test_the_next_width_is_one_wider_or_down_from_the_widest(width, expected):
    from shop.footwear.alternatives import next_width

    assert next_width(width) == expected
