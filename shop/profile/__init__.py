"""The visitor's profile: what they tell us about their back, feet and walking."""

from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from . import views  # noqa: E402,F401
