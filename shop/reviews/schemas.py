"""Review input and output at the boundaries (pages and API share the rules)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, pre_load, validate

from .reading import SIZE_FIT_LABELS, SORTS, WIDTH_FIT_LABELS


def _text(max_length: int, name: str) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(
            min=1,
            max=max_length,
            error=f"Give your review a {name} of 1 to {max_length} characters.",
        ),
    )


class ReviewInSchema(Schema):
    """A new review; ``size_fit``/``width_fit`` only for footwear (null or absent otherwise)."""

    class Meta:
        unknown = RAISE

    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=5, error="Choose from 1 to 5 stars."),
    )
    title = _text(120, "title")
    body = _text(4000, "text")
    size_fit = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(
            list(SIZE_FIT_LABELS), error="Choose runs small, true to size or runs large."
        ),
    )
    width_fit = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(
            list(WIDTH_FIT_LABELS), error="Choose narrow, true to width or wide."
        ),
    )

    @pre_load
    def _strip(self, data, **_kwargs):
        if isinstance(data, dict):
            data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data


class ReviewFormSchema(ReviewInSchema):
    """The HTML form sends strings: the stars as "4", an unanswered fit as ""."""

    class Meta:
        unknown = RAISE

    rating = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=5, error="Choose from 1 to 5 stars."),
        error_messages={
            "required": "Choose from 1 to 5 stars.",
            "invalid": "Choose from 1 to 5 stars.",
        },
    )

    @pre_load
    def _blank_is_none(self, data, **_kwargs):
        return {
            k: (None if k in ("size_fit", "width_fit") and v == "" else v) for k, v in data.items()
        }


class ReviewPatchSchema(ReviewInSchema):
    """Any of the fields of a review; the rest keep their values."""

    class Meta:
        unknown = RAISE


class ReviewListArgs(Schema):
    class Meta:
        unknown = RAISE

    sort = fields.String(load_default="helpful", validate=validate.OneOf(list(SORTS)))
    stars = fields.Integer(load_default=None, validate=validate.Range(min=1, max=5))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class ReviewSchema(Schema):
    id = fields.Integer()
    product = fields.String(metadata={"description": "The product's slug."})
    author = fields.String(metadata={"description": "The reviewer's first name."})
    verified_buyer = fields.Boolean()
    rating = fields.Integer()
    title = fields.String()
    body = fields.String()
    size_fit = fields.String(allow_none=True)
    width_fit = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "published, or pending moderation."})
    helpful_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class FitSchema(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    answered = fields.Integer()
    verdict = fields.String(allow_none=True)


class RatingSummarySchema(Schema):
    average = fields.Decimal(as_string=True, places=1, allow_none=True)
    count = fields.Integer()
    histogram = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Published reviews per number of stars."},
    )
    size_fit = fields.Nested(FitSchema)
    width_fit = fields.Nested(FitSchema)


class ReviewPageSchema(Schema):
    items = fields.List(fields.Nested(ReviewSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    summary = fields.Nested(RatingSummarySchema)
