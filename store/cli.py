"""`outreach db upgrade`: create or migrate the database the app is configured with."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from store import migrate

db = AppGroup("db", help="Create or migrate the database.")


@db.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database (DATABASE_URL) with Alembic."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")
