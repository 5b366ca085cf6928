"""Server-rendered storefront pages."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from . import views  # noqa: E402,F401
