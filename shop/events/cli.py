"""``shop events export FILE``: the event log as an interactions CSV."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from .recorder import EVENT_KINDS


@click.group("events")
def events_group() -> None:
    """The event log: what visitors read, view, cart and buy."""


@events_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--event", "kinds", multiple=True, type=click.Choice(EVENT_KINDS),
              help="Event kinds to export (repeatable); default: read, view, cart, purchase.")
@with_appcontext
def export(path: str, kinds: tuple[str, ...]) -> None:
    """Write the interactions CSV (user_id, item_id, timestamp, event, weight) to PATH."""
    from .export import EXPORTED_EVENTS, export_interactions
    from .retention import latest_event_id, record_export

    kinds = kinds or EXPORTED_EVENTS
    until_id = latest_event_id(db.session)
    count = export_interactions(db.session, path, kinds=kinds, until_id=until_id)
    record_export(db.session, max_event_id=until_id, kinds=kinds, rows=count, destination=path)
    click.echo(f"Exported {count} interaction{'' if count == 1 else 's'} to {path}")
