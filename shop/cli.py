"""The ``shop`` console script: a Flask CLI group around the app factory."""

from __future__ import annotations

import sys

import click
from flask import current_app
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
@click.option("--threads", type=click.IntRange(1, 256), envvar="WEB_THREADS", default=32,
              show_default="WEB_THREADS or 32",
              help="Threads per worker: more than the admission slots and waiting room.")
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
    """Load the fictional demo catalog, articles and reviews (idempotent)."""
    from sqlalchemy import func, select

    from catalog.demo import seed_demo
    from catalog.models import Product

    if if_empty and db.session.scalar(select(func.count(Product.id))):
        click.echo("Catalog already has products; demo seed skipped.")
        return
    report, articles = seed_demo(db.session, current_app.config["MEDIA_DIR"])
    click.echo(
        f"Demo catalog: {report.products_created} products created, {report.products_updated} updated, "
        f"{report.variants_created + report.variants_updated} variants; {articles} articles."
    )
    from .reviews.demo import seed_demo_reviews

    reviews = seed_demo_reviews(db.session)
    click.echo(f"Demo reviews: {reviews.reviews} from {reviews.reviewers} fictional verified buyers "
               "(accounts @demo.invalid).")


@db_group.command("maintain")
@with_appcontext
def db_maintain() -> None:
    """Keep the event log in shape: month partitions ahead (PostgreSQL), exported events past
    EVENT_RETENTION_DAYS dropped (whole months on PostgreSQL, in batches elsewhere)."""
    from .events.retention import maintain

    report = maintain(db.session, retention_days=int(current_app.config["EVENT_RETENTION_DAYS"]))
    for line in report.lines():
        click.echo(line)


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


SOURCES = click.Choice(["catalog", "woocommerce"])


@catalog_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "source", type=SOURCES, default="catalog", show_default=True,
              help="The file's format: the shop's own, or WooCommerce's product CSV.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="WooCommerce only: YAML mapping of its attributes onto the catalog's words.")
@click.option("--dry-run", is_flag=True, help="WooCommerce only: report, write nothing.")
@click.option("--brand", default="", help="WooCommerce only: the brand of new products.")
@click.option("--no-images", is_flag=True,
              help="WooCommerce only: fetch no picture (products keep the ones they have).")
@with_appcontext
def catalog_import(path: str, source: str, mapping: str | None, dry_run: bool, brand: str,
                   no_images: bool) -> None:  # fmt: skip
    """Validate every row of PATH, then upsert all of it or nothing."""
    from catalog.io import CatalogFileError, import_catalog, read_catalog

    if source == "woocommerce":
        _import_woocommerce(path, mapping, dry_run, brand, no_images)
        return
    if mapping or dry_run or brand or no_images:
        raise click.UsageError(
            "--mapping, --dry-run, --brand and --no-images are for --from woocommerce."
        )
    try:
        report = import_catalog(db.session, read_catalog(path), current_app.config["MEDIA_DIR"])
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


def _woo_problems(path: str, exc) -> None:
    click.echo(f"Nothing imported: {len(exc.problems)} problem(s) in {path}", err=True)
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


def _import_woocommerce(path: str, mapping_path: str | None, dry_run: bool, brand: str,
                        no_images: bool) -> None:  # fmt: skip
    from catalog.woocommerce import Mapping, WooCommerceFileError, read_mapping
    from catalog.woocommerce_import import import_woocommerce

    media_dir = None if no_images else current_app.config["MEDIA_DIR"]
    try:
        mapping = read_mapping(mapping_path) if mapping_path else Mapping()
        report = import_woocommerce(db.session, path, mapping, brand=brand, dry_run=dry_run,
                                    media_dir=media_dir)  # fmt: skip
    except WooCommerceFileError as exc:
        _woo_problems(path, exc)
    verb = "Would import" if dry_run else "Imported"
    click.echo(
        f"{verb} {path}: {len(report.created)} products created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} rows skipped; "
        f"{report.variants} variants; {report.categories_created} categories created."
    )
    for kind, slugs in (("created", report.created), ("updated", report.updated)):
        for slug in slugs:
            click.echo(f"  {kind}: {slug}")
    for row in report.skipped:
        click.echo(f"  skipped: {row}")
    if report.images and (dry_run or no_images):
        click.echo(f"  {report.images} image references: none fetched "
                   f"({'dry run' if dry_run else '--no-images'}).")
    elif report.images:
        click.echo(f"  {report.images} image references: {report.images_stored} pictures stored, "
                   f"{len(report.warnings)} could not be had.")
    for warning in report.warnings:
        click.echo(f"  warning: {warning}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@catalog_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--to", "target", type=SOURCES, default="catalog", show_default=True,
              help="The format: the shop's own (.json or .csv), or WooCommerce's product CSV.")
@with_appcontext
def catalog_export(path: str, target: str) -> None:
    """Write the catalog to PATH."""
    from catalog.io import export_catalog
    from catalog.woocommerce_export import export_woocommerce

    if target == "woocommerce":
        count = export_woocommerce(db.session, path)
    else:
        count = export_catalog(db.session, path, current_app.config["MEDIA_DIR"])
    click.echo(f"Exported {count} products to {path}")


# ---------------------------------------------------------------- orders


@main.group("orders")
def orders_group() -> None:
    """Bring in order history from another shop."""


@orders_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "source", type=click.Choice(["woocommerce"]), required=True,
              help="The history's format: WooCommerce REST API v3 order pages (JSON).")
@with_appcontext
def orders_import(paths: tuple[str, ...], source: str) -> None:
    """Write the purchases of PATHS as events (and customers) for the recommender."""
    from catalog.woocommerce import WooCommerceFileError

    from .woocommerce_orders import import_orders

    try:
        report = import_orders(db.session, list(paths))
    except WooCommerceFileError as exc:
        _woo_problems(", ".join(paths), exc)
    click.echo(
        f"Imported {report.orders} orders ({report.already_imported} already imported, "
        f"{report.not_purchases} not purchases): {report.events} purchase events, "
        f"{report.customers_created} customers created; {report.unknown_lines} lines with unknown SKUs."
    )
    for sku, count in sorted(report.unknown.items()):
        click.echo(f"  unknown SKU {sku}: {count} line(s)")


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


def _register_discounts() -> None:
    from .discounts.cli import discounts_group

    register_group(discounts_group)


_register_discounts()


def _register_mail() -> None:
    from .mail.cli import mail_group

    register_group(mail_group)


_register_mail()


def _register_staff() -> None:
    from .admin.cli import staff_group

    register_group(staff_group)


_register_staff()


if __name__ == "__main__":  # python -m shop.cli
    main()
