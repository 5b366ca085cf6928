"""``shop staff create EMAIL --role admin`` (and list, remove, reset-two-step): bootstrap and manage staff."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import User
from .roles import ROLES
from .staff import StaffError, grant, list_staff, reset_two_step, revoke


@click.group("staff")
def staff_group() -> None:
    """Staff accounts of the back office (/admin)."""


@staff_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--password", help="Password of a new account; asked for when not given.")
@click.option("--name", default="", help="Display name of a new account.")
@with_appcontext
def staff_create(email: str, role: str, password: str | None, name: str) -> None:
    """Give EMAIL a staff role, creating the account if there is none."""
    from ..accounts.service import normalize_email

    exists = db.session.scalar(select(User.id).where(User.email == normalize_email(email))) is not None
    if password is None and not exists:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = grant(db.session, None, email, role, password=password, name=name)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.email} is now {role}{' (existing account)' if exists else ''}.")


@staff_group.command("list")
@with_appcontext
def staff_list() -> None:
    """Every staff account and its role."""
    for user in list_staff(db.session):
        click.echo(f"{user.email}\t{user.role}\t{'2-step' if user.totp_secret else ''}".rstrip())


def _change_by_email(change, email: str, done: str) -> None:
    """Apply ``change`` to the staff member with ``email``; echo ``done`` or fail with why not."""
    from ..accounts.service import normalize_email

    email = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    try:
        change(db.session, None, user.id if user else -1)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(done.format(email=email))


@staff_group.command("remove")
@click.argument("email")
@with_appcontext
def staff_remove(email: str) -> None:
    """Take EMAIL's staff role away (the account stays, as a shopper's)."""
    _change_by_email(revoke, email, "{email} is no longer staff.")


@staff_group.command("reset-two-step")
@click.argument("email")
@with_appcontext
def staff_reset_two_step(email: str) -> None:
    """Forget EMAIL's second factor (a lost authenticator app); they sign in with the password
    and turn two-step sign-in on again."""
    _change_by_email(reset_two_step, email,
                     "{email} signs in with the password alone until two-step sign-in is on again.")
