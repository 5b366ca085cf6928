"""Shoe-size labels as shops write them ("UK 8", "42", "9.5 US", "EU 42½") to EU sizes.

The UK/US charts are the catalog's own (``catalog.vocabulary``), so a size imported here
reads back the same in the shop's size picker.
"""

from __future__ import annotations

import re
from decimal import Decimal

from catalog.vocabulary import MAX_SIZE_EU, MIN_SIZE_EU, uk_to_eu, us_to_eu

SYSTEMS = ("eu", "uk", "us")
_LABEL = re.compile(
    r"(?:(?P<before>eu|uk|us)\s*)?(?P<number>\d{1,2}(?:[.,]5|[.,]0)?|\d{1,2}\s*½)\s*(?P<after>eu|uk|us)?",
    re.IGNORECASE,
)


class SizeLabelError(ValueError):
    """The label is not a shoe size this shop can sell."""


def size_label_to_eu(label: str, default_system: str = "eu") -> Decimal:
    """EU size for a label; a bare number is read in ``default_system``.

    >>> size_label_to_eu("UK 8"), size_label_to_eu("9.5 US"), size_label_to_eu("42")
    (Decimal('41.5'), Decimal('42'), Decimal('42'))
    """
    match = _LABEL.fullmatch(label.strip())
    if match is None:
        raise SizeLabelError(f"not a shoe size: {label!r} (write e.g. 42, UK 8 or 9.5 US)")
    before, after = (match.group(g) and match.group(g).lower() for g in ("before", "after"))
    if before and after and before != after:
        raise SizeLabelError(f"two size systems in {label!r}")
    system = before or after or default_system
    number = float(match.group("number").replace(",", ".").replace("½", ".5").replace(" ", ""))
    eu = {"eu": lambda n: n, "uk": uk_to_eu, "us": us_to_eu}[system](number)
    if not MIN_SIZE_EU <= eu <= MAX_SIZE_EU:
        raise SizeLabelError(
            f"{label!r} is EU {eu:g}, outside EU {MIN_SIZE_EU}-{MAX_SIZE_EU}"
            + ("" if before or after else f" (bare numbers are read as {system.upper()} sizes)")
        )
    return Decimal(f"{eu:g}")
