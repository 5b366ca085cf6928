"""Verified-buyer reviews: rules in ``service``, the product page's panel in ``panel``.

The blueprint lives in ``views`` (not here) because ``shop.models`` imports ``.models`` of
this package to register its tables, and importing the pages from there would be circular.
"""
