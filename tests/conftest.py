"""Shared fixtures: a network guard, databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), the app with an injected clock, and loaded surveys.

A database test pays for its own empty database and app, so both are cheap: SQLite copies
a migrated template file; PostgreSQL truncates every table as before, but without waiting
for the commit's flush to disk (~50 ms a test, against ~270 ms); and every app reuses the
data files (catalogues, phrases, prompt packs, members' rules) that the session's first app
with the same settings read.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from store import migrate
from store.models import Base
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import network
from tests.helpers.browser import ARGS, CHROMIUM
from tests.helpers.clock import FakeClock
from tests.helpers.providers import TELEGRAM_TOKEN, TWILIO_ACCOUNT, TWILIO_TOKEN
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


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: a worker inherits the environment without TEST_DATABASE_URL (isolated
    above), so it is handed over; each worker then makes its own schema."""
    node.workerinput["test_database_url"] = TEST_DATABASE_URL


@pytest.fixture(scope="session")
def postgres_url(request):
    """A schema of its own in the test database, so parallel runs (and pytest-xdist's
    workers) never meet; dropped after."""
    database = getattr(request.config, "workerinput", {}).get("test_database_url",
                                                               TEST_DATABASE_URL)
    if not database:
        pytest.skip("PostgreSQL tests run when TEST_DATABASE_URL is set (.ci/run sets it)")
    schema = f"test_{os.getpid()}"
    admin = create_engine(database)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(database).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_reset(postgres_url):
    """Empties the test schema as a fresh migration leaves it (every table truncated, ids
    restarted), on one kept connection pool and without waiting for the commit's flush to
    disk: a test database need not survive a crash, and that wait was most of the cost."""
    engine = create_engine(postgres_url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)

    def reset() -> None:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    yield reset
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template) -> str:
    """A migrated, empty database: every test using it runs on both engines."""
    if request.param == "sqlite":
        path = tmp_path / "outreach.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    request.getfixturevalue("postgres_reset")()
    return request.getfixturevalue("postgres_url")


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


# The Runtime's data files, read on first use and never changed after (its cached
# properties that hold no database): one app of the session reads them, the others with the
# same settings reuse them. Settings that only point at a test's own resources (its
# database, folders, fake servers) never change what is read.
READ_ONCE = ("catalogs", "opt_out", "call_me", "prompts", "member_rules")
OWN_RESOURCES = ("database_url", "secret_key", "instance_path", "spool_dir",
                 "twilio_api_base_url", "telegram_api_base_url", "translator_base_url")


@pytest.fixture(scope="session")
def read_once() -> dict:
    return {}


@pytest.fixture
def app(config, clock, read_once):
    app = create_app(config, clock=clock)
    rt = app.extensions["outreach"]
    same = dataclasses.replace(rt.settings, **dict.fromkeys(OWN_RESOURCES))
    for name, value in read_once.get(same, {}).items():
        setattr(rt, name, value)
    yield app
    read_once.setdefault(same, {}).update(
        (name, rt.__dict__[name]) for name in READ_ONCE if name in rt.__dict__)
    rt.engine.dispose()


@pytest.fixture
def rt(app):
    return app.extensions["outreach"]


@pytest.fixture
def surveys(rt):
    """The shipped surveys and the test survey `demo`, loaded."""
    return load_surveys(rt)


@pytest.fixture
def chromium():
    """Debian's Chromium through Playwright; skipped, with the reason, without Playwright
    (modules mark themselves `needs_chromium` for a machine without Chromium)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    sync_api.expect.set_options(timeout=30_000)  # a loaded CI machine draws slowly
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def twilio_api():
    """The local fake of Twilio's REST API, for the test account (tests/helpers/providers.py)."""
    with FakeTwilio(TWILIO_ACCOUNT, TWILIO_TOKEN) as api:
        yield api


@pytest.fixture
def telegram_api():
    """The local fake of the Telegram Bot API, for the test bot's token."""
    with FakeTelegramAPI(TELEGRAM_TOKEN) as api:
        yield api
