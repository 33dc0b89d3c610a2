"""Load surveys into a test database and build engine environments without one."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

from bot.engine import Env
from store.db import transaction
from surveys import loader, registry
from surveys.model import Questionnaire
from translations import detect
from translations.catalog import Catalogs

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "surveys").glob("*.yaml"))
DEMO = ROOT / "tests" / "data" / "surveys" / "demo.yaml"
TRANSLATIONS = ROOT / "translations"


def definition(path: Path) -> dict:
    """A survey file's checked definition (a copy: callers may change it)."""
    return copy.deepcopy(_checked(path))


@cache
def _checked(path: Path) -> dict:
    """Parsed and validated once per test session: the files do not change while it runs."""
    data, problems = loader.load_file(path)
    assert not problems, problems
    return data


def load_surveys(rt, paths=None) -> dict[str, Questionnaire]:
    """Load survey files (default: shipped + demo) and return the current surveys."""
    with transaction(rt.sessions) as session:
        for path in paths or [*SHIPPED, DEMO]:
            registry.load_definition(session, definition(path))
        return registry.current(session)


def make_env(paths=None, **settings) -> Env:
    """An engine Env from survey files, with the real catalogues and language detection."""
    surveys = {}
    for path in paths or [*SHIPPED, DEMO]:
        survey = Questionnaire.from_definition(definition(path), version=1)
        surveys[survey.slug] = survey
    catalogs = _catalogs()
    settings.setdefault("default_survey", "neighbourhood-policing")
    return Env(surveys=surveys, catalogs=catalogs, detect=detect.detect,
               requested=detect.requested,
               languages=tuple(dict.fromkeys(["en", *catalogs.languages])), **settings)


@cache
def _catalogs() -> Catalogs:
    """The shipped catalogues, read once per test session (nothing changes them)."""
    return Catalogs.load(TRANSLATIONS)
