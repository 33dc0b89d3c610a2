"""`outreach surveys validate|load|list`: survey files in, versions in the database.

With no FILE, validate and load take every `*.yaml` in SURVEYS_DIR (the bundled surveys
unless it is set), so an installed wheel can load its own surveys from any directory. Both
check the questions' roles against the assembly's place (`_place`): a choice's
`reference:` must name that place's categories.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

import assembly
from assembly import place as places
from store.db import make_engine, session_factory, transaction
from surveys import loader, registry, sms
from translations.catalog import Catalogs

surveys = AppGroup("surveys", help="Validate, load and list surveys.")
FILES = click.argument("files", nargs=-1, type=click.Path(dir_okay=False))


def _files(given: tuple[str, ...]) -> list[str]:
    if given:
        return list(given)
    folder = Path(current_app.config["SURVEYS_DIR"])
    found = sorted(str(path) for path in folder.glob("*.yaml"))
    if not found:
        raise click.UsageError(f"no survey files given and none in {folder}")
    return found


def _place() -> places.Place:
    """The place the surveys' roles are checked against: the configured assembly's
    (ASSEMBLY_FILE)."""
    return assembly.load(current_app.config["ASSEMBLY_FILE"]).place


def _problems_of(files: list[str]) -> tuple[dict[str, dict], list[str]]:
    catalogs = Catalogs.load(current_app.config["TRANSLATIONS_DIR"])
    found: dict[str, dict] = {}
    try:
        place = _place()
    except places.PlaceError as exc:  # the place file's own problems, FILE:LINE each
        return found, [str(problem) for problem in exc.problems]
    except assembly.AssemblyError as exc:  # the assembly file's (and its place's), FILE:LINE
        return found, str(exc).splitlines()
    problems: list[str] = []
    for file in files:
        definition, errors = loader.load_file(file, catalogs, place)
        problems += [str(e) for e in errors]
        if definition is not None:
            found[file] = definition
    problems += loader.check_keywords(found)
    return found, problems


@contextmanager
def _database() -> Iterator[Session]:
    """A session on the configured database, committed on success."""
    engine = make_engine(current_app.config["DATABASE_URL"])
    try:
        with transaction(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@surveys.command("validate")
@FILES
def validate(files: tuple[str, ...]) -> None:
    """Check survey files; print every problem as FILE:LINE: message.

    Also warns (FILE:LINE: warning: ...) about a message that costs more than 3 SMS parts
    in one of the survey's languages; warnings alone do not fail the check."""
    files = _files(files)
    _, problems = _problems_of(files)
    catalogs = Catalogs.load(current_app.config["TRANSLATIONS_DIR"])
    for file in files:
        for warning in sms.sms_warnings(file, catalogs):
            click.echo(warning)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{len(files)} survey file(s) OK")


@surveys.command("load")
@FILES
def load(files: tuple[str, ...]) -> None:
    """Load survey files into the database (idempotent; answered versions are kept)."""
    found, problems = _problems_of(_files(files))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    with _database() as session:
        for file, definition in found.items():
            loaded = registry.load_definition(session, definition, Path(file).read_text("utf-8"))
            click.echo(f"{loaded.slug}: version {loaded.version} {loaded.action}")


@surveys.command("list")
def list_() -> None:
    """List loaded surveys: slug, version, audience, keyword, languages, questions."""
    with _database() as session:
        current = registry.current(session)
    if not current:
        click.echo("no surveys loaded (outreach surveys load)")
    for survey in current.values():
        click.echo(f"{survey.slug}\tv{survey.version}\t{survey.audience}\t"
                   f"{survey.keyword or '-'}\t{','.join(survey.languages)}\t"
                   f"{len(survey.questions)} questions\t{survey.title}")
