"""Accounts: register, log in, log out, the account page."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")

from . import two_step_views, verify_views, views  # noqa: E402,F401
