"""What the register and log-in forms (and the JSON API) accept."""

from __future__ import annotations

import unicodedata

from marshmallow import RAISE, Schema, fields, pre_load, validate

MIN_PASSWORD, MAX_PASSWORD = 8, 128


class RegisterSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.Email(required=True, validate=validate.Length(max=254),
                         error_messages={"required": "Enter your e-mail address.",
                                         "invalid": "Enter a valid e-mail address, like name@example.com."})
    password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                                 error=f"Use between {MIN_PASSWORD} and {MAX_PASSWORD} characters."),
        error_messages={"required": "Choose a password."},
    )
    name = fields.String(load_default="", validate=validate.Length(max=120, error="Use at most 120 characters."))

    @pre_load
    def _normalise_email(self, data, **_kwargs):
        """NFKC before validating: a full-width ``ａｎｎ@…`` is checked (and stored) as ``ann@…``."""
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = {**data, "email": unicodedata.normalize("NFKC", data["email"]).strip()}
        return data


class LoginSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.String(required=True, validate=validate.Length(min=1, max=254, error="Enter your e-mail address."),
                          error_messages={"required": "Enter your e-mail address."})
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=1, max=MAX_PASSWORD, error="Enter your password."),
                             error_messages={"required": "Enter your password."})


class ForgotSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.String(required=True, validate=validate.Length(min=1, max=254, error="Enter your e-mail address."),
                          error_messages={"required": "Enter your e-mail address."})


class ResetSchema(Schema):
    class Meta:
        unknown = RAISE

    token = fields.String(required=True, validate=validate.Length(min=1, max=500),
                          error_messages={"required": "This reset link is incomplete."})
    password = fields.String(
        required=True, load_only=True,
        validate=validate.Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                                 error=f"Use between {MIN_PASSWORD} and {MAX_PASSWORD} characters."),
        error_messages={"required": "Choose a password."},
    )


class VerifySchema(Schema):
    class Meta:
        unknown = RAISE

    token = fields.String(required=True, validate=validate.Length(min=1, max=500),
                          error_messages={"required": "This verification link is incomplete."})


class CodeSchema(Schema):
    """A 6-digit code from an authenticator app (spaces allowed, as apps show ``123 456``)."""

    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="Enter the 6 digits from your app."),
                         error_messages={"required": "Enter the 6 digits from your app."})

    @pre_load
    def _strip_spaces(self, data, **_kwargs):
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            data = {**data, "code": data["code"].replace(" ", "").strip()}
        return data


class ApiLoginSchema(LoginSchema):
    otp = fields.String(validate=validate.Regexp(r"^\d{6}$", error="Send the 6 digits from the app."),
                        metadata={"description": "The current code of an account with two-step sign-in."})
