"""The profile schema: every field optional, every value bounded, unknown fields refused.

The same schema validates the JSON API and the HTML form, and produces the plain dict stored
in ``profiles.data`` and handed to the recommender's ``ProfileScorer``.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates

from catalog.vocabulary import TERRAINS, WIDTHS

AGE_BANDS = ("under-30", "30-44", "45-59", "60-74", "75-plus")
FITNESS_LEVELS = ("inactive", "beginner", "regular", "active")
GOALS = ("pain-relief", "walk-daily", "prevent-relapse", "lose-weight", "build-strength")
ARCHES = ("flat", "neutral", "high", "unknown")
OVERPRONATION = ("yes", "no", "unknown")
PAIN_AREAS = ("lower-back", "upper-back", "neck", "hips", "knees", "feet")
MIN_SHOE_EU, MAX_SHOE_EU = 35, 50

LIST_FIELDS = ("goals", "pain_areas", "terrain")


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


class ProfileSchema(Schema):
    class Meta:
        unknown = RAISE

    age_band = _choice(AGE_BANDS)
    height_cm = _integer(100, 230, "Height must be between 100 and 230 cm.")
    weight_kg = _number(30, 250, "Weight must be between 30 and 250 kg.")
    fitness_level = _choice(FITNESS_LEVELS)
    goals = ChoiceList(GOALS)
    arch = _choice(ARCHES)
    overpronation = _choice(OVERPRONATION)
    shoe_size_eu = _number(MIN_SHOE_EU, MAX_SHOE_EU,
                           f"EU shoe size must be between {MIN_SHOE_EU} and {MAX_SHOE_EU}.")
    width = _choice(WIDTHS)
    pain_areas = ChoiceList(PAIN_AREAS)
    terrain = ChoiceList(TERRAINS)
    walks_per_week = _integer(0, 21, "Walks per week must be between 0 and 21.")
    minutes_per_walk = _integer(0, 300, "Minutes per walk must be between 0 and 300.")

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


PROFILE_FIELDS = tuple(ProfileSchema().fields)
