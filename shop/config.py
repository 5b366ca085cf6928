"""Configuration read from the environment, with sensible local defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_secret_key(instance_path: str) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into ``instance/``."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


#: Optional settings read from the environment when set, with their types.
TUNABLES: dict[str, type] = {
    "LOG_LEVEL": str,
    "PROXY_FIX_HOPS": int,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_WINDOW_SECONDS": float,
    "RECOMMENDER_CHECK_SECONDS": float,
    "RECOMMENDER_MAX_AGE_DAYS": float,
    "RECOMMENDER_FALLBACK_SECONDS": float,
    "RECOMMENDER_ELIGIBLE_SECONDS": float,
    # Database pool and event log (issue 10: pool exhaustion, recommender steering).
    "DB_POOL_SIZE": int,
    "DB_MAX_OVERFLOW": int,
    "DB_POOL_TIMEOUT": float,
    "EVENTS_PER_VISITOR_PER_MINUTE": int,
    "EVENTS_CLICK_WINDOW_SECONDS": float,
    "EVENTS_BOT_USER_AGENTS": str,
    "TRAINING_MAX_EVENTS_PER_VISITOR_DAY": int,
}


def tunables_from_environment() -> dict:
    """The TUNABLES that are set, converted; a malformed value stops start-up with its name."""
    settings = {}
    for name, kind in TUNABLES.items():
        raw = os.environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            settings[name] = kind(raw)
        except ValueError:
            raise RuntimeError(f"{name}={raw!r}: expected {kind.__name__}") from None
    return settings


class Config:
    """Defaults; the factory fills in what depends on the instance folder."""

    API_TITLE = "Backcare shop API"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {"description": "Catalog, articles, cart, profile, orders and recommendations."}
    }
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB: nothing the shop accepts is bigger
    MAX_IMPORT_BYTES = 50 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 30 * 24 * 3600
    WTF_CSRF_TIME_LIMIT = None
    PER_PAGE_DEFAULT = 12
    PER_PAGE_MAX = 60
    TESTING = False
    #: BLAS threads per app process (``None``, or ``BLAS_THREADS=default`` in the environment:
    #: the libraries' default, one per core).
    BLAS_THREADS = 1
    # RECOMMENDER_ELIGIBLE_SECONDS: eligibility snapshot lifetime per worker (default 2, at
    # most 5; 0 under TESTING), see shop.recommendations.eligibility.

    # Database pool and event log: a request holds one pooled connection at most; an exhausted
    # pool is a 503 after DB_POOL_TIMEOUT seconds (shop.database). Events are logged at most
    # EVENTS_PER_VISITOR_PER_MINUTE per visitor and worker (0: no cap), never for User-Agents
    # matching EVENTS_BOT_USER_AGENTS (a case-insensitive regex), and a click only for a slot
    # impression of that product shown to the visitor within EVENTS_CLICK_WINDOW_SECONDS
    # (shop.events.guard). Training skips visitors with more than
    # TRAINING_MAX_EVENTS_PER_VISITOR_DAY events on any day (0: no cap).
    DB_POOL_SIZE = 5
    DB_MAX_OVERFLOW = 10
    DB_POOL_TIMEOUT = 2.0
    EVENTS_PER_VISITOR_PER_MINUTE = 60
    EVENTS_CLICK_WINDOW_SECONDS = 1800.0
    EVENTS_BOT_USER_AGENTS = (
        r"bot|crawl|spider|slurp|curl|wget|python-requests|python-urllib|httpx|aiohttp|"
        r"go-http-client|java/|okhttp|libwww|scrapy|headless|phantomjs|selenium|puppeteer|playwright"
    )
    TRAINING_MAX_EVENTS_PER_VISITOR_DAY = 500

    @staticmethod
    def from_environment(instance_path: str) -> dict:
        database_url = os.environ.get("DATABASE_URL") or (
            "sqlite:///" + str(Path(instance_path) / "shop.db")
        )
        settings = tunables_from_environment()
        if threads := os.environ.get("BLAS_THREADS"):
            settings["BLAS_THREADS"] = None if threads.lower() == "default" else int(threads)
        return {
            **settings,
            "DATABASE_URL": database_url,
            "MODEL_DIR": os.environ.get("MODEL_DIR") or str(Path(instance_path) / "models"),
            "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "").lower()
            in ("1", "true", "yes"),
        }
