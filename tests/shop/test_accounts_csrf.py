"""With CSRF protection on (as in production), account and profile forms refuse a post without a token."""

from __future__ import annotations

import re

import pytest

from shop import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def csrf_client(app, app_config):
    """A client of an app with CSRF enabled, on the same (wiped after the test) database."""
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield csrf_app.test_client()
    csrf_app.extensions["database"].engine.dispose()


def token_from(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/account/register", {"email": "ann@example.com", "password": PASSWORD}),
        ("/account/login", {"email": "ann@example.com", "password": PASSWORD}),
        ("/account/logout", {}),
        ("/profile", {"arch": "flat"}),
        ("/profile/delete", {}),
    ],
)
def test_a_form_post_without_a_token_is_refused(csrf_client, url, form):
    response = csrf_client.post(url, data=form)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_a_forged_token_is_refused(csrf_client):
    token_from(csrf_client, "/account/register")
    response = csrf_client.post("/account/register", data={"email": "ann@example.com", "password": PASSWORD,
                                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_the_forms_work_with_their_token(csrf_client):
    token = token_from(csrf_client, "/account/register")
    response = csrf_client.post("/account/register",
                                data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    token = token_from(csrf_client, "/account")
    assert csrf_client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    token = token_from(csrf_client, "/account/login")
    response = csrf_client.post("/account/login",
                                data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    token = token_from(csrf_client, "/profile")
    assert csrf_client.post("/profile", data={"arch": "flat", "csrf_token": token}).status_code == 302
