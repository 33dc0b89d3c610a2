"""Load surveys into a test database and build engine environments without one."""

from __future__ import annotations

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
    catalogs = Catalogs.load(TRANSLATIONS)
    settings.setdefault("default_survey", "neighbourhood-policing")
    return Env(surveys=surveys, catalogs=catalogs, detect=detect.detect,
               requested=detect.requested,
               languages=tuple(dict.fromkeys(["en", *catalogs.languages])), **settings)
