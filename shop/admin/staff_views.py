"""``/admin/staff`` and ``/api/admin/staff``: admins give, change and take away staff roles."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError

from ..accounts.forms import field_errors, form_values
from ..errors import abort_with
from ..extensions import db
from .access import current_staff, protect, protect_api
from .roles import ADMIN_ONLY, ROLES
from .schemas import StaffGrantSchema, StaffSchema
from .staff import StaffError, UnknownStaff, grant, list_staff, reset_two_step, revoke

pages = protect(Blueprint("admin_staff", __name__, url_prefix="/admin/staff"), ADMIN_ONLY)
api = protect_api(ApiBlueprint("admin_staff_api", __name__, url_prefix="/api/admin/staff",
                               description="Staff accounts and roles (admin only)."), ADMIN_ONLY)


def _render(errors: dict | None = None, values: dict | None = None, status: int = 200):
    me = current_staff()
    return render_template("admin/staff.html", staff=list_staff(db.session), roles=ROLES,
                           errors=errors or {}, values=values or {},
                           current_user_id=me.id if me else None), status


@pages.route("", endpoint="list_staff")
def list_staff_page():
    return _render()


@pages.route("", methods=["POST"], endpoint="grant")
def grant_page():
    schema = StaffGrantSchema()
    values = form_values(schema, request.form)
    if values.get("password") == "":
        values.pop("password")
    try:
        data = schema.load(values)
        user = grant(db.session, current_staff(), data["email"], data["role"],
                     password=data["password"], name=data["name"])
    except ValidationError as exc:
        return _render(field_errors(exc.messages), values, 422)
    except StaffError as exc:
        return _render({"email": str(exc)}, values, 422)
    flash(f"{user.email} is now {user.role}.", "info")
    return redirect(url_for("admin_staff.list_staff"))


def _change_then_list(change, user_id: int, done: str):
    """Apply ``change`` to the staff member, flash ``done`` (or why not), back to the list."""
    try:
        user = change(db.session, current_staff(), user_id)
    except StaffError as exc:
        flash(str(exc), "error")
    else:
        flash(done.format(email=user.email), "info")
    return redirect(url_for("admin_staff.list_staff"))


@pages.route("/<int:user_id>/remove", methods=["POST"], endpoint="revoke")
def revoke_page(user_id: int):
    return _change_then_list(revoke, user_id, "{email} is no longer staff.")


@pages.route("/<int:user_id>/reset-two-step", methods=["POST"], endpoint="reset_two_step")
def reset_two_step_page(user_id: int):
    return _change_then_list(reset_two_step, user_id, "{email} signs in with the password alone "
                             "until they turn two-step sign-in on again.")


@api.route("", methods=["GET"])
@api.response(200, StaffSchema(many=True))
def api_list():
    """Every staff account and its role."""
    return list_staff(db.session)


@api.route("", methods=["POST"])
@api.arguments(StaffGrantSchema, error_status_code=422)
@api.response(201, StaffSchema)
@api.alt_response(422, description="Invalid e-mail or role, no password for a new account, or the last admin.")
def api_grant(data):
    """Give an account a role; a new e-mail needs a password and gets a new account."""
    try:
        return grant(db.session, current_staff(), data["email"], data["role"],
                     password=data["password"], name=data["name"])
    except StaffError as exc:
        abort_with(422, str(exc))


@api.route("/<int:user_id>", methods=["DELETE"])
@api.response(204)
@api.alt_response(404, description="No staff member with that id.")
@api.alt_response(422, description="The only admin cannot be removed.")
def api_revoke(user_id: int):
    """Make a staff member a shopper again (their second factor is removed too)."""
    try:
        revoke(db.session, current_staff(), user_id)
    except StaffError as exc:
        abort_with(404 if isinstance(exc, UnknownStaff) else 422, str(exc))


@api.route("/<int:user_id>/two-step", methods=["DELETE"])
@api.response(200, StaffSchema)
@api.alt_response(404, description="No staff member with that id.")
@api.alt_response(422, description="Your own account, or no two-step sign-in to reset.")
def api_reset_two_step(user_id: int):
    """Forget a staff member's second factor (a lost authenticator); audited."""
    try:
        return reset_two_step(db.session, current_staff(), user_id)
    except StaffError as exc:
        abort_with(404 if isinstance(exc, UnknownStaff) else 422, str(exc))
