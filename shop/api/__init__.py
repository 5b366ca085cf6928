"""The JSON API: flask-smorest blueprints documented in ``/api/openapi.json``."""

from flask import Flask
from flask_smorest import Api


class ShopApi(Api):
    """flask-smorest without its own error handlers: ``shop.errors`` answers problem JSON."""

    def _register_error_handlers(self):
        pass


api = ShopApi()


def register_api(app: Flask, api: Api) -> None:
    from .cart import blp as cart_blp
    from .catalog import blp as catalog_blp
    from .docs import bp as docs_bp

    api.register_blueprint(catalog_blp)
    api.register_blueprint(cart_blp)
    app.register_blueprint(docs_bp)
