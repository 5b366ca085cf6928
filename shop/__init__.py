"""The Flask application: storefront pages, JSON API, cart, accounts, orders, events."""

from .factory import create_app

__all__ = ["create_app"]
