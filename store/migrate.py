"""Alembic, driven from code: `outreach db upgrade` and the test fixtures call this."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at `url` to `revision`."""
    command.upgrade(alembic_config(url), revision)


@cache
def head() -> str:
    """The newest revision this code's migrations know (read once per process)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def at_head(engine: Engine) -> bool:
    """Whether the database's schema is at this code's migration head (raises if the
    database does not answer)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_heads() == (head(),)
