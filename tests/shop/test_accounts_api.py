"""The JSON account endpoints: the same rules as the forms, answered as JSON and problem details."""

from __future__ import annotations

import pytest

PASSWORD = "correct horse battery"


def test_register_login_me_logout(client):
    response = client.post(
        "/api/account/register", json={"email": "Ann@Example.com", "password": PASSWORD, "name": "Ann"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "ann@example.com" and body["messages"] == []
    assert "password" not in body and "password_hash" not in body
    assert client.get("/api/account").get_json()["email"] == "ann@example.com"
    assert client.post("/api/account/logout", json={}).status_code == 204
    assert client.get("/api/account").status_code == 401
    assert client.post("/api/account/login", json={"email": "ann@example.com", "password": PASSWORD}).status_code == 200
    assert client.get("/api/account").status_code == 200


def test_wrong_password_is_401_problem(client):
    client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    client.post("/api/account/logout", json={})
    response = client.post("/api/account/login", json={"email": "ann@example.com", "password": "nope nope"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The e-mail address or password is incorrect."


def test_throttled_login_is_429_problem_with_retry_after(client):
    for _ in range(5):
        client.post("/api/account/login", json={"email": "ann@example.com", "password": "wrong password"})
    response = client.post("/api/account/login", json={"email": "ann@example.com", "password": "wrong password"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["detail"].startswith("Too many failed log-in attempts.")


def test_a_taken_email_answers_like_a_new_one_and_logs_nobody_in(app, client):
    client.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    other = app.test_client()
    response = other.post("/api/account/register", json={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 201
    assert other.get("/api/account").status_code == 401


@pytest.mark.parametrize(
    ("body", "name", "reason"),
    [
        ({"email": "x", "password": PASSWORD}, "email", "Enter a valid e-mail address, like name@example.com."),
        ({"email": "ann@example.com", "password": "short"}, "password", "Use between 8 and 128 characters."),
        ({"email": "ann@example.com"}, "password", "Choose a password."),
        ({"email": "ann@example.com", "password": PASSWORD, "admin": True}, "admin", "Unknown field."),
    ],
)
def test_register_validation_is_422_per_field(client, body, name, reason):
    response = client.post("/api/account/register", json=body)
    assert response.status_code == 422
    assert {"name": name, "reason": reason} in response.get_json()["invalid_params"]


def test_writes_accept_only_json(client):
    response = client.post("/api/account/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 415
