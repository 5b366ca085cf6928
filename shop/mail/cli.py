"""``shop mail send-pending``: drain the outbox (run it from cron; checkout also tries at once)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db


@click.group("mail")
def mail_group() -> None:
    """Send the e-mails waiting in the outbox."""


@mail_group.command("send-pending")
@with_appcontext
def send_pending_command() -> None:
    """Send every due e-mail once; failures wait with a growing delay and are tried again."""
    from sqlalchemy import func, select

    from .models import OutboxMail
    from .sender import send_pending

    drained = send_pending(db.session, current_app.config)
    waiting = db.session.scalar(
        select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None))) or 0
    db.session.commit()
    click.echo(f"Sent {drained.sent}, failed {drained.failed}; {waiting} waiting in the outbox.")
