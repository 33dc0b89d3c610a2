"""`outreach staff add-user | list | disable | enable | role | password | token`: staff
accounts from the command line (the first admin is always made here)."""

from __future__ import annotations

import getpass
import sys

import click
from flask.cli import with_appcontext

from bot.runtime import current
from staff import accounts
from store.db import transaction


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _password() -> str:
    """From stdin when piped (its first line), else asked twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _run(change) -> None:
    rt = current()
    try:
        with transaction(rt.sessions) as session:
            return change(session, rt.now())
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("staff")
def staff_group() -> None:
    """Staff accounts for the staff pages (/staff) and the API."""


@staff_group.command("add-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES),
              help="admin: everything; analyst: dashboard, exports; wellbeing: alerts only")
@with_appcontext
def add_user(email: str, role: str) -> None:
    """Add a staff user. The password is read from stdin when piped, else prompted."""
    password = _password()
    _run(lambda s, now: accounts.add(s, email, role, password, now, _actor()))
    click.echo(f"Added {accounts.normal_email(email)} ({role}).")


@staff_group.command("list")
@with_appcontext
def list_users() -> None:
    """One line per staff user: email, role, active or disabled."""
    with current().sessions() as session:
        users = accounts.listing(session)
        for user in users:
            state = "disabled" if user.disabled_at else "active"
            click.echo(f"{user.email} {user.role} {state}")
    if not users:
        click.echo("No staff users yet: outreach staff add-user EMAIL --role admin")


@staff_group.command("disable")
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    """Stop EMAIL signing in or using a token (their sessions end now)."""
    _run(lambda s, now: accounts.disable(s, email, now, _actor()))
    click.echo(f"Disabled {accounts.normal_email(email)}.")


@staff_group.command("enable")
@click.argument("email")
@with_appcontext
def enable(email: str) -> None:
    """Let a disabled user sign in again."""
    _run(lambda s, now: accounts.enable(s, email, now, _actor()))
    click.echo(f"Enabled {accounts.normal_email(email)}.")


@staff_group.command("role")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@with_appcontext
def role(email: str, role: str) -> None:
    """Change a user's role (their sessions end, so it applies at once)."""
    _run(lambda s, now: accounts.set_role(s, email, role, now, _actor()))
    click.echo(f"{accounts.normal_email(email)} is now {role}.")


@staff_group.command("password")
@click.argument("email")
@with_appcontext
def password(email: str) -> None:
    """Set a new password for EMAIL (read like add-user's); their sessions end."""
    new = _password()
    _run(lambda s, now: accounts.set_password(s, email, new, now, _actor()))
    click.echo(f"New password set for {accounts.normal_email(email)}.")


@staff_group.command("token")
@click.argument("email")
@with_appcontext
def token(email: str) -> None:
    """Print a new API token for EMAIL, once: only its hash is kept."""
    made = _run(lambda s, now: accounts.issue_token(s, email, now, _actor()))
    click.echo(made)
