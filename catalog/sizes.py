"""The shoe-size chart: EU, UK, US men's and women's sizes and the foot length each fits.

One source for every place a size is converted: the size guide page prints :func:`chart`, the
catalog labels variants with ``eu_to_uk``/``eu_to_us`` (``catalog.vocabulary``, reused here,
not restated) and the profile form reads UK and US sizes with their inverses.

EU sizes count Paris points (2/3 cm) of the shoe's inside length; a shoe is about 4/3 cm
longer than the foot it fits, so ``foot length = (EU - 2) × 2/3`` cm (EU 42 fits a foot of
up to 26.7 cm). US women's sizes are US men's + 1.5, the usual retail (Brannock) rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .vocabulary import QUESTIONS, WIDTH_VALUES, eu_to_uk, eu_to_us

#: The sizes the chart lists: those a shopper can give in the profile.
MIN_EU, MAX_EU = QUESTIONS["shoe_size_eu"].bounds
US_WOMEN_OVER_MEN = 1.5
#: How much longer a shoe is inside than the foot it fits, in Paris points (4/3 cm).
ALLOWANCE_POINTS = 2


def eu_to_us_women(size_eu: float) -> float:
    """US women's size for an EU size (US men's + 1.5)."""
    return eu_to_us(size_eu) + US_WOMEN_OVER_MEN


def foot_length_cm(size_eu: float) -> float:
    """The longest foot an EU size fits, in cm to one decimal."""
    return round((size_eu - ALLOWANCE_POINTS) * 2 / 3, 1)


def eu_for_foot_length(length_cm: float) -> float:
    """The smallest EU size (whole or half) that fits a foot ``length_cm`` long: the first row
    of the printed chart whose foot length (rounded to 1 mm) is at least ``length_cm``."""
    size = math.floor((length_cm * 3 / 2 + ALLOWANCE_POINTS) * 2) / 2 - 0.5
    while foot_length_cm(size) < length_cm:
        size += 0.5
    return size


#: The foot lengths the chart covers (a foot outside them needs a size the shop does not list).
MIN_FOOT_CM = foot_length_cm(MIN_EU - 0.5) + 0.1
MAX_FOOT_CM = foot_length_cm(MAX_EU)


@dataclass(frozen=True)
class SizeRow:
    """One line of the chart; ``us_men`` and ``us_women`` differ by 1.5, UK is unisex."""

    eu: float
    uk: float
    us_men: float
    us_women: float
    foot_cm: float


def size_row(size_eu: float) -> SizeRow:
    return SizeRow(size_eu, eu_to_uk(size_eu), eu_to_us(size_eu), eu_to_us_women(size_eu),
                   foot_length_cm(size_eu))


def chart(low: float = MIN_EU, high: float = MAX_EU) -> list[SizeRow]:
    """Every whole and half EU size from ``low`` to ``high``."""
    return [size_row(half / 2) for half in range(int(low * 2), int(high * 2) + 1)]


@dataclass(frozen=True)
class Width:
    code: str
    label: str
    men: str  # the US letter widths a US shoe box prints
    women: str
    fits: str


#: The shop's four widths (``catalog.vocabulary.WIDTH_VALUES``), explained.
WIDTHS: tuple[Width, ...] = tuple(
    Width(value.code, value.label, *letters)
    for value, letters in zip(WIDTH_VALUES, (
        ("B", "2A", "slim feet: the shoe feels loose across the ball of the foot in a regular fit"),
        ("D", "B", "most feet; the width every shoe comes in"),
        ("2E", "D", "broad feet, bunions or swelling later in the day: a regular fit presses on the "
                    "sides of the forefoot"),
        ("4E", "2E", "very broad or swollen feet, or room for a thick orthotic"),
    ), strict=True)
)
