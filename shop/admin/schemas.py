"""What the staff and audit pages and ``/api/admin`` accept and answer."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from ..accounts.schemas import MAX_PASSWORD, MIN_PASSWORD
from ..schemas import Text, UtcDateTime
from .roles import ROLES


class StaffGrantSchema(Schema):
    class Meta:
        unknown = RAISE

    email = fields.Email(required=True, validate=validate.Length(max=254),
                         error_messages={"required": "Enter an e-mail address.",
                                         "invalid": "Enter a valid e-mail address, like name@example.com."})
    role = Text(required=True, validate=validate.OneOf(ROLES, error="Choose one of: " + ", ".join(ROLES) + "."),
                error_messages={"required": "Choose a role."})
    password = fields.String(load_default=None, load_only=True, validate=validate.Length(
        min=MIN_PASSWORD, max=MAX_PASSWORD, error=f"Use between {MIN_PASSWORD} and {MAX_PASSWORD} characters."),
        metadata={"description": "Only for an e-mail that has no account yet."})
    name = Text(load_default="", validate=validate.Length(max=120))


class StaffSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    two_step = fields.Function(lambda user: bool(user.totp_secret), metadata={"type": "boolean"})


class AuditQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    actor = Text(validate=validate.Length(max=254))
    action = Text(validate=validate.Length(max=60))
    entity = Text(validate=validate.Length(max=40))
    entity_id = Text(validate=validate.Length(max=120))
    since = fields.DateTime(metadata={"description": "ISO 8601, UTC."})
    until = fields.DateTime(metadata={"description": "ISO 8601, UTC; exclusive."})
    page = fields.Integer(validate=validate.Range(min=1, max=100000), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)


class AuditEntrySchema(Schema):
    id = fields.Integer()
    created_at = UtcDateTime()
    actor_email = fields.String()
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    address = fields.String(allow_none=True)


class AuditPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    entries = fields.List(fields.Nested(AuditEntrySchema))
