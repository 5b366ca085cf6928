"""Alembic migrations run from code, so ``shop db init`` needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: leave alone what the models cannot express (full-text
    index objects, the event table's month partitions on PostgreSQL)."""
    from catalog.search_index import is_index_object

    from .events.partitions import is_event_partition

    if type_ == "table" and is_event_partition(name):
        return False
    return is_index_object(obj, name, type_, reflected, compare_to)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)
