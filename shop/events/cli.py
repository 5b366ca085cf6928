"""``shop events export FILE`` (CSV) or ``--format parquet DIR``: the event log for training."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from .recorder import EVENT_KINDS


@click.group("events")
def events_group() -> None:
    """The event log: what visitors read, view, cart and buy."""


@events_group.command("export")
@click.argument("path", type=click.Path(writable=True))
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="csv: one interactions file; parquet: a folder partitioned by day, written incrementally.")
@click.option("--event", "kinds", multiple=True, type=click.Choice(EVENT_KINDS),
              help="Event kinds to export (repeatable); default: read, view, cart, purchase.")
@with_appcontext
def export(path: str, fmt: str, kinds: tuple[str, ...]) -> None:
    """Write the interactions (user_id, item_id, timestamp, event, weight) to PATH.

    With --format parquet, PATH is a folder of day=YYYY-MM-DD/events.parquet; a second run
    writes only the days since the newest one already there.
    """
    from .export import EXPORTED_EVENTS, export_interactions
    from .retention import latest_event_id, record_export

    target = Path(path)
    kinds = kinds or EXPORTED_EVENTS
    # What the export covers is recorded, so retention only ever drops exported events.
    until_id = latest_event_id(db.session)
    if fmt == "csv":
        if target.is_dir():
            raise click.BadParameter(f"{path} is a folder; the CSV export writes a file", param_hint="PATH")
        count = export_interactions(db.session, path, kinds=kinds, until_id=until_id)
        record_export(db.session, max_event_id=until_id, kinds=kinds, rows=count, destination=path)
        click.echo(f"Exported {count} interaction{'' if count == 1 else 's'} to {path}")
        return
    from .parquet_export import ParquetUnavailable, export_parquet

    if target.exists() and not target.is_dir():
        raise click.BadParameter(f"{path} is a file; the Parquet export writes a folder", param_hint="PATH")
    try:
        result = export_parquet(db.session, target, kinds=kinds)
    except ParquetUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    record_export(db.session, max_event_id=until_id, kinds=kinds, rows=result.rows, destination=str(target))
    span = f" ({result.days[0]} to {result.days[-1]})" if result.days else ""
    click.echo(f"Exported {result.rows} interaction{'' if result.rows == 1 else 's'} in "
               f"{len(result.days)} day{'' if len(result.days) == 1 else 's'}{span} to {path}; "
               f"{result.kept_days} earlier day{'' if result.kept_days == 1 else 's'} kept")
