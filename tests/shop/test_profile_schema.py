"""The profile schema and service: every field optional, every value checked, a clear message each."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from profile_cases import FULL, INVALID

from shop.profile import service
from shop.profile.schema import ProfileSchema


def load(data):
    return ProfileSchema().load(data)


def test_every_field_is_optional():
    assert load({}) == {}


def test_a_full_profile_loads_unchanged():
    assert load(FULL) == FULL


@pytest.mark.parametrize(
    ("field", "value"),
    [("age_band", "under-30"), ("age_band", "75-plus"), ("height_cm", 100), ("height_cm", 230),
     ("weight_kg", 30), ("weight_kg", 250), ("fitness_level", "active"), ("goals", ["build-strength"]),
     ("arch", "unknown"), ("overpronation", "no"), ("shoe_size_eu", 35), ("shoe_size_eu", 50),
     ("width", "extra-wide"), ("pain_areas", ["feet", "neck"]), ("terrain", ["trail"]),
     ("walks_per_week", 0), ("walks_per_week", 21), ("minutes_per_walk", 0), ("minutes_per_walk", 300)],
)  # fmt: skip
def test_boundary_values_are_accepted(field, value):
    assert load({field: value}) == {field: value}




@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_each_invalid_value_gets_a_clear_message(field, value, message):
    with pytest.raises(ValidationError) as error:
        load({field: value})
    assert error.value.messages == {field: [message]}


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError) as error:
        load({"arch": "flat", "favourite_colour": "green"})
    assert error.value.messages == {"favourite_colour": ["Unknown field."]}


def test_null_and_empty_lists_mean_not_told():
    assert load({"arch": None, "goals": [], "height_cm": None}) == {}


def test_repeated_list_words_count_once():
    assert load({"goals": ["walk-daily", "walk-daily", "pain-relief"]}) == {"goals": ["walk-daily", "pain-relief"]}


def test_numbers_from_a_form_are_converted():
    assert load({"height_cm": "180", "weight_kg": "72.5", "walks_per_week": "3"}) == {
        "height_cm": 180, "weight_kg": 72.5, "walks_per_week": 3}


def test_not_a_number_is_refused():
    with pytest.raises(ValidationError):
        load({"weight_kg": float("nan")})


# ---------------------------------------------------------------- service


def test_guest_and_account_profiles_are_kept_apart(session):
    from shop.accounts.service import register

    ann = register(session, "ann@example.com", "correct horse battery")
    service.save_profile(session, {"arch": "flat"}, visitor_id="guest-1")
    service.save_profile(session, {"arch": "high"}, user_id=ann.id)
    assert service.get_profile(session, visitor_id="guest-1") == {"arch": "flat"}
    assert service.get_profile(session, user_id=ann.id) == {"arch": "high"}
    assert service.get_profile(session, visitor_id="someone-else") == {}


def test_saving_replaces_the_profile(session):
    service.save_profile(session, {"arch": "flat", "width": "wide"}, visitor_id="guest-1")
    service.save_profile(session, {"arch": "neutral"}, visitor_id="guest-1")
    assert service.get_profile(session, visitor_id="guest-1") == {"arch": "neutral"}


def test_current_profile_is_empty_for_a_new_visitor(app):
    with app.test_request_context("/"):
        from flask import session

        assert service.current_profile() == {}
        assert "visitor_id" not in session  # asking creates no visitor id


def test_current_profile_of_a_guest_and_of_an_account(app, session):
    from shop.accounts.service import register

    ann = register(session, "ann@example.com", "correct horse battery")
    service.save_profile(session, {"arch": "flat"}, visitor_id="guest-1")
    service.save_profile(session, {"arch": "high"}, user_id=ann.id)
    with app.test_request_context("/"):
        from flask import session as cookie

        cookie["visitor_id"] = "guest-1"
        assert service.current_profile() == {"arch": "flat"}
        cookie["user_id"] = ann.id
        assert service.current_profile() == {"arch": "high"}
