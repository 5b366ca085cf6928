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
    """Load the fictional demo catalog, articles and reviews (idempotent)."""
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
    from .reviews.demo import seed_demo_reviews

    reviews = seed_demo_reviews(db.session)
    click.echo(f"Demo reviews: {reviews.reviews} from {reviews.reviewers} fictional verified buyers "
               "(accounts @demo.invalid).")


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
