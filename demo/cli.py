"""`outreach demo seed`: fill an empty database with the demo data set."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from bot.runtime import current
from demo.seed import DemoRefused, seed

demo = AppGroup("demo", help="A made-up data set to try the staff area and evidence pack.")


@demo.command("seed")
def seed_command() -> None:
    """Fill an EMPTY database with made-up responses (thousands, six languages, four
    channels, peer engagers and their logs, a few safeguarding alerts). Refuses a database
    that already holds responses or engagers. Never use the real round's database."""
    try:
        done = seed(current())
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Demo data: {done.residents:,} residents' responses, {done.young:,} young "
               f"people's, {done.logs} peer conversation logs by {done.engagers} engagers, "
               f"{done.alerts} safeguarding alerts. All made up; phone numbers are Ofcom's "
               f"drama numbers. Try: outreach evidence-pack --out pack.html")
