"""The cart: rules in ``service``, the /cart pages and form posts, the header mini-cart."""

from flask import Blueprint

bp = Blueprint("cart", __name__)

from . import views  # noqa: E402,F401
