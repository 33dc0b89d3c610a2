"""`outreach staff add-user | list | disable | enable | unblock | role | password | token |
tokens`: staff accounts and API tokens from the command line (the first admin is always
made here).

`outreach staff token EMAIL [--name N] [--days D]` makes a token (the form without a
subcommand, kept from before); `outreach staff token revoke ID` revokes one."""

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
    """Stop EMAIL signing in or using a token (sessions end, tokens are revoked now)."""
    _run(lambda s, now: accounts.disable(s, email, now, _actor()))
    click.echo(f"Disabled {accounts.normal_email(email)}.")


@staff_group.command("enable")
@click.argument("email")
@with_appcontext
def enable(email: str) -> None:
    """Let a disabled user sign in again."""
    _run(lambda s, now: accounts.enable(s, email, now, _actor()))
    click.echo(f"Enabled {accounts.normal_email(email)}.")


@staff_group.command("unblock")
@click.argument("email")
@with_appcontext
def unblock(email: str) -> None:
    """Clear the wrong passwords counted against EMAIL, from every address and browser, so
    that they can sign in at once (audited). Addresses' own counts are left."""
    _run(lambda s, now: accounts.unblock(s, email, now, _actor()))
    click.echo(f"Cleared the sign-in counts of {accounts.normal_email(email)}.")


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
    """Set a new password for EMAIL (read like add-user's); sessions end, tokens are revoked."""
    new = _password()
    _run(lambda s, now: accounts.set_password(s, email, new, now, _actor()))
    click.echo(f"New password set for {accounts.normal_email(email)}.")


class _TokenGroup(click.Group):
    """`token EMAIL …` is `token new EMAIL …`: the old form keeps working beside `revoke`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["new", *args]
        return super().parse_args(ctx, args)


@staff_group.group("token", cls=_TokenGroup)
def token_group() -> None:
    """Make an API token (`token EMAIL --name N [--days D]`) or revoke one (`token revoke
    ID`)."""


@token_group.command("new")
@click.argument("email")
@click.option("--name", default="", help="what the token is for, e.g. 'Power BI refresh'")
@click.option("--days", type=click.IntRange(1, accounts.MAX_TOKEN_DAYS),
              help="how long it works (default STAFF_TOKEN_DAYS, 90; at most 365)")
@with_appcontext
def token(email: str, name: str, days: int | None) -> None:
    """Print a new API token for EMAIL, once: only its hash is kept."""
    days = days or current().settings.staff_token_days
    made = _run(lambda s, now: accounts.issue_token(s, email, now, _actor(), name, days))
    click.echo(made)


@token_group.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Stop token ID (from `outreach staff tokens EMAIL`) working, at once."""
    _run(lambda s, now: accounts.revoke_token(s, token_id, now, _actor()))
    click.echo(f"Revoked token #{token_id}.")


@staff_group.command("tokens")
@click.argument("email")
@with_appcontext
def list_tokens(email: str) -> None:
    """EMAIL's API tokens: id, name, created, expires, last used, state (never the secret)."""
    rt = current()
    listed = _run(lambda s, now: accounts.tokens(s, email, now))

    def day(when) -> str:
        return when.astimezone(rt.settings.timezone).strftime("%Y-%m-%d %H:%M") if when \
            else "never"

    for t in listed:
        click.echo(f"#{t.id} {t.name or '(no name)'!r} created {day(t.created_at)} expires "
                   f"{day(t.expires_at)} last used {day(t.last_used_at)} {t.state}")
    if not listed:
        click.echo(f"No tokens for {accounts.normal_email(email)}.")
