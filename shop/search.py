"""The visitor's side of search: their profile as the tie-breaker the catalog ranks by."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from catalog.queries import Preference

from .profile.service import current_profile


def visitor_preference() -> Preference | None:
    """The current visitor's size, width and terrain as plain data (None without a profile).

    Inside a request only; reads the profile, creates no visitor id.
    """
    profile = current_profile()
    try:
        size = (
            Decimal(str(profile["shoe_size_eu"]))
            if profile.get("shoe_size_eu") is not None
            else None
        )
    except InvalidOperation:
        size = None
    preference = Preference(
        size_eu=size,
        width=profile.get("width") or None,
        terrain=tuple(profile.get("terrain") or ()),
    )
    return preference or None
