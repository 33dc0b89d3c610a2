"""The migrations build exactly the schema the models describe, and can be undone."""

import shutil
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text

from app import create_app
from bot.conversations import Inbound, handle
from store.migrate import alembic_config
from store.models import Answer, Base


def test_migrated_database_matches_the_models(db_url):
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    command.upgrade(alembic_config(url), "head")
    assert "answers" in inspect(engine).get_table_names()
    engine.dispose()


PREVIOUS = Path(__file__).resolve().parent.parent / "data" / "databases"


def test_a_database_made_by_the_previous_layout_upgrades_cleanly(tmp_path, clock):
    """previous-head-0002.sqlite was made by the `outreach/` package layout (commit 8f8c379)
    at its head, 0002: a resident had consented and answered two questions."""
    path = tmp_path / "outreach.db"
    shutil.copy(PREVIOUS / "previous-head-0002.sqlite", path)
    url = f"sqlite:///{path}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "TRANSLATOR": "none"}, clock=clock)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert MigrationContext.configure(conn).get_current_revision() == _head()
        assert conn.scalar(text("SELECT count(*) FROM answers")) == 2
    engine.dispose()
    rt = app.extensions["outreach"]
    replies = handle(rt, Inbound("sms", "+447700900123", "1,3")).replies
    assert replies  # the conversation carries on where the old code left it
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 3
    rt.engine.dispose()


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
