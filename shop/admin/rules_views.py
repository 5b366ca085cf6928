"""``/admin/rules`` and ``/api/admin/rules``: merchandisers pin, boost, bury and exclude."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError

from ..accounts.forms import field_errors, form_values
from ..errors import abort_with
from ..extensions import db
from ..recommendations import registry
from ..recommendations.merch_models import MerchRule
from ..recommendations.merchandising import ACTIONS, TARGET_KINDS
from . import rules as service
from .access import current_staff, protect, protect_api
from .roles import CATALOG
from .rules_schemas import EffectSchema, RuleInputSchema, RuleSchema

pages = protect(Blueprint("admin_rules", __name__, url_prefix="/admin/rules"), CATALOG)
api = protect_api(ApiBlueprint("admin_rules_api", __name__, url_prefix="/api/admin/rules",
                               description="Merchandising rules: pin, boost, bury, exclude."), CATALOG)


def _get(rule_id: int) -> MerchRule:
    rule = db.session.get(MerchRule, rule_id)
    if rule is None:
        abort_with(404, "No merchandising rule with that id.")
    return rule


def _dump(rule: MerchRule) -> dict:
    return {**rule.as_dict(), "id": rule.id, "state": service.state(rule)}


def _form(rule: MerchRule | None = None, errors: dict | None = None, values: dict | None = None, status: int = 200):
    if values is None:
        values = {} if rule is None else {
            **rule.as_dict(), "slot": rule.slot or "",
            "starts_at": rule.starts_at.strftime("%Y-%m-%dT%H:%M") if rule.starts_at else "",
            "ends_at": rule.ends_at.strftime("%Y-%m-%dT%H:%M") if rule.ends_at else ""}
    return render_template("admin/rule_form.html", rule=rule, errors=errors or {}, values=values,
                           actions=ACTIONS, target_kinds=TARGET_KINDS, slots=registry.SLOTS), status


def _load_form() -> tuple[dict | None, dict, dict]:
    schema = RuleInputSchema()
    values = form_values(schema, request.form)
    values["enabled"] = "enabled" in request.form
    data = {key: value for key, value in values.items() if value != ""}
    data.setdefault("slot", None)
    try:
        return schema.load(data), {}, values
    except ValidationError as exc:
        return None, field_errors(exc.messages), values


@pages.route("", endpoint="list_rules")
def list_rules():
    rules = service.list_rules(db.session)
    return render_template("admin/rules.html", rules=rules, state=service.state,
                           effect=service.effect(db.session), slots=registry.BY_NAME)


@pages.route("/new", methods=["GET", "POST"], endpoint="new")
def new_rule():
    if request.method == "GET":
        return _form(values={"enabled": True, "position": 1, "strength": 1.0,
                             "target_kind": request.args.get("target_kind", "product"),
                             "target": request.args.get("target", ""), "action": request.args.get("action", "pin")})
    return _submit(None)


@pages.route("/<int:rule_id>", methods=["GET", "POST"], endpoint="edit")
def edit_rule(rule_id: int):
    rule = _get(rule_id)
    if request.method == "GET":
        return _form(rule)
    return _submit(rule)


def _submit(rule: MerchRule | None):
    data, errors, values = _load_form()
    if data is None:
        return _form(rule, errors, values, 422)
    try:
        saved = service.save(db.session, current_staff(), data, rule)
    except service.RuleError as exc:
        return _form(rule, {exc.field: str(exc)}, values, 422)
    flash(f"Rule {saved.id} saved: {service.state(saved)}.", "info")
    return redirect(url_for("admin_rules.list_rules"))


@pages.route("/<int:rule_id>/delete", methods=["POST"], endpoint="delete")
def delete_rule(rule_id: int):
    service.delete(db.session, current_staff(), _get(rule_id))
    flash(f"Rule {rule_id} deleted.", "info")
    return redirect(url_for("admin_rules.list_rules"))


@api.route("", methods=["GET"])
@api.response(200, RuleSchema(many=True))
def api_list():
    """Every rule, newest first, with its state (live, scheduled, ended, disabled)."""
    return [_dump(rule) for rule in service.list_rules(db.session)]


@api.route("", methods=["POST"])
@api.arguments(RuleInputSchema, error_status_code=422)
@api.response(201, RuleSchema)
@api.alt_response(422, description="A field is invalid, or the target does not exist.")
def api_create(data):
    """Create a rule; it acts on the slots within seconds."""
    try:
        return _dump(service.save(db.session, current_staff(), data))
    except service.RuleError as exc:
        abort_with(422, str(exc), messages={exc.field: [str(exc)]})


@api.route("/effect", methods=["GET"])
@api.response(200, EffectSchema(many=True))
def api_effect():
    """For every slot a live rule acts on: what it shows now, without and with the rules."""
    return service.effect(db.session)


@api.route("/<int:rule_id>", methods=["GET"])
@api.response(200, RuleSchema)
@api.alt_response(404, description="No such rule.")
def api_get(rule_id: int):
    """One rule."""
    return _dump(_get(rule_id))


@api.route("/<int:rule_id>", methods=["PUT"])
@api.arguments(RuleInputSchema, error_status_code=422)
@api.response(200, RuleSchema)
@api.alt_response(404, description="No such rule.")
@api.alt_response(422, description="A field is invalid, or the target does not exist.")
def api_replace(data, rule_id: int):
    """Replace a rule's settings."""
    rule = _get(rule_id)
    try:
        return _dump(service.save(db.session, current_staff(), data, rule))
    except service.RuleError as exc:
        abort_with(422, str(exc), messages={exc.field: [str(exc)]})


@api.route("/<int:rule_id>", methods=["DELETE"])
@api.response(204)
@api.alt_response(404, description="No such rule.")
def api_delete(rule_id: int):
    """Delete a rule."""
    service.delete(db.session, current_staff(), _get(rule_id))
