"""JSON log-in for API clients: register, log in, log out, who am I.

The same service functions (and the same throttling) as the HTML forms. Writes accept only
``application/json``, so a cross-site form cannot post here; the blueprint is exempt from the
form CSRF token for that reason.
"""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .. import visitor
from ..accounts import reset as resets
from ..accounts import service
from ..accounts.schemas import ForgotSchema, LoginSchema, RegisterSchema
from ..accounts.views import register_account, start_account_session, throttle_from_config
from ..errors import abort_with
from ..extensions import csrf, db

blp = Blueprint("accounts_api", __name__, url_prefix="/api/account", description="Accounts and log-in")
csrf.exempt(blp)


@blp.before_request
def _json_only() -> None:
    if request.method in {"POST", "PUT", "PATCH"} and not request.is_json:
        abort_with(415, "Send a JSON body with Content-Type: application/json.")


class AccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()


class RegisteredSchema(Schema):
    email = fields.String()
    name = fields.String()
    messages = fields.List(fields.String(), metadata={
        "description": "What moving the guest cart said, e.g. a quantity capped by stock."})


class LoggedInSchema(AccountSchema):
    messages = fields.List(fields.String(), metadata={
        "description": "What moving the guest cart said, e.g. a quantity capped by stock."})


def _logged_in(user) -> dict:
    messages = start_account_session(user, flash_messages=False)
    return {"id": user.id, "email": user.email, "name": user.name, "messages": messages}


@blp.route("", methods=["GET"])
@blp.response(200, AccountSchema)
@blp.alt_response(401, description="Not logged in.")
def me():
    """The logged-in account."""
    user = service.get_user(db.session, visitor.user_id())
    if user is None:
        abort_with(401, "Not logged in.")
    return user


@blp.route("/register", methods=["POST"])
@blp.arguments(RegisterSchema, error_status_code=422)
@blp.response(201, RegisteredSchema)
@blp.alt_response(429, description="Too many sign-ups from this address; see Retry-After.")
def register(data):
    """Create an account and log in; the guest's cart, profile and events move to it.

    The answer is the same when the address already has an account (which is then neither
    changed nor logged in): registration does not tell which e-mail addresses exist. Check
    ``GET /api/account`` to see whether you are logged in.
    """
    try:
        _user, messages = register_account(data)
    except service.TooManyAttempts as exc:
        abort_with(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    return {"email": service.normalize_email(data["email"]), "name": data.get("name", "").strip(),
            "messages": messages}


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema, error_status_code=422)
@blp.response(200, LoggedInSchema)
@blp.alt_response(401, description="Wrong e-mail address or password.")
@blp.alt_response(429, description="Too many failed attempts; see Retry-After.")
def login(data):
    """Log in; 5 failures in 15 minutes (per account and per address) answer 429."""
    try:
        user = service.authenticate(db.session, data["email"], data["password"], request.remote_addr,
                                    throttle=throttle_from_config())
    except service.TooManyAttempts as exc:
        abort_with(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    except service.InvalidCredentials:
        abort_with(401, "The e-mail address or password is incorrect.")
    return _logged_in(user)


class EmptySchema(Schema):
    """A JSON body with nothing in it: ``{}``."""


@blp.route("/logout", methods=["POST"])
@blp.arguments(EmptySchema, description="An empty JSON object, {}.")
@blp.response(204)
def logout(_body):
    """End the session (send ``{}`` as JSON: the content type is the CSRF defence)."""
    visitor.log_out()


@blp.route("/logout-everywhere", methods=["POST"])
@blp.arguments(EmptySchema, description="An empty JSON object, {}.")
@blp.response(204)
@blp.alt_response(401, description="Not logged in.")
def logout_everywhere(_body):
    """End every session of the account on every device, this one included."""
    account = visitor.user_id()
    if account is None:
        abort_with(401, "Not logged in.")
    visitor.log_out_everywhere(account)


class ForgotAnswerSchema(Schema):
    message = fields.String()


@blp.route("/forgot", methods=["POST"])
@blp.arguments(ForgotSchema, error_status_code=422)
@blp.response(202, ForgotAnswerSchema)
def forgot(data):
    """E-mail a password reset link (single use, one hour) when the address has an account.

    The answer is the same whether or not it has one: this does not tell which addresses exist.
    """
    resets.request_reset(db.session, data["email"])
    return {"message": resets.ANSWER}
