"""Every setting the shop reads from the environment, declared once with its default.

``SETTINGS`` is the one list: the factory reads the environment through it (nothing else in
``shop/`` looks at ``os.environ``), and README.md's "Configuration" table is generated from it
(``configuration_table()``; tests/shop/test_config.py fails when the README drifts and prints
the table to paste).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def _flag(raw: str) -> bool:
    return raw.lower() in ("1", "true", "yes")


def _folder(raw: str) -> str:
    """An absolute path: the CLI and the app's file serving agree whatever their cwd."""
    return str(Path(raw).resolve())


def _threads(raw: str) -> int | None:
    return None if raw.lower() == "default" else int(raw)


@dataclass(frozen=True)
class Setting:
    """One environment variable: how to read it, its default, and what it is for.

    ``default`` is the value used when the variable is unset, or a function of the instance
    folder; ``shown`` is the default as the README states it when ``default`` cannot say it.
    ``parse`` is None for a variable the app itself never reads (the Makefile's ``HOST``).
    """

    name: str
    meaning: str
    default: object = None
    parse: Callable[[str], object] | None = str
    shown: str | None = None
    testing_default: object = None  # the default under TESTING, when it differs

    @property
    def documented_default(self) -> str:
        if self.shown is not None:
            return self.shown
        return f"`{self.default}`" if isinstance(self.default, str) else f"{self.default:g}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "any SQLAlchemy URL; PostgreSQL (`postgresql+psycopg://…`, install the `postgres` extra) "
        "for several app processes",
        default=lambda instance: "sqlite:///" + str(Path(instance) / "shop.db"),
        shown="`sqlite:///instance/shop.db`",
    ),
    Setting(
        "SECRET_KEY",
        "session signing key; set it in production",
        parse=None,  # read by load_secret_key (the factory), never copied into a default
        shown="generated once into `instance/secret_key`",
    ),
    Setting(
        "INSTANCE_PATH",
        "where the database, key and models live",
        parse=None,  # read by instance_path() before the app exists
        shown="`./instance` beside the package",
    ),
    Setting(
        "MODEL_DIR",
        "trained recommender artifacts",
        default=lambda instance: str(Path(instance) / "models"),
        shown="`instance/models`",
    ),
    Setting(
        "MEDIA_DIR",
        "product images: validated uploads and their renditions, served at `/media/`",
        default=lambda instance: str(Path(instance) / "media"),
        parse=_folder,
        shown="`instance/media`",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "`1` forces Secure session cookies",
        default=False,
        parse=_flag,
        shown="off (on automatically over HTTPS)",
    ),
    Setting(
        "PROXY_FIX_HOPS",
        "number of reverse proxies whose `X-Forwarded-*` headers to trust",
        default=0,
        parse=int,
    ),
    Setting(
        "LOGIN_MAX_FAILURES",
        "failed log-ins allowed per account and per address within the window",
        default=5,
        parse=int,
    ),
    Setting(
        "LOGIN_WINDOW_SECONDS",
        "the log-in throttling window",
        default=900.0,
        parse=float,
    ),
    Setting(
        "RECOMMENDER_CHECK_SECONDS",
        "how often a worker looks for a newer model file",
        default=5.0,
        parse=float,
    ),
    Setting(
        "RECOMMENDER_MAX_AGE_DAYS",
        "an older model is stale: popularity is served instead (0: never stale)",
        default=30.0,
        parse=float,
    ),
    Setting(
        "RECOMMENDER_FALLBACK_SECONDS",
        "how long a worker reuses the popularity fallback it computed from the database",
        default=60.0,
        parse=float,
    ),
    Setting(
        "RECOMMENDER_ELIGIBLE_SECONDS",
        "how long a worker reuses its in-stock snapshot (at most 5; 0 under TESTING)",
        default=2.0,
        parse=float,
        testing_default=0.0,
    ),
    Setting(
        "BLAS_THREADS",
        "BLAS threads per worker process (`default` leaves the library's choice)",
        default=1,
        parse=_threads,
    ),
    Setting("LOG_LEVEL", "the root logger's level", default="INFO"),
    Setting("HOST", "where `make run` listens (read by the Makefile)", parse=None,
            shown="`127.0.0.1`"),
    Setting("PORT", "the port of `make run` (read by the Makefile)", parse=None, shown="`5000`"),
)  # fmt: skip


def instance_path() -> str | None:
    """``INSTANCE_PATH`` from the environment; None lets Flask use ``instance/`` by the package."""
    return os.environ.get("INSTANCE_PATH") or None


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


def settings_from_environment(instance_path: str, *, testing: bool = False) -> dict:
    """Every app-read setting: the environment's value when set, else its default.

    A malformed value stops start-up with its name.
    """
    values = {}
    for setting in SETTINGS:
        if setting.parse is None:
            continue
        raw = os.environ.get(setting.name)
        if raw is None or raw == "":
            default = setting.default
            if testing and setting.testing_default is not None:
                default = setting.testing_default
            values[setting.name] = default(instance_path) if callable(default) else default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError:
            expected = {_threads: "int or 'default'"}.get(setting.parse) or setting.parse.__name__
            raise RuntimeError(f"{setting.name}={raw!r}: expected {expected}") from None
    return values


def configuration_table() -> str:
    """README.md's "Configuration" table, as Markdown."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.documented_default} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


class Config:
    """Fixed defaults; the factory adds ``settings_from_environment`` on top."""

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
