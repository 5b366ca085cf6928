"""The footwear finder: a few questions, then shoes in the visitor's size and width."""

from flask import Blueprint

bp = Blueprint("footwear", __name__, url_prefix="/footwear")

from . import views  # noqa: E402,F401
