"""The profile schema: every field optional, every value bounded, unknown fields refused.

The same schema validates the JSON API and the HTML form, and produces the plain dict stored
in ``profiles.data`` and handed to the recommender's ``ProfileScorer``.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates

from catalog.vocabulary import QUESTIONS, Question

MIN_SHOE_EU, MAX_SHOE_EU = QUESTIONS["shoe_size_eu"].bounds

LIST_FIELDS = tuple(name for name, question in QUESTIONS.items() if question.type == "list")


def _one_of(choices: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(choices, error="Choose one of: " + ", ".join(choices) + ".")


def _choice(choices: tuple[str, ...]) -> fields.String:
    return fields.String(allow_none=True, validate=_one_of(choices),
                         error_messages={"invalid": "Choose one of: " + ", ".join(choices) + "."})


class ChoiceList(fields.List):
    """A list of words from a fixed vocabulary; one message names every allowed word."""

    is_multiple = True

    def __init__(self, choices: tuple[str, ...], **kwargs):
        self.message = message = "Choose any of: " + ", ".join(choices) + "."
        super().__init__(
            # The vocabulary sits on the items, so the OpenAPI document says so too.
            fields.String(validate=validate.OneOf(choices, error=message),
                          error_messages={"invalid": message}),
            allow_none=True,
            validate=validate.Length(max=len(choices) * 2, error=message),
            error_messages={"invalid": "Give a list, like [\"" + choices[0] + "\"]."},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (list, tuple)):
            raise self.make_error("invalid")
        try:
            result = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError:  # one message for the field, not one per bad position
            raise ValidationError(self.message) from None
        return list(dict.fromkeys(result))  # the same word twice means nothing more


class WholeNumber(fields.Integer):
    """An integer; ``"72"`` from a form is fine, ``72.5`` is refused rather than truncated."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def _integer(low: int, high: int, message: str) -> fields.Integer:
    return WholeNumber(allow_none=True, validate=validate.Range(min=low, max=high, error=message),
                          error_messages={"invalid": "Enter a whole number. " + message})


def _number(low: float, high: float, message: str) -> fields.Float:
    return fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(min=low, max=high, error=message),
                        error_messages={"invalid": "Enter a number. " + message,
                                        "special": "Enter a number. " + message})


#: Range messages in the shopper's words; the bounds come from the registry.
_RANGE_NAMES = {
    "height_cm": "Height", "weight_kg": "Weight", "walks_per_week": "Walks per week",
    "minutes_per_walk": "Minutes per walk",
}  # fmt: skip


def _field(question: Question) -> fields.Field:
    """The schema field of a registry question."""
    if question.type == "choice":
        return _choice(question.codes)
    if question.type == "list":
        return ChoiceList(question.codes)
    low, high = question.bounds
    if question.type == "size":
        return _number(low, high, f"EU shoe size must be between {low:g} and {high:g}.")
    unit = f" {question.unit}" if question.unit else ""
    message = f"{_RANGE_NAMES[question.name]} must be between {low:g} and {high:g}{unit}."
    return (_integer if question.type == "integer" else _number)(low, high, message)


class _ProfileBase(Schema):
    class Meta:
        unknown = RAISE

    @validates("shoe_size_eu")
    def _whole_or_half(self, value, **_kwargs):
        if value is not None and (value * 2) != int(value * 2):
            raise ValidationError("Use a whole or half size, like 42 or 42.5.")

    @post_load
    def _clean(self, data, **_kwargs) -> dict:
        """Absent and null mean the same: not told. Empty lists are not kept either."""
        clean = {key: value for key, value in data.items() if value is not None and value != []}
        for key in ("weight_kg", "shoe_size_eu"):
            if key in clean:
                number = round(float(clean[key]), 1)
                clean[key] = int(number) if number.is_integer() else number
        return clean


#: Every question of the registry, in its order; each optional and bounded.
ProfileSchema = _ProfileBase.from_dict(
    {name: _field(question) for name, question in QUESTIONS.items()}, name="ProfileSchema"
)
PROFILE_FIELDS = tuple(ProfileSchema().fields)
