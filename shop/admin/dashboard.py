"""``/admin``: the overview every staff member lands on, and ``GET /api/admin`` (who am I)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from .access import current_staff, protect, protect_api
from .navigation import sections_for
from .roles import ANY_STAFF

pages = protect(Blueprint("admin", __name__, url_prefix="/admin"), ANY_STAFF)
api = protect_api(ApiBlueprint("admin_api", __name__, url_prefix="/api/admin",
                               description="The back office: staff only (others get 404)."), ANY_STAFF)


@pages.route("")
def index():
    staff = current_staff()
    return render_template("admin/index.html", staff=staff, sections=sections_for(staff.role))


class SectionSchema(Schema):
    label = fields.String()
    url = fields.String()
    summary = fields.String()


class StaffMeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    sections = fields.List(fields.Nested(SectionSchema))


@api.route("", methods=["GET"])
@api.response(200, StaffMeSchema)
def me():
    """The logged-in staff member, their role and the sections they may use."""
    staff = current_staff()
    return {"id": staff.id, "email": staff.email, "role": staff.role, "sections": sections_for(staff.role)}
