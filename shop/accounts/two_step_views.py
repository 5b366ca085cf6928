"""Two-step sign-in pages: the code after the password, and turning it on and off (staff only)."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from marshmallow import ValidationError

from .. import visitor
from ..admin import audit
from ..extensions import db
from . import bp, service, totp
from .forms import field_errors, form_values
from .schemas import CodeSchema
from .views import render_account, start_account_session, throttle_from_config

PENDING = "second_step"  # the session key of a log-in waiting for its code
PENDING_SECONDS = 300
SETUP = "totp_setup"  # the secret shown while it waits for its first code


def ask_for_code(user, email: str, next_url: str):
    """The password was right and the account has a second factor: remember that (in this
    server-side session, for five minutes) and show the code form."""
    session[PENDING] = {"user_id": user.id, "email": email, "next": next_url,
                        "until": time.time() + PENDING_SECONDS}
    return _code_page({}, None, 200)


def _code_page(errors, message, status, headers=None):
    return render_template("accounts/login_code.html", errors=errors, message=message), status, headers or {}


@bp.post("/login/code")
def login_code():
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        flash("Please log in again: the code has to follow the password within five minutes.", "info")
        return redirect(url_for("accounts.login"))
    schema = CodeSchema()
    try:
        data = schema.load(form_values(schema, request.form))
        user = totp.check_login_code(db.session, pending["user_id"], pending["email"], data["code"],
                                     request.remote_addr, throttle=throttle_from_config())
    except ValidationError as exc:
        return _code_page(field_errors(exc.messages), None, 400)
    except service.TooManyAttempts as exc:
        return _code_page({}, exc.message, 429, {"Retry-After": str(exc.retry_after)})
    except totp.WrongCode:
        return _code_page({}, "That code is not right, or it has been used already. "
                              "Wait for the next one and try again.", 401)
    except service.InvalidCredentials:  # two-step sign-in turned off (or the account gone) since
        session.pop(PENDING, None)
        return redirect(url_for("accounts.login"))
    start_account_session(user)  # a new session: the pending state goes with the old one
    flash("You are logged in.", "success")
    return redirect(pending["next"])


def _staff_user():
    """The logged-in staff account; everyone else gets a 404 (the feature is invisible)."""
    user = service.get_user(db.session, visitor.user_id())
    if not totp.is_staff(user):
        abort(404)
    return user


def two_step_context(user) -> dict:
    """What the account page's "Two-step sign-in" section shows."""
    if not totp.is_staff(user):
        return {"two_step": None}
    secret = session.get(SETUP) if not user.totp_secret else None
    setup = None
    if secret:
        uri = totp.provisioning_uri(secret, user.email)
        setup = {"secret": secret, "uri": uri, "qr_svg": totp.qr_svg(uri)}
    return {"two_step": {"enabled": bool(user.totp_secret), "setup": setup}}


@bp.post("/two-step/setup")
def two_step_setup():
    user = _staff_user()
    if user.totp_secret:
        return redirect(url_for("accounts.account"))
    session[SETUP] = totp.new_secret()
    return redirect(url_for("accounts.account") + "#two-step")


@bp.post("/two-step/enable")
def two_step_enable():
    user = _staff_user()
    secret = session.get(SETUP)
    if not secret or user.totp_secret:
        return redirect(url_for("accounts.account"))
    code = _code_or_none()
    if code is None or not totp.enable(db.session, user, secret, code):
        db.session.rollback()
        return render_account(user, 400, two_step_error="That code does not match. Check the "
                              "app's clock and enter the code it shows now.")
    audit.record(db.session, user, "staff.totp_on", "user", user.id)
    db.session.commit()
    session.pop(SETUP, None)
    flash("Two-step sign-in is on: log-ins now ask for a code from your app.", "success")
    return redirect(url_for("accounts.account"))


@bp.post("/two-step/disable")
def two_step_disable():
    user = _staff_user()
    if not user.totp_secret:
        return redirect(url_for("accounts.account"))
    code = _code_or_none()
    if code is None or not totp.disable(db.session, user, code):
        db.session.rollback()
        return render_account(user, 400, two_step_error="That code is not right, or it has been used "
                              "already. Enter the code your app shows now.")
    audit.record(db.session, user, "staff.totp_off", "user", user.id)
    db.session.commit()
    flash("Two-step sign-in is off.", "success")
    return redirect(url_for("accounts.account"))


def _code_or_none() -> str | None:
    schema = CodeSchema()
    try:
        return schema.load(form_values(schema, request.form))["code"]
    except ValidationError:
        return None
