"""Verified-buyer reviews: rules in ``service``, the product page's panel in ``panel``."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from . import views  # noqa: E402,F401
