"""The demo data set, seeded once per test session into an SQLite database of its own, and
the evidence pack built from it (tests that only read it share it)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from app import create_app
from demo.seed import seed
from staff.evidence import pack
from tests.helpers.clock import FakeClock


@pytest.fixture(scope="session")
def demo(sqlite_template, tmp_path_factory) -> SimpleNamespace:
    """An app on a seeded database, the pack's data and its HTML."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(sqlite_template, folder / "outreach.db")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'outreach.db'}",
                      "SECRET_KEY": "demo-test", "INSTANCE_PATH": str(folder / "instance"),
                      "TRANSLATOR": "none"}, clock=FakeClock())
    rt = app.extensions["outreach"]
    seeded = seed(rt)
    with rt.sessions() as session:
        data = pack.build(session, rt.now(), rt.settings.timezone)
    html = pack.render(data)
    (folder / "pack.html").write_text(html, encoding="utf-8")
    yield SimpleNamespace(app=app, rt=rt, seeded=seeded, data=data, html=html,
                          path=folder / "pack.html")
    rt.engine.dispose()
