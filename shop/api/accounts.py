"""JSON log-in for API clients: register, log in, log out, who am I, verify the e-mail address.

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
from ..accounts import service, totp, verification
from ..accounts.schemas import ApiLoginSchema, ForgotSchema, RegisterSchema, VerifySchema
from ..accounts.views import register_account, start_account_session, throttle_from_config
from ..errors import abort_with, error_response
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
    email_verified = fields.Boolean(metadata={
        "description": "Whether the owner followed the e-mailed link; guest orders placed with "
                       "the address are claimed only then."})


class RegisteredSchema(Schema):
    email = fields.String()
    name = fields.String()
    messages = fields.List(fields.String(), metadata={
        "description": "What moving the guest cart said, e.g. a quantity capped by stock."})


class LoggedInSchema(AccountSchema):
    messages = fields.List(fields.String(), metadata={
        "description": "What moving the guest cart said, e.g. a quantity capped by stock."})


def _account(user) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name,
            "email_verified": user.email_verified_at is not None}


def _logged_in(user) -> dict:
    messages = start_account_session(user, flash_messages=False)
    return {**_account(user), "messages": messages}


@blp.route("", methods=["GET"])
@blp.response(200, AccountSchema)
@blp.alt_response(401, description="Not logged in.")
def me():
    """The logged-in account."""
    user = service.get_user(db.session, visitor.user_id())
    if user is None:
        abort_with(401, "Not logged in.")
    return _account(user)


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
@blp.arguments(ApiLoginSchema, error_status_code=422)
@blp.response(200, LoggedInSchema)
@blp.alt_response(401, description="Wrong e-mail address or password; or, with `\"otp_required\": "
                                    "true`, the password was right and the account's current "
                                    "two-step code must come in `otp` (missing, wrong or used).")
@blp.alt_response(429, description="Too many failed attempts; see Retry-After.")
def login(data):
    """Log in; 5 failures in 15 minutes (per account and per address) answer 429.

    An account with two-step sign-in (staff) also needs `otp`, the 6-digit code of its
    authenticator app: each code works once, and a wrong one counts as a failed log-in.
    """
    throttle = throttle_from_config()
    try:
        user = service.authenticate(db.session, data["email"], data["password"], request.remote_addr,
                                    throttle=throttle)
        if service.needs_second_factor(user):
            if "otp" not in data:
                return error_response(401, "Send the 6-digit code of your authenticator app as `otp`.",
                                      otp_required=True)
            user = totp.check_login_code(db.session, user.id, data["email"], data["otp"],
                                         request.remote_addr, throttle=throttle)
    except service.TooManyAttempts as exc:
        abort_with(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    except service.InvalidCredentials:
        abort_with(401, "The e-mail address or password is incorrect.")
    except totp.WrongCode:
        return error_response(401, "The code is not right, or it has been used already.",
                              otp_required=True)
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
@blp.alt_response(429, description="Too many requests from this client address; see Retry-After.")
def forgot(data):
    """E-mail a password reset link (single use, one hour) when the address has an account.

    The answer is the same whether or not it has one: this does not tell which addresses exist.
    Limited per client address (429) and per e-mail address (past that limit, the same answer
    and no mail).
    """
    try:
        resets.request_reset(db.session, data["email"], request.remote_addr,
                             throttle=throttle_from_config())
    except service.TooManyAttempts as exc:
        abort_with(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    return {"message": resets.ANSWER}


class VerifiedSchema(Schema):
    email = fields.String()
    claimed_orders = fields.Integer(metadata={
        "description": "Guest orders placed with the address that moved to the account now."})


@blp.route("/verify", methods=["POST"])
@blp.arguments(VerifySchema, error_status_code=422)
@blp.response(200, VerifiedSchema)
@blp.alt_response(400, description="The token is not valid (altered, incomplete, or the address changed).")
@blp.alt_response(409, description="The address is verified already: the token has been used.")
@blp.alt_response(410, description="The token has expired (48 hours); ask for a new one.")
def verify(data):
    """Confirm the e-mail address with the token from the verification e-mail (works once).

    Needs no log-in: the token is the proof. The guest orders placed with the address move to
    the account now.
    """
    try:
        verified = verification.verify(db.session, data["token"])
    except verification.LinkRefused as exc:
        abort_with(exc.problem.status, exc.problem.message)
    return {"email": verified.user.email, "claimed_orders": verified.claimed_orders}


@blp.route("/verify/resend", methods=["POST"])
@blp.arguments(EmptySchema, description="An empty JSON object, {}.")
@blp.response(202, ForgotAnswerSchema)
@blp.alt_response(401, description="Not logged in.")
@blp.alt_response(409, description="The address is verified already.")
@blp.alt_response(429, description="Too many verification e-mails this hour; see Retry-After.")
def resend_verification(_body):
    """E-mail the logged-in account a new verification link."""
    user = service.get_user(db.session, visitor.user_id())
    if user is None:
        abort_with(401, "Not logged in.")
    if user.email_verified_at is not None:
        abort_with(409, "The e-mail address is verified already.")
    try:
        verification.send_verification(db.session, user, throttle=throttle_from_config())
    except service.TooManyAttempts as exc:
        abort_with(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    return {"message": f"We have sent a new link to {user.email}."}
