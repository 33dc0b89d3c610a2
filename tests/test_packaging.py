"""The built wheel, installed into a fresh virtualenv and run from an unrelated directory:
it carries its surveys, catalogues, migrations and templates, and writes nothing beside
its own code (the database lands in ./instance of the working directory).

Offline and quick: the wheel is built without build isolation from a copy of the checkout
(so the repository is left as it was), and the fresh venv borrows the dev venv's installed
dependencies through a .pth path line, which does not run the dev venv's own .pth files,
so the editable install of this project stays out of it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = ["assembly/places/*.yaml", "assembly/assemblies/*.yaml", "assembly/themes/*/*.yaml",
              "bot/*.yaml", "bot/members/*.yaml", "surveys/*.yaml", "translations/*.yaml",
              "translations/*/*.yaml", "translations/*/LC_MESSAGES/*.po",
              "store/migrations/env.py",
              "store/migrations/script.py.mako", "store/migrations/versions/*.py",
              "webhooks/templates/**/*.html",
              "staff/templates/**/*.html", "staff/static/*.css",
              "staff/evidence/templates/*.html"]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "instance",
                                    ".env", "__pycache__", ".pytest_cache", ".ruff_cache")
UNSET = ("DATABASE_URL", "SURVEYS_DIR", "TRANSLATIONS_DIR", "INSTANCE_PATH", "TRANSLATOR",
         "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
POLISH = "Dzień dobry, chciałbym wypełnić ankietę o policji w mojej okolicy\n"
# From translations/pl/LC_MESSAGES/messages.po, msgctxt "neighbourhood-policing/intro".
POLISH_INTRO = "Zgromadzeniu Obywatelskiemu w sprawie policji dzielnicowej"
ENGLISH_INTRO = "Hello from Waltham Forest Council"


def _run(args, cwd, env=None, stdin=None, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], input=stdin, capture_output=True,
                            text=True, cwd=cwd, env=env, timeout=180)
    if check:
        _ok(result)
    return result


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built from a copy of the working tree."""
    src = tmp_path_factory.mktemp("src") / "assembly-outreach"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCE)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--no-index", "-w", dist, src], cwd=dist)
    [built] = dist.glob("assembly_outreach-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> SimpleNamespace:
    """A fresh venv with the wheel installed and the dev venv's dependencies on its path."""
    home = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", home], cwd=home)
    python = home / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], cwd=home)
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=home).stdout.strip())
    (site / "dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(SECRET_KEY="packaging-test", TRANSLATOR="none")
    return SimpleNamespace(home=home, python=python, outreach=home / "bin" / "outreach",
                           site=site, env=env)


@pytest.fixture(scope="module")
def runs(venv, tmp_path_factory) -> SimpleNamespace:
    """`outreach db upgrade`, `surveys load` and `chat`, run once in an unrelated directory;
    each test checks the run it is about."""
    work = tmp_path_factory.mktemp("work")
    before = _files(venv.site)

    def outreach(*args, stdin=None):
        return _run([venv.outreach, *args], cwd=work, env=venv.env, stdin=stdin, check=False)

    return SimpleNamespace(
        work=work,
        upgrade=outreach("db", "upgrade"),
        load=outreach("surveys", "load"),
        chat=outreach("chat", stdin=POLISH),
        written_in_site=_files(venv.site) - before,
    )


def test_the_wheel_carries_surveys_catalogues_migrations_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for pattern in DATA_FILES:
        expected = {str(p.relative_to(ROOT)) for p in ROOT.glob(pattern)}
        assert expected, f"nothing in the checkout matches {pattern}"
        assert expected <= names, f"missing from the wheel: {sorted(expected - names)}"
    assert {"app.py", "translations/pl/LC_MESSAGES/messages.po",
            "store/migrations/versions/0001_initial_schema.py",
            "webhooks/templates/web/page.html", "staff/templates/staff/login.html",
            "assembly/places/waltham-forest.yaml",
            "assembly/assemblies/waltham-forest-policing.yaml"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_the_fresh_venv_imports_the_wheel_not_the_checkout(venv):
    where = _run([venv.python, "-c", "import app, bot, store.migrate, surveys, translations; "
                  "print(app.__file__, bot.__file__, store.migrate.MIGRATIONS, "
                  "surveys.BUNDLED, translations.BUNDLED, sep='\\n')"],
                 cwd=venv.home, env=venv.env).stdout.split()
    assert len(where) == 5
    for path in where:
        assert Path(path).is_relative_to(venv.site), path


def test_db_upgrade_puts_the_database_in_the_working_directory(runs, venv):
    assert _ok(runs.upgrade).strip() == "database is up to date"
    database = runs.work / "instance" / "outreach.db"
    assert database.is_file()
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    assert not list(venv.home.rglob("*.db"))


def test_surveys_load_without_files_loads_the_bundled_surveys(runs):
    assert sorted(line.split(":")[0] for line in _ok(runs.load).splitlines()) == [
        "lottery-registration", "neighbourhood-policing", "peer-conversation-log",
        "wellbeing-check-in", "youth-voice"]


def test_chat_answers_a_polish_first_message_in_polish(runs):
    replies = _ok(runs.chat)
    assert POLISH_INTRO in replies
    assert ENGLISH_INTRO not in replies


def test_nothing_is_written_inside_site_packages(runs, venv):
    assert runs.written_in_site == set()
    assert not list(venv.site.rglob("instance")) and not list(venv.site.rglob("secret_key"))
