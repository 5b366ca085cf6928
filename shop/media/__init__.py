"""Product images served from the instance's media folder, and hashed static-file URLs."""

from flask import Blueprint

bp = Blueprint("media", __name__)

from . import views  # noqa: E402,F401
