"""Backups of the shop's database: ``shop db backup FILE`` and ``shop db restore FILE``.

- SQLite: the online backup API copies the database in one step inside a read transaction,
  so the copy is one consistent moment even while the shop keeps taking orders (WAL lets the
  writers carry on). The copy is written beside FILE, made 0600 (it holds password hashes and
  addresses) and renamed into place, so FILE is never half a backup.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``, given the URL's host,
  port, user and database in the ``PG*`` environment variables and the password in
  ``PGPASSWORD``: never on a command line that ``ps`` shows.

A restore checks the file is a shop database, refuses to replace a shop that has orders or
accounts unless forced, and migrates the restored schema to the newest revision.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url

from .config import inherited_environment
from .models import Order, User


class BackupError(Exception):
    """Why a backup or restore cannot be done; the CLI prints it and exits 1."""


def backup(engine: Engine, target: Path) -> str:
    """Write a backup of the database to ``target``; returns a one-line summary."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _create_private(partial)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_backup(engine, partial)
        elif engine.dialect.name == "postgresql":
            _run(*pg_command("pg_dump", engine.url, ["--format=custom", "--no-owner", "--file", str(partial)]))
        else:
            raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return f"Backed up {_counts(engine)} to {target}"


def restore(engine: Engine, source: Path, *, force: bool = False) -> str:
    """Replace the database with the backup in ``source``; returns a one-line summary."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if not force and (existing := _has_business(engine)):
        raise BackupError(f"The database already has {existing}; pass --force to replace it with the backup.")
    if engine.dialect.name == "sqlite":
        _sqlite_restore(engine, source)
    elif engine.dialect.name == "postgresql":
        name = make_url(engine.url).database
        engine.dispose()
        _run(*pg_command("pg_restore", engine.url, ["--clean", "--if-exists", "--no-owner",
                                                      "--single-transaction", f"--dbname={name}", str(source)]))
    else:
        raise BackupError(f"restoring {engine.dialect.name} databases is not supported")
    from .migrate import upgrade

    upgrade(engine)  # a backup from an older release gets the newer tables
    return f"Restored {_counts(engine)} from {source}"


# ---------------------------------------------------------------- SQLite


def _sqlite_backup(engine: Engine, target: Path) -> None:
    destination = sqlite3.connect(target)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.backup(destination)  # pages=-1: all in one step, one snapshot
    finally:
        raw.close()
        destination.close()


def _check_shop_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            if check.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("damaged")
            check.execute("SELECT version_num FROM alembic_version").fetchone()
            check.execute("SELECT count(*) FROM orders").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(f"{source} is not a shop database backup (or it is damaged)") from None


def _sqlite_restore(engine: Engine, source: Path) -> None:
    _check_shop_backup(source)
    engine.dispose()  # no pooled connection keeps the old pages
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    raw = engine.raw_connection()
    try:
        backup_file.backup(raw.driver_connection)
    finally:
        raw.close()
        backup_file.close()
    engine.dispose()


# ---------------------------------------------------------------- PostgreSQL


def pg_command(tool: str, url, arguments: list[str]) -> tuple[list[str], dict[str, str]]:
    """The argv and environment to run a PostgreSQL client tool against ``url``."""
    url = make_url(url)
    env = inherited_environment()
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database),
                        ("PGSSLMODE", url.query.get("sslmode"))):
        if value not in (None, ""):
            env[name] = str(value)
    return [tool, *arguments], env


def _run(argv: list[str], env: dict[str, str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------- helpers


def _create_private(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _has_business(engine: Engine) -> str:
    tables = set(inspect(engine).get_table_names())
    if not {"orders", "users"} <= tables:
        return ""
    with engine.connect() as connection:
        orders = connection.scalar(select(func.count()).select_from(Order))
        users = connection.scalar(select(func.count()).select_from(User))
    if not (orders or users):
        return ""
    return f"{orders} orders and {users} accounts"


def _counts(engine: Engine) -> str:
    try:
        with engine.connect() as connection:
            orders = connection.scalar(select(func.count()).select_from(Order))
            users = connection.scalar(select(func.count()).select_from(User))
    except Exception:  # noqa: BLE001  (the summary is a courtesy)
        return "the database"
    return f"the database ({orders} orders, {users} accounts)"
