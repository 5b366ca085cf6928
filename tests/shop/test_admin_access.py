"""Who may open which part of the back office: every admin route, for every kind of visitor.

The routes are read from the app's URL map and the roles from what each area declared, so a new
area is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from admin_helpers import STAFF_PASSWORD, log_in_as, make_staff, staff_client

from shop.admin.access import ROLES_BY_BLUEPRINT
from shop.admin.roles import ROLES, may

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def admin_routes(app) -> list[tuple[str, str, str]]:
    """(method, URL with sample arguments, blueprint) for every back-office rule."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/admin") or rule.rule.startswith("/api/admin")):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        blueprint = rule.endpoint.rsplit(".", 1)[0]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url, blueprint))
    return routes


def call(client, method: str, url: str):
    if method in WRITE_METHODS and url.startswith("/api/"):
        return client.open(url, method=method, json={})
    return client.open(url, method=method)


def test_every_admin_route_belongs_to_a_protected_area(app):
    routes = admin_routes(app)
    assert routes, "the back office has routes"
    unprotected = {blueprint for _m, _u, blueprint in routes} - set(ROLES_BY_BLUEPRINT)
    assert not unprotected, f"admin blueprints without access.protect: {unprotected}"


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_non_staff_get_404_everywhere_under_admin(app, who):
    client = app.test_client()
    if who == "shopper":
        log_in_as(client, make_staff(app, None))
    for method, url, _blueprint in admin_routes(app):
        response = call(client, method, url)
        assert response.status_code == 404, (who, method, url, response.status_code)
    assert client.get("/admin/no-such-page").status_code == 404
    assert client.get("/api/admin").headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_areas(app, role):
    client = staff_client(app, role)
    make_staff(app, "admin", "other-admin@example.com")  # so nothing is "the last admin"
    for method, url, blueprint in admin_routes(app):
        allowed = may(role, ROLES_BY_BLUEPRINT[blueprint])
        if not allowed:
            response = call(client, method, url)
            assert response.status_code == 403, (role, method, url, response.status_code)
        elif method == "GET":  # writes of allowed roles are tested area by area
            response = call(client, method, url)
            assert response.status_code not in (403, 500), (role, method, url, response.status_code)


def test_overview_lists_only_the_sections_of_the_role(app):
    support = staff_client(app, "support")
    page = support.get("/admin").get_data(as_text=True)
    assert "Back office" in page and "Audit log" not in page and "Staff</a>" not in page
    admin = staff_client(app, "admin", "boss@example.com")
    page = admin.get("/admin").get_data(as_text=True)
    assert "Audit log" in page and "/admin/staff" in page
    assert admin.get("/api/admin").get_json()["role"] == "admin"


def test_shop_header_links_the_back_office_for_staff_only(app):
    assert "Back office" in staff_client(app, "merchandiser").get("/").get_data(as_text=True)
    shopper = app.test_client()
    log_in_as(shopper, make_staff(app, None))
    assert "Back office" not in shopper.get("/").get_data(as_text=True)


def test_staff_log_in_through_the_shops_own_log_in(app):
    make_staff(app, "support", "help@example.com")
    client = app.test_client()
    assert client.get("/admin").status_code == 404
    response = client.post("/api/account/login", json={"email": "help@example.com", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin").status_code == 200


def test_taking_a_role_away_closes_the_back_office_at_once(app):
    client = staff_client(app, "merchandiser", "m@example.com")
    assert client.get("/admin").status_code == 200
    admin = staff_client(app, "admin", "boss@example.com")
    user_id = admin.get("/api/admin/staff").get_json()
    target = next(u["id"] for u in user_id if u["email"] == "m@example.com")
    assert admin.delete(f"/api/admin/staff/{target}").status_code == 204
    assert client.get("/admin").status_code == 404


def test_admin_pages_are_never_cached(app):
    response = staff_client(app, "admin").get("/admin")
    assert "no-store" in response.headers["Cache-Control"]
