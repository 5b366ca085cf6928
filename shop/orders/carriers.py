"""The carriers the shop ships with, and where a shopper follows a parcel of each.

Staff may type any carrier; a known one (matched without regard to case) gets a tracking link.
"""

from __future__ import annotations

from urllib.parse import quote

TRACKING_URLS: dict[str, str] = {
    "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
    "DPD": "https://track.dpd.co.uk/parcels/{number}",
    "DHL": "https://www.dhl.com/gb-en/home/tracking/tracking-parcel.html?tracking-id={number}",
    "Evri": "https://www.evri.com/track/parcel/{number}",
    "UPS": "https://www.ups.com/track?tracknum={number}",
}

KNOWN_CARRIERS: tuple[str, ...] = tuple(TRACKING_URLS)


def canonical(carrier: str) -> str:
    """The known spelling of ``carrier`` ("royal mail" → "Royal Mail"), else it as typed."""
    wanted = carrier.strip().casefold()
    return next((name for name in KNOWN_CARRIERS if name.casefold() == wanted), carrier.strip())


def tracking_url(carrier: str | None, number: str | None) -> str | None:
    """The carrier's tracking page for ``number``, or None for an unknown carrier."""
    if not carrier or not number:
        return None
    template = TRACKING_URLS.get(canonical(carrier))
    return template.format(number=quote(number.replace(" ", ""), safe="")) if template else None
