"""The footwear finder: a few questions, then shoes in the visitor's size and width; and the
size guide."""

from flask import Blueprint

bp = Blueprint("footwear", __name__, url_prefix="/footwear")

from . import size_guide, views  # noqa: E402,F401
