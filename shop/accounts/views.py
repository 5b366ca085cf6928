"""Register, log in, log out and the account page: parse, call the service, render."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from .. import visitor
from ..extensions import db
from . import bp, service, verification
from . import reset as resets
from .forms import field_errors, form_values, safe_next
from .schemas import ForgotSchema, LoginSchema, RegisterSchema, ResetSchema

ORDER_HISTORY_ENDPOINTS = ("orders.history", "orders.order_list", "orders.index")


def throttle_from_config() -> service.Throttle:
    import datetime as dt

    config = current_app.config
    return service.Throttle(
        max_failures=config.get("LOGIN_MAX_FAILURES", service.MAX_FAILURES),
        window=dt.timedelta(seconds=config.get("LOGIN_WINDOW_SECONDS", service.WINDOW.total_seconds())),
        address_max_failures=config.get("LOGIN_ADDRESS_MAX_FAILURES", service.ADDRESS_MAX_FAILURES),
        register_max=config.get("REGISTER_MAX_PER_ADDRESS", service.REGISTER_MAX),
        register_window=dt.timedelta(seconds=config.get("REGISTER_WINDOW_SECONDS",
                                                        service.REGISTER_WINDOW.total_seconds())),
        forgot_max_per_address=config.get("FORGOT_MAX_PER_ADDRESS", service.FORGOT_MAX_PER_ADDRESS),
        forgot_max_per_email=config.get("FORGOT_MAX_PER_EMAIL", service.FORGOT_MAX_PER_EMAIL),
        forgot_window=dt.timedelta(seconds=config.get("FORGOT_WINDOW_SECONDS",
                                                      service.FORGOT_WINDOW.total_seconds())),
        account_mails_max=config.get("ACCOUNT_MAILS_PER_HOUR", service.ACCOUNT_MAILS_MAX),
    )


def register_account(data: dict) -> tuple[object | None, list[str]]:
    """Sign up: ``(user, messages)`` for a new account (now logged in), ``(None, [])`` when the
    address already has one. Both leave the browser with a new session id and send one e-mail
    to the address, so the answers look the same: no one learns from registration which e-mail
    addresses exist, and nobody is ever logged in to an existing account this way. Raises
    ``TooManyAttempts``."""
    throttle = throttle_from_config()
    try:
        user = service.register(db.session, **data, address=request.remote_addr, throttle=throttle)
    except service.EmailTaken as exc:
        verification.mail_after_sign_up(db.session, data["email"], unclaimed=exc.unclaimed,
                                        throttle=throttle)
        visitor.renew_session()
        return None, []
    verification.mail_after_sign_up(db.session, user.email, user=user, throttle=throttle)
    return user, start_account_session(user, flash_messages=False)


def start_account_session(user, *, flash_messages: bool = True) -> list[str]:
    """Log in (a fresh session: no fixation) and move the guest's cart, profile and events over.

    Returns what the move has to say (a cart line capped by stock, say); pages flash it.
    """
    guest = visitor.visitor_id()
    fresh = visitor.log_in(user.id)
    messages = service.after_log_in(db.session, guest, user.id, fresh)
    if flash_messages:
        for message in messages:
            flash(message, "info")
    return messages


def _next_url() -> str:
    return safe_next(request.values.get("next"), url_for("accounts.account"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    errors, values, status, headers, message = {}, {}, 200, {}, None
    if request.method == "POST":
        schema = RegisterSchema()
        values = form_values(schema, request.form)
        try:
            user, messages = register_account(schema.load(values))
        except ValidationError as exc:
            errors, status = field_errors(exc.messages), 400
        except service.TooManyAttempts as exc:
            message, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        else:
            for text in messages:
                flash(text, "info")
            if user is not None:
                flash("Welcome! Your account is ready. We have e-mailed you a link to confirm "
                      "your address.", "success")
            else:
                flash("If this e-mail address already has an account, log in with its password. "
                      "We have sent it an e-mail.", "info")
            return redirect(_next_url())
    values.pop("password", None)
    page = render_template("accounts/register.html", errors=errors, values=values, message=message,
                           next=request.values.get("next", ""))
    return page, status, headers


@bp.route("/login", methods=["GET", "POST"])
def login():
    errors, values, status, headers, message = {}, {}, 200, {}, None
    if request.method == "POST":
        schema = LoginSchema()
        values = form_values(schema, request.form)
        try:
            data = schema.load(values)
            user = service.authenticate(db.session, data["email"], data["password"], request.remote_addr,
                                        throttle=throttle_from_config())
        except ValidationError as exc:
            errors, status = field_errors(exc.messages), 400
        except service.TooManyAttempts as exc:
            message, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        except service.InvalidCredentials:
            message, status = "The e-mail address or password is incorrect.", 401
        else:
            if service.needs_second_factor(user):
                from .two_step_views import ask_for_code

                return ask_for_code(user, data["email"], _next_url())
            start_account_session(user)
            flash("You are logged in.", "success")
            return redirect(_next_url())
    values.pop("password", None)
    page = render_template("accounts/login.html", errors=errors, values=values, message=message,
                           next=request.values.get("next", ""))
    return page, status, headers


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    errors, values, status, headers, sent, message = {}, {}, 200, {}, False, None
    if request.method == "POST":
        schema = ForgotSchema()
        values = form_values(schema, request.form)
        try:
            data = schema.load(values)
            resets.request_reset(db.session, data["email"], request.remote_addr,
                                 throttle=throttle_from_config())
        except ValidationError as exc:
            errors, status = field_errors(exc.messages), 400
        except service.TooManyAttempts as exc:
            message, status, headers = exc.message, 429, {"Retry-After": str(exc.retry_after)}
        else:
            sent = True
    page = render_template("accounts/forgot.html", errors=errors, values=values, sent=sent,
                           answer=resets.ANSWER, message=message)
    return page, status, headers


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    """Choose a new password from the e-mailed link (``?token=``); every session then ends."""
    token = request.values.get("token", "")
    errors = {}
    if request.method == "POST":
        schema = ResetSchema()
        try:
            data = schema.load(form_values(schema, request.form))
        except ValidationError as exc:
            errors = field_errors(exc.messages)
        else:
            if resets.reset_password(db.session, data["token"], data["password"]) is not None:
                visitor.log_out()
                flash("Your password is changed and you are logged out everywhere. "
                      "Log in with the new password.", "success")
                return redirect(url_for("accounts.login"))
    valid = bool(token) and resets.user_for_token(db.session, token) is not None
    db.session.commit()
    page = render_template("accounts/reset.html", errors=errors, token=token if valid else "",
                           invalid=not valid)
    return page, 400 if errors or (not valid and (token or request.method == "POST")) else 200


@bp.post("/logout")
def logout():
    visitor.log_out()
    flash("You are logged out.", "success")
    return redirect(url_for("storefront.home"))


@bp.post("/logout-everywhere")
def logout_everywhere():
    account = visitor.user_id()
    if account is None:
        return redirect(url_for("accounts.login", next=url_for("accounts.account")))
    visitor.log_out_everywhere(account)
    flash("You are logged out on every device.", "success")
    return redirect(url_for("storefront.home"))


@bp.route("")
def account():
    user = service.get_user(db.session, visitor.user_id())
    if user is None:
        if visitor.user_id() is not None:  # the account is gone: end the stale session
            visitor.log_out()
        return redirect(url_for("accounts.login", next=url_for("accounts.account")))
    return render_account(user)


def render_account(user, status: int = 200, headers: dict | None = None, **context):
    """The account page (also answering a refused resend or two-step change, with its status)."""
    from .two_step_views import two_step_context

    orders = next((e for e in ORDER_HISTORY_ENDPOINTS if e in current_app.view_functions), None)
    page = render_template("accounts/account.html", user=user, orders_url=orders and url_for(orders),
                           **two_step_context(user), **context)
    return page, status, headers or {}
