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
    # Accounts and sessions (issue 10): see the Config defaults below.
    "SESSION_IDLE_SECONDS": int,
    "SESSION_ABSOLUTE_SECONDS": int,
    "LOGIN_ADDRESS_MAX_FAILURES": int,
    "REGISTER_MAX_PER_ADDRESS": int,
    "REGISTER_WINDOW_SECONDS": float,
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
    # -- accounts and sessions (server-side, shop.accounts.sessions): a guest session lives
    # PERMANENT_SESSION_LIFETIME unused; an account session ends after SESSION_IDLE_SECONDS
    # unused or SESSION_ABSOLUTE_SECONDS after log-in. Log-in: LOGIN_MAX_FAILURES per account
    # and address, then a delay that doubles; LOGIN_ADDRESS_MAX_FAILURES per address over all
    # accounts; REGISTER_MAX_PER_ADDRESS sign-ups per address per REGISTER_WINDOW_SECONDS.
    SESSION_IDLE_SECONDS = 24 * 3600
    SESSION_ABSOLUTE_SECONDS = 14 * 24 * 3600
    LOGIN_MAX_FAILURES = 5
    LOGIN_WINDOW_SECONDS = 900
    LOGIN_ADDRESS_MAX_FAILURES = 20
    REGISTER_MAX_PER_ADDRESS = 10
    REGISTER_WINDOW_SECONDS = 3600
    PER_PAGE_DEFAULT = 12
    PER_PAGE_MAX = 60
    TESTING = False
    #: BLAS threads per app process (``None``, or ``BLAS_THREADS=default`` in the environment:
    #: the libraries' default, one per core).
    BLAS_THREADS = 1
    # RECOMMENDER_ELIGIBLE_SECONDS: eligibility snapshot lifetime per worker (default 2, at
    # most 5; 0 under TESTING), see shop.recommendations.eligibility.

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
