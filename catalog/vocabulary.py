"""The attribute words shared by data files, filters, the API and the profile rules."""

LEVELS = ("low", "medium", "high")
STABILITY = ("neutral", "stability", "motion-control")
WIDTHS = ("narrow", "regular", "wide", "extra-wide")
TERRAINS = ("pavement", "trail", "hills")
CONDITIONS = (
    "lower-back-pain",
    "upper-back-pain",
    "neck-pain",
    "plantar-fasciitis",
    "flat-feet",
    "high-arches",
    "overpronation",
    "knee-pain",
    "hip-pain",
    "posture",
    "sciatica",
)
ROOT_CATEGORIES = ("footwear", "insoles-and-orthotics", "back-and-posture", "walking-accessories")
MIN_SIZE_EU, MAX_SIZE_EU = 30, 52
SORTS = ("relevance", "price_asc", "price_desc", "rating", "newest", "name")

# Label kinds stored in ``product_labels`` (multi-valued attributes).
LABEL_KINDS = ("tag", "terrain", "condition")


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
