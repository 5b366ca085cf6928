"""``/admin/profile-rules`` and ``/api/admin/profile-rules``: edit the profile rule table, with
every mistake named before it is saved and a preview on three example shoppers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from recommender.profile import RulesError

from ..errors import abort_with
from ..extensions import db
from ..recommendations import profile_rules_store as store
from ..schemas import Text
from . import audit
from .access import current_staff, protect, protect_api
from .roles import CATALOG

pages = protect(Blueprint("admin_profile_rules", __name__, url_prefix="/admin/profile-rules"), CATALOG)
api = protect_api(ApiBlueprint("admin_profile_rules_api", __name__, url_prefix="/api/admin/profile-rules",
                               description="The profile rule table of the footwear suggestions."), CATALOG)


class TableSchema(Schema):
    class Meta:
        unknown = RAISE

    text = Text(required=True, multiline=True, validate=validate.Length(min=1, max=store.MAX_BYTES))


class TableOutSchema(Schema):
    text = fields.String()
    source = fields.String(metadata={"description": "saved (the shop's own) or shipped"})
    rules = fields.Integer()


class PreviewItemSchema(Schema):
    slug = fields.String()
    name = fields.String()
    score = fields.Float()
    demoted = fields.Boolean()
    reason = fields.String()


class PreviewSchema(Schema):
    name = fields.String()
    profile = fields.Dict()
    current = fields.List(fields.Nested(PreviewItemSchema))
    proposed = fields.List(fields.Nested(PreviewItemSchema))


def _source() -> str:
    return "saved" if store.current_path() == store.saved_path() else "shipped"


def _page(text: str, *, error: str | None = None, preview=None, status: int = 200):
    return render_template("admin/profile_rules.html", text=text, error=error, preview=preview,
                           source=_source()), status


def _save(text: str) -> None:
    before = store.summary(store.current_text())
    store.save(text)
    after = store.summary(text)
    audit.record(db.session, current_staff(), "profile_rules.update", "profile_rules", "table",
                 before=before, after=after)
    db.session.commit()


@pages.route("", methods=["GET"], endpoint="edit")
def edit():
    return _page(store.current_text())


@pages.route("", methods=["POST"], endpoint="submit")
def submit():
    text = request.form.get("text", "").replace("\r\n", "\n")
    try:
        TableSchema().load({"text": text})
        preview = store.preview(db.session, text)
    except RulesError as exc:
        return _page(text, error=str(exc), status=422)
    except ValidationError as exc:
        return _page(text, error=" ".join(exc.messages.get("text", ["Invalid rule table."])), status=422)
    if request.form.get("action") == "save":
        _save(text)
        flash("Profile rules saved: they take effect at the next training (Retrain now on the model page).", "info")
        return redirect(url_for("admin_profile_rules.edit"))
    return _page(text, preview=preview)


@api.route("", methods=["GET"])
@api.response(200, TableOutSchema)
def api_get():
    """The rule table in use (YAML), whether it is the shop's own or the shipped one."""
    text = store.current_text()
    return {"text": text, "source": _source(), "rules": len(store.check(text))}


@api.route("/preview", methods=["POST"])
@api.arguments(TableSchema, error_status_code=422)
@api.response(200, PreviewSchema(many=True))
@api.alt_response(422, description="The table is invalid; the detail names the rule and the word.")
def api_preview(data):
    """Check a table and show the example shoppers' top footwear under it and under the current one."""
    try:
        return store.preview(db.session, data["text"])
    except RulesError as exc:
        abort_with(422, str(exc))


@api.route("", methods=["PUT"])
@api.arguments(TableSchema, error_status_code=422)
@api.response(200, TableOutSchema)
@api.alt_response(422, description="The table is invalid; nothing was saved.")
def api_put(data):
    """Check and save a new table; it takes effect at the next training."""
    try:
        rules = store.check(data["text"])
        _save(data["text"])
    except RulesError as exc:
        abort_with(422, str(exc))
    return {"text": data["text"], "source": "saved", "rules": len(rules)}
