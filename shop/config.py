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


def _whole_days(raw: str) -> int:
    days = int(raw)
    if not 1 <= days <= 365:
        raise ValueError("give a number of days from 1 to 365")
    return days


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
        "PROFILE_RULES_PATH",
        "the shop's profile rule table, written by the back office (`/admin/profile-rules`); "
        "until it exists, training uses the table shipped in `recommender/rules/`",
        default=lambda instance: str(Path(instance) / "profile_rules.yaml"),
        shown="`instance/profile_rules.yaml`",
    ),
    Setting(
        "MEDIA_DIR",
        "product images: validated uploads and their renditions, served at `/media/`",
        default=lambda instance: str(Path(instance) / "media"),
        parse=_folder,
        shown="`instance/media`",
    ),
    Setting(
        "MAIL_URL",
        "SMTP server for e-mails (`smtp://user:pass@host:port`, `smtp+starttls://…`, "
        "`smtps://…`); unset, e-mails are written as `.eml` files into `OUTBOX_DIR`",
        default="",
        shown="unset",
    ),
    Setting("MAIL_FROM", "the sender of the shop's e-mails",
            default="Backcare shop <shop@localhost>"),
    Setting(
        "OUTBOX_DIR",
        "where e-mails go as `.eml` files when `MAIL_URL` is unset",
        default=lambda instance: str(Path(instance) / "outbox"),
        parse=_folder,
        shown="`instance/outbox`",
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
        "wrong passwords per account and address before that pair waits (1 minute, doubling per "
        "further failure, at most the window)",
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
    Setting("SESSION_IDLE_SECONDS", "an account session ends after this long unused",
            default=86400, parse=int),
    Setting("SESSION_ABSOLUTE_SECONDS", "an account session ends this long after log-in",
            default=14 * 86400, parse=int),
    Setting("LOGIN_ADDRESS_MAX_FAILURES",
            "failed log-ins allowed per address over all accounts within the window",
            default=20, parse=int),
    Setting("REGISTER_MAX_PER_ADDRESS", "sign-ups allowed per address within the window",
            default=10, parse=int),
    Setting("REGISTER_WINDOW_SECONDS", "the sign-up throttling window", default=3600.0,
            parse=float),
    Setting("FORGOT_MAX_PER_ADDRESS",
            "password reset requests allowed per client address within the window (then 429)",
            default=10, parse=int),
    Setting("FORGOT_MAX_PER_EMAIL",
            "reset e-mails sent to one e-mail address within the window (then none, same answer)",
            default=3, parse=int),
    Setting("FORGOT_WINDOW_SECONDS", "the password reset throttling window", default=3600.0,
            parse=float),
    Setting("ACCOUNT_MAILS_PER_HOUR",
            "verification and sign-up e-mails sent to one e-mail address per hour",
            default=5, parse=int),
    Setting("DB_POOL_SIZE", "pooled database connections per worker (a request holds one at most)",
            default=5, parse=int),
    Setting("DB_MAX_OVERFLOW", "connections opened beyond the pool under load", default=10,
            parse=int),
    Setting("DB_POOL_TIMEOUT", "seconds a request waits for a connection before a 503",
            default=2.0, parse=float),
    Setting("MAX_REQUESTS_IN_FLIGHT",
            "requests a worker process serves at once; more wait or get a 503 with `Retry-After` "
            "(0: no limit; off under TESTING)", default=4, parse=int, testing_default=0),
    Setting("MAX_REQUESTS_WAITING",
            "requests per worker process that may wait for a free slot; beyond that a 503 at once",
            default=8, parse=int),
    Setting("REQUEST_WAIT_SECONDS", "the longest a waiting request waits for a slot before a 503",
            default=0.5, parse=float),
    Setting("EVENTS_PER_VISITOR_PER_MINUTE",
            "events logged per visitor and worker per minute (0: no cap)", default=60, parse=int),
    Setting("EVENTS_CLICK_WINDOW_SECONDS",
            "a click counts once, and only for a recommendation shown that recently",
            default=1800.0, parse=float),
    Setting("ATTRIBUTION_WINDOW_DAYS",
            "an add-to-cart or order line counts for a recommendation slot when its product was "
            "clicked there at most this many days before", default=7, parse=_whole_days),
    Setting("EVENTS_BOT_USER_AGENTS",
            "User-Agents (case-insensitive regex) whose requests log no events",
            default=(r"bot|crawl|spider|slurp|curl|wget|python-requests|python-urllib|httpx|"
                     r"aiohttp|go-http-client|java/|okhttp|libwww|scrapy|headless|phantomjs|"
                     r"selenium|puppeteer|playwright"),
            shown="bots, crawlers, HTTP libraries, headless browsers"),
    Setting("TRAINING_MAX_EVENTS_PER_VISITOR_DAY",
            "training skips visitors with more events than this on any day (0: no cap)",
            default=500, parse=int),
    Setting("EVENT_RETENTION_DAYS",
            "`shop db maintain` drops events older than this, once exported (0: keep all)",
            default=730, parse=int),
    Setting("LOW_STOCK_THRESHOLD",
            "the back office lists variants with this many or fewer in stock (catalog, low stock)",
            default=3, parse=int),
    Setting("LOG_LEVEL", "the root logger's level", default="INFO"),
    Setting("WEB_CONCURRENCY", "gunicorn worker processes of `shop run` / `make run`",
            parse=None, shown="2"),
    Setting("WEB_THREADS", "threads per gunicorn worker of `shop run` / `make run` (more than "
            "`MAX_REQUESTS_IN_FLIGHT` + `MAX_REQUESTS_WAITING`, so none queue in the server)",
            parse=None, shown="32"),
    Setting("HOST", "where `make run` listens (read by the Makefile)", parse=None,
            shown="`127.0.0.1`"),
    Setting("PORT", "the port of `make run` (read by the Makefile)", parse=None, shown="`5000`"),
)  # fmt: skip


def inherited_environment() -> dict[str, str]:
    """This process's environment, for a child tool (``pg_dump``) that reads its own variables."""
    return dict(os.environ)


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
            expected = ({_threads: "int or 'default'", _whole_days: "days from 1 to 365"}.get(setting.parse)
                        or setting.parse.__name__)
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
    # -- accounts and sessions (server-side, shop.accounts.sessions): a guest session lives
    # PERMANENT_SESSION_LIFETIME unused; an account session ends after SESSION_IDLE_SECONDS
    # unused or SESSION_ABSOLUTE_SECONDS after log-in. Log-in: LOGIN_MAX_FAILURES per account
    # and address, then a delay that doubles (all in SETTINGS above); LOGIN_ADDRESS_MAX_FAILURES per address over all
    # accounts; REGISTER_MAX_PER_ADDRESS sign-ups per address per REGISTER_WINDOW_SECONDS.
    PER_PAGE_DEFAULT = 12
    PER_PAGE_MAX = 60
    TESTING = False
