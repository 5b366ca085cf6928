"""Checkout and orders: the placing transaction in ``service``, payment behind ``payment``."""

from flask import Blueprint

bp = Blueprint("orders", __name__)

from . import views  # noqa: E402,F401
