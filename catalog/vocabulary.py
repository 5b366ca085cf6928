"""The one registry of attribute words: data files, filters, the API, the product page, the
profile questions and (as plain data) the recommender's rule table all read it.

An attribute is declared once here with its values and their labels; every other place asks
the registry instead of keeping its own list, so adding an attribute (``waterproof``) means a
registry entry, a column and a migration, not a hunt through templates and schemas.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Types. ``choice``: one value; ``list``: several values; ``integer`` / ``number``: bounded
#: whole / decimal numbers; ``size``: a bounded half-step EU size; ``flag``: true or absent.
TYPES = ("choice", "list", "integer", "number", "size", "flag")


@dataclass(frozen=True)
class Value:
    code: str
    label: str


def values(*codes: str, **labels: str) -> tuple[Value, ...]:
    """Values labelled ``"motion-control"`` → ``"Motion control"`` unless a label is given
    (keyword names use ``_`` for ``-``)."""
    given = {key.replace("_", "-"): label for key, label in labels.items()}
    return tuple(Value(code, given.get(code) or code.replace("-", " ").capitalize()) for code in codes)


@dataclass(frozen=True)
class Vocabulary:
    """What a named word list looks like to a form, a schema or a template."""

    name: str
    label: str
    type: str
    values: tuple[Value, ...] = ()
    bounds: tuple[float, float] | None = None
    unit: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(value.code for value in self.values)

    @property
    def labels(self) -> dict[str, str]:
        return {value.code: value.label for value in self.values}

    def label_of(self, code) -> str:
        return self.labels.get(str(code), str(code))

    @property
    def minimum(self) -> float:
        assert self.bounds is not None, self.name
        return self.bounds[0]

    @property
    def maximum(self) -> float:
        assert self.bounds is not None, self.name
        return self.bounds[1]


@dataclass(frozen=True)
class Attribute(Vocabulary):
    """A product attribute.

    ``stored``: ``column`` (a column of ``products`` named like the attribute), ``label``
    (rows of ``product_labels`` of kind ``label_kind``) or ``variant`` (a column of
    ``variants``). ``filter``: the query parameter of the filter panel and ``GET
    /api/products``, ``None`` when not filterable. ``shown``: a row of the product page's
    "Support and fit" table.
    """

    stored: str = "column"
    label_kind: str | None = None
    filter: str | None = None
    shown: bool = True


@dataclass(frozen=True)
class Question(Vocabulary):
    """A profile question (the profile form, the footwear finder, ``/api/profile``).

    ``attribute`` names the product attribute whose values the answers reuse (a person's
    width is a shoe width); an answer may add values of its own (``terrain: wet``).
    """

    attribute: str | None = None


LEVEL_VALUES = values("low", "medium", "high")
WIDTH_VALUES = values("narrow", "regular", "wide", "extra-wide")
TERRAIN_VALUES = values("pavement", "trail", "hills")

ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("arch_support", "Arch support", "choice", LEVEL_VALUES, filter="arch_support"),
        Attribute("cushioning", "Cushioning / shock absorption", "choice", LEVEL_VALUES,
                  filter="cushioning"),
        Attribute("stability", "Stability", "choice",
                  values("neutral", "stability", "motion-control"), filter="stability"),
        Attribute("drop_mm", "Heel-to-toe drop", "integer", bounds=(0, 20), unit="mm"),
        Attribute("weight_g", "Weight", "integer", bounds=(1, 5000), unit="g"),
        Attribute("waterproof", "Waterproof", "flag", filter="waterproof"),
        Attribute("terrain", "Terrain", "list", TERRAIN_VALUES, stored="label",
                  label_kind="terrain"),
        Attribute("conditions", "Helps with", "list", values(
            "lower-back-pain", "upper-back-pain", "neck-pain", "plantar-fasciitis", "flat-feet",
            "high-arches", "overpronation", "knee-pain", "hip-pain", "posture", "sciatica",
        ), stored="label", label_kind="condition", filter="condition"),
        Attribute("consumable", "Bought again", "flag", shown=False),
        # Variant attributes: shown in the size picker, filtered through the variants.
        Attribute("size_eu", "Size (EU)", "size", bounds=(30, 52), stored="variant",
                  filter="size", shown=False),
        Attribute("width", "Width", "choice", WIDTH_VALUES, stored="variant", filter="width",
                  shown=False),
    )
}

QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in (
        Question("age_band", "Age", "choice", (
            Value("under-30", "Under 30"), Value("30-44", "30–44"), Value("45-59", "45–59"),
            Value("60-74", "60–74"), Value("75-plus", "75 or over"),
        )),
        Question("height_cm", "Height (cm)", "integer", bounds=(100, 230), unit="cm"),
        Question("weight_kg", "Weight (kg)", "number", bounds=(30, 250), unit="kg"),
        Question("fitness_level", "How active are you?", "choice",
                 values("inactive", "beginner", "regular", "active")),
        Question("goals", "What would you like to achieve?", "list", values(
            "pain-relief", "walk-daily", "prevent-relapse", "lose-weight", "build-strength",
            pain_relief="Relieve pain", walk_daily="Walk every day",
            prevent_relapse="Prevent a relapse", lose_weight="Lose weight",
            build_strength="Build strength",
        )),
        Question("arch", "Arch", "choice", values(
            "flat", "neutral", "high", "unknown",
            flat="Flat (low arch)", high="High arch", unknown="I don't know",
        )),
        Question("overpronation", "Overpronation", "choice",
                 values("yes", "no", "unknown", unknown="I don't know")),
        # A person's size: narrower than the shoe sizes the catalog may list (size_eu).
        Question("shoe_size_eu", "Shoe size (EU)", "size", bounds=(35, 50)),
        Question("width", "Foot width", "choice", WIDTH_VALUES, attribute="width"),
        Question("pain_areas", "Where do you have pain?", "list",
                 values("lower-back", "upper-back", "neck", "hips", "knees", "feet")),
        Question("terrain", "Where do you walk?", "list",
                 TERRAIN_VALUES + values("wet", wet="Wet or muddy paths"), attribute="terrain"),
        Question("walks_per_week", "Walks per week", "integer", bounds=(0, 21)),
        Question("minutes_per_walk", "Minutes per walk", "integer", bounds=(0, 300)),
    )
}

ROOT_CATEGORIES = ("footwear", "insoles-and-orthotics", "back-and-posture", "walking-accessories")
SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest", "name")

#: Product attributes by where they are stored.
COLUMN_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES.values() if a.stored == "column")
LABEL_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES.values() if a.stored == "label")
PRODUCT_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES.values() if a.stored != "variant")
#: Product attributes the filter panel and the API filter on (variant ones are separate).
FILTERS = tuple(a for a in ATTRIBUTES.values() if a.filter and a.stored != "variant")
#: Label kinds stored in ``product_labels`` (multi-valued attributes, plus free tags).
LABEL_KINDS = ("tag", *(a.label_kind for a in ATTRIBUTES.values() if a.label_kind))

MIN_SIZE_EU, MAX_SIZE_EU = ATTRIBUTES["size_eu"].bounds


def as_data() -> dict:
    """The registry as plain data for the recommender's rule table (which never imports this).

    ``item``: what a product offers the rules (its attributes, plus ``widths``: the widths it
    comes in); ``profile``: the profile questions. Each entry: ``type`` and, for words, the
    allowed ``values``.
    """

    def entry(vocab: Vocabulary) -> dict:
        kind = {"integer": "number", "size": "number"}.get(vocab.type, vocab.type)
        return {"type": kind, "values": list(vocab.codes)} if vocab.values else {"type": kind}

    item = {a.name: entry(a) for a in ATTRIBUTES.values() if a.stored != "variant"}
    item["widths"] = {"type": "list", "values": list(ATTRIBUTES["width"].codes)}
    return {"item": item, "profile": {q.name: entry(q) for q in QUESTIONS.values()}}


def markdown_table() -> str:
    """The data-file vocabulary as the Markdown table in ``docs/catalog-format.md``."""
    rows = ["| field | values |", "|---|---|"]
    for a in ATTRIBUTES.values():
        if a.type in ("choice", "list"):
            words = " \\| ".join(f"`{code}`" for code in a.codes)
            text = f"list of {words}" if a.type == "list" else words
        elif a.type == "flag":
            text = "`true` or absent"
        elif a.type == "size":
            text = f"EU shoe size, halves allowed ({a.minimum:g}–{a.maximum:g}); empty for one-size products"
        else:
            text = f"whole number, {a.minimum:g}–{a.maximum:g} {a.unit}".rstrip()
        rows.append(f"| `{a.name}` | {text} |")
    return "\n".join(rows)


def eu_to_uk(size_eu: float) -> float:
    """UK adult size for an EU size (the usual retail chart: UK = EU - 33.5, rounded to halves)."""
    return round((size_eu - 33.5) * 2) / 2


def eu_to_us(size_eu: float) -> float:
    """US men's size for an EU size (US men = UK + 1)."""
    return eu_to_uk(size_eu) + 1


def uk_to_eu(size_uk: float) -> float:
    return round((size_uk + 33.5) * 2) / 2


def us_to_eu(size_us: float) -> float:
    return uk_to_eu(size_us - 1)
