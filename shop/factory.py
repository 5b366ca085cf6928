"""The application factory: a list of small ``register_*`` steps."""

from __future__ import annotations

import logging
import os

from flask import Flask

from . import models  # noqa: F401  (registers the shop's tables on the shared metadata)
from .config import Config, instance_path, load_secret_key, settings_from_environment
from .errors import register_errorhandlers
from .extensions import csrf, db


def create_app(test_config: dict | None = None) -> Flask:
    """Build the shop; ``test_config`` (a plain dict) overrides the environment."""
    app = Flask(__name__, instance_path=instance_path(), instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config)
    testing = bool((test_config or {}).get("TESTING", Config.TESTING))
    app.config.update(settings_from_environment(app.instance_path, testing=testing))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    register_extensions(app)
    register_blas_threads(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_request_limits(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import events, recommendations
    from .accounts.cookies import ShopSessionInterface, trust_proxy

    db.init_app(app)
    csrf.init_app(app)
    events.register(app)
    recommendations.init_app(app)
    app.session_interface = ShopSessionInterface()
    trust_proxy(app)


def register_blas_threads(app: Flask) -> None:
    """BLAS thread pools of this process limited to ``BLAS_THREADS`` (default 1; None leaves them).

    A request's dense products are small: extra BLAS threads only spin-wait for a core that
    the other gunicorn workers are using. Process-wide; done after the recommender (numpy,
    scipy) is imported, as ``threadpoolctl`` only sees the libraries already loaded.
    """
    threads = app.config["BLAS_THREADS"]
    if threads is None:
        return
    import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS, if it has one)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(threads), user_api="blas")


def register_blueprints(app: Flask) -> None:
    from .accounts import bp as accounts
    from .api import api, register_api
    from .cart import bp as cart
    from .footwear import bp as footwear
    from .orders import bp as orders
    from .profile import bp as profile
    from .reviews.views import bp as reviews
    from .storefront import bp as storefront

    app.register_blueprint(storefront)
    app.register_blueprint(cart)
    app.register_blueprint(orders)
    app.register_blueprint(accounts)
    app.register_blueprint(profile)
    app.register_blueprint(footwear)
    app.register_blueprint(reviews)
    api.init_app(app)
    register_api(app, api)


def register_security_headers(app: Flask) -> None:
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response


def register_commands(app: Flask) -> None:
    """The ``shop`` script's groups on ``app.cli`` too (``flask --app wsgi``, test runners)."""
    from .cli import main

    for name, command in main.commands.items():
        if name not in app.cli.commands:
            app.cli.add_command(command, name)


def register_request_limits(app: Flask) -> None:
    """A body declared bigger than ``MAX_CONTENT_LENGTH`` is a 413 before any view runs, also
    where the view would never have read it."""
    from flask import request
    from werkzeug.exceptions import RequestEntityTooLarge

    @app.before_request
    def _refuse_oversized_body():
        limit, length = request.max_content_length, request.content_length
        if limit is not None and length is not None and length > limit:
            raise RequestEntityTooLarge()


def register_template_helpers(app: Flask) -> None:
    from .rendering import register

    register(app)
