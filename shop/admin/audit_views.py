"""``/admin/audit`` and ``/api/admin/audit``: read and export the audit log (admin only)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import ValidationError

from ..accounts.forms import field_errors
from ..extensions import db
from ..schemas import load_args
from . import audit
from .access import protect, protect_api
from .roles import ADMIN_ONLY
from .schemas import AuditPageSchema, AuditQuerySchema

pages = protect(Blueprint("admin_audit", __name__, url_prefix="/admin/audit"), ADMIN_ONLY)
api = protect_api(ApiBlueprint("admin_audit_api", __name__, url_prefix="/api/admin/audit",
                               description="The audit log of staff changes (admin only)."), ADMIN_ONLY)

EXPORT_LIMIT = 100_000


def _filter(data: dict) -> audit.AuditFilter:
    return audit.AuditFilter(**{key: data.get(key) for key in
                                ("actor", "action", "entity", "entity_id", "since", "until")})


@pages.route("", endpoint="list_entries")
def list_entries():
    try:
        data = load_args(AuditQuerySchema(), request.args)
    except ValidationError as exc:
        return render_template("admin/audit.html", entries=[], total=0, page=1, pages=1,
                               args=request.args, errors=field_errors(exc.messages)), 400
    rows, total = audit.entries(db.session, _filter(data), page=data["page"], per_page=data["per_page"])
    pages_count = max(1, -(-total // data["per_page"]))
    return render_template("admin/audit.html", entries=rows, total=total, page=data["page"],
                           pages=pages_count, args=request.args, errors={})


@pages.route("/export.csv", endpoint="export")
def export():
    try:
        data = load_args(AuditQuerySchema(), request.args)
    except ValidationError as exc:
        return Response("; ".join(f"{k}: {v}" for k, v in field_errors(exc.messages).items()), 400,
                        mimetype="text/plain")
    rows, _total = audit.entries(db.session, _filter(data), page=1, per_page=EXPORT_LIMIT)
    return Response(audit.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


@api.route("", methods=["GET"])
@api.arguments(AuditQuerySchema, location="query", error_status_code=400)
@api.response(200, AuditPageSchema)
def api_entries(data):
    """Audit entries, newest first, filtered by actor, action, entity and time."""
    rows, total = audit.entries(db.session, _filter(data), page=data["page"], per_page=data["per_page"])
    return {"total": total, "page": data["page"], "per_page": data["per_page"], "entries": rows}
