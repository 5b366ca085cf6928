"""Who may open the back office: staff by role; everybody else is told it does not exist.

Shoppers and anonymous visitors get a plain 404 under ``/admin`` and ``/api/admin`` (the back
office is not advertised); a staff member whose role does not cover an area gets a 403 that
says so. The role is read from the database on every request, so taking a role away takes
effect at once, in every session.
"""

from __future__ import annotations

from flask import Blueprint, abort, g

from .. import visitor
from ..errors import abort_with
from ..extensions import db
from ..models import User
from .roles import may

#: blueprint name -> the roles that may use it; the authorization tests walk this.
ROLES_BY_BLUEPRINT: dict[str, tuple[str, ...]] = {}


def current_staff() -> User | None:
    """The logged-in account if it has a staff role, else None (cached for the request)."""
    if "staff_user" not in g:
        user_id = visitor.user_id()
        user = db.session.get(User, user_id) if user_id is not None else None
        g.staff_user = user if user is not None and user.role else None
    return g.staff_user


def require(allowed: tuple[str, ...]) -> User:
    """The current staff member, after checking their role: 404 for non-staff, 403 for others."""
    staff = current_staff()
    if staff is None:
        abort(404)
    if not may(staff.role, allowed):
        abort_with(403, f"Your role ({staff.role}) does not cover this part of the back office.")
    return staff


def hide_from_non_staff(app) -> None:
    """404 for anyone but staff anywhere under ``/admin`` and ``/api/admin``, before any other
    check (CSRF, JSON-only) could answer otherwise and so tell that the route exists."""
    from flask import request

    def _hide() -> None:
        path = request.path
        if (path == "/admin" or path.startswith("/admin/") or path == "/api/admin"
                or path.startswith("/api/admin/")) and current_staff() is None:
            abort(404)

    hooks = app.before_request_funcs.setdefault(None, [])
    at = next((i for i, hook in enumerate(hooks) if "csrf" in getattr(hook, "__qualname__", "").lower()),
              len(hooks))
    hooks.insert(at, _hide)


def protect(blueprint: Blueprint, allowed: tuple[str, ...]) -> Blueprint:
    """Guard every route of ``blueprint`` (pages or API) with ``require(allowed)``."""
    ROLES_BY_BLUEPRINT[blueprint.name] = tuple(allowed)
    blueprint.before_request(lambda: require(allowed) and None)
    blueprint.context_processor(_menu)
    return blueprint


def _menu() -> dict:
    """What ``admin/base.html`` needs on every back-office page: who, and their menu."""
    from .navigation import sections_for

    staff = current_staff()
    return {"admin_staff": staff, "admin_sections": sections_for(staff.role if staff else None)}


def protect_api(blueprint: Blueprint, allowed: tuple[str, ...]) -> Blueprint:
    """``protect`` for a JSON blueprint: role check, then writes only as ``application/json``.

    A cross-site form cannot send JSON, so the API needs no form CSRF token (as ``/api/account``).
    """
    from flask import request

    from ..extensions import csrf

    protect(blueprint, allowed)

    @blueprint.before_request
    def _json_writes_only() -> None:
        if request.method in {"POST", "PUT", "PATCH"} and not request.is_json:
            abort_with(415, "Send a JSON body with Content-Type: application/json.")

    csrf.exempt(blueprint)
    return blueprint
