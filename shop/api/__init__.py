"""The JSON API: flask-smorest blueprints documented in ``/api/openapi.json``."""

from flask import Flask
from flask_smorest import Api

from ..errors import PROBLEM_JSON
from .schemas import ProblemResponsesPlugin, ProblemSchema, decimal2properties


class ShopApi(Api):
    """flask-smorest without its own error handlers: ``shop.errors`` answers problem JSON.

    Every documented error response is ``application/problem+json`` with the ``Problem`` schema.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _init_spec(self, *, extra_plugins=None, **kwargs):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), ProblemResponsesPlugin()], **kwargs)
        self.ma_plugin.converter.add_attribute_function(decimal2properties)
        if "Problem" not in self.spec.components.schemas:  # the error responses usually named it
            self.spec.components.schema("Problem", schema=ProblemSchema)

    def _register_responses(self):
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = Api.DEFAULT_RESPONSE_CONTENT_TYPE


api = ShopApi()


def register_api(app: Flask, api: Api) -> None:
    from .accounts import blp as accounts_blp
    from .cart import blp as cart_blp
    from .catalog import blp as catalog_blp
    from .docs import bp as docs_bp
    from .orders import blp as orders_blp
    from .profile import blp as profile_blp
    from .recommendations import blp as recommendations_blp
    from .reviews import blp as reviews_blp
    from .search import blp as search_blp

    api.register_blueprint(catalog_blp)
    api.register_blueprint(recommendations_blp)
    api.register_blueprint(cart_blp)
    api.register_blueprint(orders_blp)
    api.register_blueprint(accounts_blp)
    api.register_blueprint(profile_blp)
    api.register_blueprint(reviews_blp)
    api.register_blueprint(search_blp)
    app.register_blueprint(docs_bp)
