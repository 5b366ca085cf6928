"""The ``shop`` console script: a Flask CLI group around the app factory."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db


def _create_app():
    from .factory import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Operate the Backcare shop: database, catalog, recommender."""


# ---------------------------------------------------------------- run


@click.command("run")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default="HOST or 127.0.0.1")
@click.option("--port", type=int, envvar="PORT", default=5000, show_default="PORT or 5000")
@click.option("--workers", type=click.IntRange(1, 64), envvar="WEB_CONCURRENCY", default=2,
              show_default="WEB_CONCURRENCY or 2", help="gunicorn worker processes.")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Threads per worker.")
@click.option("--debug", is_flag=True, help="The development server (reloader, debugger) instead of gunicorn.")
@click.option("--reload/--no-reload", default=True, help="With --debug: restart when the code changes.")
def run_command(host: str, port: int, workers: int, threads: int, debug: bool, reload: bool) -> None:
    """Serve the shop with gunicorn (as in production); --debug for the development server."""
    from .serve import serve, serve_debug

    if debug:
        serve_debug(host, port, reload=reload)
    else:
        serve(host, port, workers=workers, threads=threads)


main.add_command(run_command, "run")


# ---------------------------------------------------------------- db


@main.group("db")
def db_group() -> None:
    """Create, migrate and seed the database."""


def upgrade_database() -> None:
    """Bring the schema to the newest migration (creates the database when missing)."""
    from .migrate import upgrade

    upgrade(db.engine)


@db_group.command("init")
@with_appcontext
def db_init() -> None:
    """Create the database or migrate it to the newest schema; loses nothing."""
    upgrade_database()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@db_group.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when there are no products yet.")
@with_appcontext
def db_seed_demo(if_empty: bool) -> None:
    """Load the fictional demo catalog and articles (idempotent)."""
    from sqlalchemy import func, select

    from catalog.demo import seed_demo
    from catalog.models import Product

    if if_empty and db.session.scalar(select(func.count(Product.id))):
        click.echo("Catalog already has products; demo seed skipped.")
        return
    report, articles = seed_demo(db.session)
    click.echo(
        f"Demo catalog: {report.products_created} products created, {report.products_updated} updated, "
        f"{report.variants_created + report.variants_updated} variants; {articles} articles."
    )


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def db_backup(path: str) -> None:
    """Write a consistent backup of the database to PATH, also while the shop serves."""
    from .backup import BackupError, backup

    try:
        click.echo(backup(db.engine, path))
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


@db_group.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has orders or accounts.")
@with_appcontext
def db_restore(path: str, force: bool) -> None:
    """Replace the database with the backup in PATH (stop the shop first), then migrate it."""
    from .backup import BackupError, restore

    try:
        click.echo(restore(db.engine, path, force=force))
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


# ---------------------------------------------------------------- catalog


@main.group("catalog")
def catalog_group() -> None:
    """Import and export the catalog (CSV or JSON, see docs/catalog-format.md)."""


@catalog_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def catalog_import(path: str) -> None:
    """Validate every row of PATH, then upsert all of it or nothing."""
    from catalog.io import CatalogFileError, import_catalog, read_catalog

    try:
        report = import_catalog(db.session, read_catalog(path))
    except CatalogFileError as exc:
        click.echo(f"Nothing imported: {len(exc.errors)} problem(s) in {path}", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(1)
    click.echo(
        f"Imported {path}: {report.products_created} products created, {report.products_updated} updated; "
        f"{report.variants_created} variants created, {report.variants_updated} updated; "
        f"{report.categories_created} categories created."
    )


@catalog_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def catalog_export(path: str) -> None:
    """Write the catalog to PATH (.json or .csv)."""
    from catalog.io import export_catalog

    count = export_catalog(db.session, path)
    click.echo(f"Exported {count} products to {path}")


def register_group(group: click.Group) -> None:
    """Let other modules add their command groups (events, recommender) to ``shop``."""
    main.add_command(group)


def _register_recommender() -> None:
    from .recommendations.cli import recommender_group

    register_group(recommender_group)


_register_recommender()


def _register_events() -> None:
    from .events.cli import events_group

    register_group(events_group)


_register_events()


if __name__ == "__main__":  # python -m shop.cli
    main()
