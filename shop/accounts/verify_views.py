"""The e-mailed verification link and the resend button: parse, call the service, render."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from .. import visitor
from ..extensions import db
from . import bp, service, verification
from .forms import form_values
from .schemas import VerifySchema
from .views import render_account, throttle_from_config


@bp.get("/verify")
def verify():
    """The link from the e-mail: a button to confirm (a link scanner's GET verifies nothing)."""
    token = request.args.get("token", "")
    try:
        verification.check_token(db.session, token)
    except verification.LinkRefused as exc:
        db.session.commit()
        return _refused(exc.problem)
    db.session.commit()
    return render_template("accounts/verify.html", token=token, problem=None)


@bp.post("/verify")
def confirm_verification():
    schema = VerifySchema()
    try:
        data = schema.load(form_values(schema, request.form))
        verified = verification.verify(db.session, data["token"])
    except ValidationError:
        return _refused(verification.LinkProblem.INVALID)
    except verification.LinkRefused as exc:
        return _refused(exc.problem)
    claimed = verified.claimed_orders
    orders = f" {claimed} order{'s' if claimed != 1 else ''} placed with it moved to your account." if claimed else ""
    if visitor.user_id() == verified.user.id:
        flash(f"Thank you: your e-mail address is confirmed.{orders}", "success")
        return redirect(url_for("accounts.account"))
    flash(f"Thank you: your e-mail address is confirmed.{orders} Log in to see your account.", "success")
    return redirect(url_for("accounts.login"))


def _refused(problem: verification.LinkProblem):
    return render_template("accounts/verify.html", token="", problem=problem), problem.status


@bp.post("/verify/resend")
def resend_verification():
    user = service.get_user(db.session, visitor.user_id())
    if user is None:
        return redirect(url_for("accounts.login", next=url_for("accounts.account")))
    if user.email_verified_at is not None:
        flash("Your e-mail address is confirmed already.", "info")
        return redirect(url_for("accounts.account"))
    try:
        verification.send_verification(db.session, user, throttle=throttle_from_config())
    except service.TooManyAttempts as exc:
        return render_account(user, 429, {"Retry-After": str(exc.retry_after)}, message=exc.message)
    flash(f"We have sent a new link to {user.email}.", "success")
    return redirect(url_for("accounts.account"))
