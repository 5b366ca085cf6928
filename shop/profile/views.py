"""The profile form page: the same schema as the API, plus UK/US shoe sizes converted to EU."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from .. import visitor
from ..extensions import db
from . import bp, service
from .forms import SIZE_SYSTEMS, form_values, parse_form, submitted_values


def _owner(create: bool) -> dict:
    account = visitor.user_id()
    if account is not None:
        return {"user_id": account}
    return {"visitor_id": visitor.visitor_id(create=create)}


def _render(values: dict, errors: dict, status: int = 200):
    return render_template(
        "profile/edit.html", values=values, errors=errors, logged_in=visitor.user_id() is not None,
        size_systems={key: spec[0] for key, spec in SIZE_SYSTEMS.items()},
    ), status


@bp.route("", methods=["GET", "POST"])
def edit():
    if request.method == "POST":
        data, errors = parse_form(request.form)
        if errors:
            return _render(submitted_values(request.form), errors, 400)
        service.save_profile(db.session, data, **_owner(create=True))
        flash("Your profile is saved. Your recommendations now take it into account.", "success")
        return redirect(url_for("profile.edit"))
    return _render(form_values(service.current_profile()), {})


@bp.post("/delete")
def delete():
    service.delete_profile(db.session, **_owner(create=False))
    flash("Your profile is cleared.", "success")
    return redirect(url_for("profile.edit"))
