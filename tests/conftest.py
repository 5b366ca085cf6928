"""Shared fixtures: an app on a clean database (SQLite, or PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import shop.models  # noqa: F401  (all tables on the metadata)
from catalog.models import Base
from shop import create_app

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """One database per test session; the schema is created once, rows are wiped per test."""
    url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def wipe(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """One media folder per session: files are content-named, so the demo's renditions are
    written once and reused by every test that seeds the demo."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def app_config(database_url, media_dir, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "MODEL_DIR": str(tmp_path / "models"),
        "MEDIA_DIR": str(media_dir),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "PROFILE_RULES_PATH": str(tmp_path / "profile_rules.yaml"),
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["database"].engine.dispose()
    wipe(app_config["DATABASE_URL"])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The app's database session inside an app context."""
    from shop.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def demo(app):
    """The demo catalog and articles loaded."""
    from catalog.demo import seed_demo
    from shop.extensions import db

    with app.app_context():
        seed_demo(db.session, app.config["MEDIA_DIR"])
    return app


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATA} (a user's clone has no ../shared)")
    return SHARED_DATA
