"""The profile form page: labelled, grouped, keyboard usable, a message next to each bad answer."""

from __future__ import annotations

import re

import pytest
from profile_cases import HEIGHT, MINUTES, WALKS, WEIGHT

from shop.profile.schema import PROFILE_FIELDS

PASSWORD = "correct horse battery"


def saved(client) -> dict:
    return client.get("/api/profile").get_json()


def test_every_input_has_a_label_and_groups_have_fieldsets(client):
    html = client.get("/profile").get_data(as_text=True)
    html = html[html.index('<form class="stacked profile-form"') :]
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html)
    assert len(ids) >= 7
    for input_id in ids:
        assert f'<label for="{input_id}">' in html
    # Checkboxes and radios are wrapped in their label, inside a fieldset with a legend.
    for name in ("goals", "pain_areas", "terrain", "fitness_level", "arch", "overpronation", "size_system"):
        assert re.search(rf'<fieldset id="f-{name}"[^>]*>\s*<legend>', html), name
        assert re.search(rf'<label><input type="(checkbox|radio)" name="{name}"', html), name
    assert html.count("<legend>") >= 9
    assert 'tabindex="-' not in html  # nothing taken out of the keyboard's tab order


def test_the_form_has_a_field_for_every_profile_field(client):
    html = client.get("/profile").get_data(as_text=True)
    for name in PROFILE_FIELDS:
        assert f'name="{"shoe_size" if name == "shoe_size_eu" else name}"' in html, name


def test_a_guest_saves_the_form_and_sees_it_again(client):
    response = client.post(
        "/profile",
        data={
            "age_band": "60-74",
            "height_cm": "168",
            "weight_kg": "70.5",
            "fitness_level": "regular",
            "goals": ["pain-relief", "walk-daily"],
            "arch": "high",
            "overpronation": "no",
            "shoe_size": "41",
            "size_system": "eu",
            "width": "regular",
            "pain_areas": ["hips"],
            "terrain": ["trail"],
            "walks_per_week": "4",
            "minutes_per_walk": "30",
            "csrf_token": "ignored",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert saved(client) == {
        "age_band": "60-74",
        "height_cm": 168,
        "weight_kg": 70.5,
        "fitness_level": "regular",
        "goals": ["pain-relief", "walk-daily"],
        "arch": "high",
        "overpronation": "no",
        "shoe_size_eu": 41,
        "width": "regular",
        "pain_areas": ["hips"],
        "terrain": ["trail"],
        "walks_per_week": 4,
        "minutes_per_walk": 30,
    }
    html = client.get("/profile").get_data(as_text=True)
    assert "Your profile is saved." in html
    assert '<option value="60-74" selected>' in html
    assert 'name="goals" value="walk-daily" checked' in html
    assert 'name="arch" value="high" checked' in html
    assert 'id="f-shoe_size" name="shoe_size" type="text" inputmode="decimal" size="5" value="41"' in html


def test_blank_answers_are_not_stored(client):
    client.post("/profile", data={"age_band": "", "height_cm": "", "arch": "", "shoe_size": "", "size_system": "eu"})
    assert saved(client) == {}


@pytest.mark.parametrize(
    ("size", "system", "eu"),
    [("42", "eu", 42), ("8", "uk", 41.5), ("8.5", "uk", 42), ("9", "us", 41.5), ("10,5", "us", 43)],
)
def test_uk_and_us_shoe_sizes_are_converted_to_eu(client, size, system, eu):
    assert client.post("/profile", data={"shoe_size": size, "size_system": system}).status_code == 302
    assert saved(client) == {"shoe_size_eu": eu}


FORM_ERRORS = [
    ({"height_cm": "99"}, "height_cm", HEIGHT),
    ({"height_cm": "1.80"}, "height_cm", "Enter a whole number. " + HEIGHT),
    ({"weight_kg": "heavy"}, "weight_kg", "Enter a number. " + WEIGHT),
    ({"weight_kg": "300"}, "weight_kg", WEIGHT),
    ({"walks_per_week": "30"}, "walks_per_week", WALKS),
    ({"minutes_per_walk": "-1"}, "minutes_per_walk", MINUTES),
    ({"age_band": "99-plus"}, "age_band", "Choose one of: under-30, 30-44, 45-59, 60-74, 75-plus."),
    ({"fitness_level": "elite"}, "fitness_level", "Choose one of: inactive, beginner, regular, active."),
    ({"arch": "round"}, "arch", "Choose one of: flat, neutral, high, unknown."),
    ({"overpronation": "maybe"}, "overpronation", "Choose one of: yes, no, unknown."),
    ({"width": "xxl"}, "width", "Choose one of: narrow, regular, wide, extra-wide."),
    (
        {"goals": ["fly"]},
        "goals",
        "Choose any of: pain-relief, walk-daily, prevent-relapse, lose-weight, build-strength.",
    ),
    ({"pain_areas": ["elbow"]}, "pain_areas", "Choose any of: lower-back, upper-back, neck, hips, knees, feet."),
    ({"terrain": ["sea"]}, "terrain", "Choose any of: pavement, trail, hills, wet."),
    ({"shoe_size": "60", "size_system": "eu"}, "shoe_size", "EU shoe size must be between 35 and 50."),
    ({"shoe_size": "42.3", "size_system": "eu"}, "shoe_size", "Use a whole or half size, like 42 or 42.5."),
    ({"shoe_size": "20", "size_system": "uk"}, "shoe_size", "UK shoe size must be between 1.5 and 16.5."),
    ({"shoe_size": "1", "size_system": "us"}, "shoe_size", "US shoe size must be between 2.5 and 17.5."),
    ({"shoe_size": "8.25", "size_system": "uk"}, "shoe_size", "Use a whole or half size, like 8.5 or 9."),
    (
        {"shoe_size": "big", "size_system": "uk"},
        "shoe_size",
        "Enter a number, like 8.5 or 9. UK shoe size must be between 1.5 and 16.5.",
    ),
    ({"shoe_size": "42", "size_system": "jp"}, "shoe_size", "Choose EU, UK or US sizes."),
]


@pytest.mark.parametrize(("form", "field", "message"), FORM_ERRORS)
def test_a_bad_answer_is_shown_next_to_its_field(client, form, field, message):
    response = client.post("/profile", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="f-{field}-error">{message}</p>' in html
    assert f'aria-describedby="f-{field}-error" aria-invalid="true"' in html
    assert f'<li><a href="#f-{field}">{message}</a></li>' in html  # the summary links to the field
    assert saved(client) == {}


def test_the_form_keeps_what_was_entered_when_it_comes_back(client):
    html = client.post(
        "/profile",
        data={"height_cm": "999", "arch": "flat", "goals": ["walk-daily"], "shoe_size": "8", "size_system": "uk"},
    ).get_data(as_text=True)
    assert 'value="999"' in html
    assert 'name="arch" value="flat" checked' in html
    assert 'name="goals" value="walk-daily" checked' in html
    assert 'name="size_system" value="uk" checked' in html and 'value="8"' in html


def test_clearing_the_profile(client):
    client.post("/profile", data={"arch": "flat"})
    response = client.post("/profile/delete")
    assert response.status_code == 302
    assert saved(client) == {}
    assert "Your profile is cleared." in client.get("/profile").get_data(as_text=True)


def test_guests_are_invited_to_keep_their_profile_with_an_account(client):
    assert "Create an account" in client.get("/profile").get_data(as_text=True)
    client.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    assert "Create an account" not in client.get("/profile").get_data(as_text=True)


def test_an_account_saves_its_own_profile(client):
    client.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    client.post("/profile", data={"arch": "neutral"})
    client.post("/account/logout")
    assert saved(client) == {}
    client.post("/account/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert saved(client) == {"arch": "neutral"}


def test_the_error_summary_follows_the_order_of_the_form(client):
    html = client.post("/profile", data={"minutes_per_walk": "999", "shoe_size": "99", "height_cm": "1"}).get_data(
        as_text=True
    )
    summary = html[html.index('class="error-summary"') : html.index("</ul>", html.index('class="error-summary"'))]
    assert summary.index("#f-height_cm") < summary.index("#f-shoe_size") < summary.index("#f-minutes_per_walk")
