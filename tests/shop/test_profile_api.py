"""``GET/PUT/DELETE /api/profile``: JSON only, problem details per field, always your own profile."""

from __future__ import annotations

import pytest
from profile_cases import FULL, INVALID

PASSWORD = "correct horse battery"


def put(client, body, **kwargs):
    return client.put("/api/profile", json=body, **kwargs)


def test_a_new_visitor_has_an_empty_profile_and_gets_no_cookie(client):
    response = client.get("/api/profile")
    assert response.status_code == 200
    assert response.get_json() == {}
    assert "Set-Cookie" not in response.headers


def test_a_guest_saves_and_reads_back_a_profile(client):
    response = put(client, FULL)
    assert response.status_code == 200
    assert response.get_json() == FULL
    assert client.get("/api/profile").get_json() == FULL


def test_put_replaces_the_whole_profile(client):
    put(client, FULL)
    put(client, {"arch": "neutral", "goals": None})
    assert client.get("/api/profile").get_json() == {"arch": "neutral"}


def test_delete_forgets_the_profile(client):
    put(client, FULL)
    assert client.delete("/api/profile").status_code == 204
    assert client.get("/api/profile").get_json() == {}


@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_each_invalid_field_is_a_422_problem_naming_it(client, field, value, message):
    response = put(client, {field: value})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["invalid_params"] == [{"name": field, "reason": message}]
    assert problem["detail"] == f"Invalid value for: {field}."


def test_unknown_fields_are_a_422_problem(client):
    problem = put(client, {"arch": "flat", "colour": "green"}).get_json()
    assert problem["status"] == 422
    assert problem["invalid_params"] == [{"name": "colour", "reason": "Unknown field."}]


def test_an_invalid_put_changes_nothing(client):
    put(client, FULL)
    put(client, {**FULL, "height_cm": 999})
    assert client.get("/api/profile").get_json() == FULL


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("arch=flat", "application/x-www-form-urlencoded"), ('{"arch": "flat"}', "text/plain"),
     ('{"arch": "flat"}', None)],
)
def test_writes_accept_only_json(client, data, content_type):
    put(client, {"arch": "high"})
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.put("/api/profile", data=data, headers=headers)
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert "application/json" in response.get_json()["detail"]
    assert client.get("/api/profile").get_json() == {"arch": "high"}  # untouched


@pytest.mark.parametrize("body", ["[1, 2]", '"flat"', "{not json"])
def test_a_body_that_is_not_a_json_object_is_refused(client, body):
    response = client.put("/api/profile", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_an_account_has_its_own_profile(client):
    put(client, {"arch": "flat"})
    client.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    put(client, {"arch": "high"})
    assert client.get("/api/profile").get_json() == {"arch": "high"}
    client.post("/account/logout")
    assert client.get("/api/profile").get_json() == {}  # a logged-out browser sees nothing of Ann's


def test_nobody_sees_another_persons_profile(app):
    ann, bob = app.test_client(), app.test_client()
    ann.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD})
    put(ann, {"pain_areas": ["lower-back"], "weight_kg": 90})
    assert bob.get("/api/profile").get_json() == {}
    bob.post("/account/register", data={"email": "bob@example.com", "password": PASSWORD})
    assert bob.get("/api/profile").get_json() == {}
    assert bob.get("/api/profile/1").status_code == 404  # there is no way to name someone else's


def test_the_profile_is_documented_in_openapi(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {"get", "put", "delete"} <= set(spec["paths"]["/api/profile"])
