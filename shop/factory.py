"""The application factory: a list of small ``register_*`` steps."""

from __future__ import annotations

import logging
import os

from flask import Flask
from werkzeug.routing import IntegerConverter

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
    secure_instance(app.instance_path, app.config["DATABASE_URL"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    register_extensions(app)
    register_blas_threads(app)
    register_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_request_limits(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def secure_instance(instance_path: str, database_url: str) -> None:
    """The instance folder 0700; a SQLite database, its WAL and shared-memory files 0600.

    The database holds password hashes and addresses. SQLite creates the -wal and -shm files
    with the mode of the database file, so creating that file 0600 before the first connection
    (and tightening an existing one) keeps all three private.
    """
    os.makedirs(instance_path, mode=0o700, exist_ok=True)
    os.chmod(instance_path, 0o700)
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") \
            or url.database.startswith("file:"):
        return
    path = os.path.abspath(url.database)
    if not os.path.isdir(os.path.dirname(path)):
        return  # a folder that is not there (yet): the engine reports it on first use
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for name in (path, path + "-wal", path + "-shm", path + "-journal"):
        if os.path.exists(name):
            os.chmod(name, 0o600)


def register_extensions(app: Flask) -> None:
    from . import events, recommendations
    from .accounts.cookies import trust_proxy
    from .accounts.sessions import DatabaseSessionInterface, load_before_request

    db.init_app(app)
    csrf.init_app(app)
    events.register(app)
    recommendations.init_app(app)
    app.session_interface = DatabaseSessionInterface()
    load_before_request(app)
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


class DatabaseId(IntegerConverter):
    """``<int:...>`` in every route: at most 2**31 - 1, the largest id PostgreSQL's ``integer``
    holds, so a longer number is a plain 404 instead of an overflow in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId


def register_blueprints(app: Flask) -> None:
    from .accounts import bp as accounts
    from .api import api, register_api
    from .cart import bp as cart
    from .footwear import bp as footwear
    from .media import bp as media
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
    app.register_blueprint(media)
    app.register_blueprint(reviews)
    api.init_app(app)
    register_api(app, api)
    from .admin import register as register_admin

    register_admin(app, api)


#: Pages and APIs about one person: never kept by a browser or a shared cache.
PERSONAL_PATHS = ("/account", "/orders", "/checkout", "/cart", "/profile",
                  "/api/orders", "/api/profile", "/api/account", "/api/cart", "/api/checkout",
                  "/admin", "/api/admin")


def is_personal(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PERSONAL_PATHS)


def register_security_headers(app: Flask) -> None:
    from flask import request

    try:  # under a plain ``gunicorn wsgi:app`` too: no "Server: gunicorn"
        from . import serve  # noqa: F401
    except ImportError:  # gunicorn is POSIX-only; the development server needs none of it
        pass

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
        if is_personal(request.path):
            response.headers["Cache-Control"] = "no-store"
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
    from .media.assets import register as register_static_urls
    from .rendering import register

    register(app)
    register_static_urls(app)
