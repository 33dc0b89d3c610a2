"""Shared fixtures: a network guard, databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the app with an injected clock, and loaded surveys."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from store import migrate
from store.models import Base
from tests.helpers import network
from tests.helpers.clock import FakeClock
from tests.helpers.surveys import load_surveys

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# Settings the tests must not inherit from the machine: every variable in .env.example.
ISOLATE = [line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
           if line and not line.startswith("#") and "=" in line] + ["TEST_DATABASE_URL"]


def pytest_configure(config) -> None:
    network.install()
    for name in ISOLATE:
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "outreach.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A schema of its own in the test database, so parallel runs never meet; dropped after."""
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL tests run when TEST_DATABASE_URL is set (.ci/run sets it)")
    schema = f"test_{os.getpid()}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(TEST_DATABASE_URL).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template) -> str:
    """A migrated, empty database: every test using it runs on both engines."""
    if request.param == "sqlite":
        path = tmp_path / "outreach.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(db_url, tmp_path) -> dict:
    return {
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TRANSLATOR": "none",
        "PUBLIC_BASE_URL": "https://outreach.example.org",
        "DEFAULT_SURVEY": "neighbourhood-policing",
        "HELP_CONTACT": "020 7946 0123",
    }


@pytest.fixture
def app(config, clock):
    app = create_app(config, clock=clock)
    yield app
    app.extensions["outreach"].engine.dispose()


@pytest.fixture
def rt(app):
    return app.extensions["outreach"]


@pytest.fixture
def surveys(rt):
    """The shipped surveys and the test survey `demo`, loaded."""
    return load_surveys(rt)
