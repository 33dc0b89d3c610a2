"""Load survey YAML files: the definition as plain data, or each problem as FILE:LINE: message.

`surveys.reader` reads the YAML keeping lines, `surveys.validation` checks it; `validate_file`
reports all problems instead of stopping at the first; `load_file` returns the definition only
when there are none; `check_keywords` looks across surveys.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from surveys.reader import Problem, plain, read_file
from surveys.validation import validate
from translations.catalog import Catalogs

if TYPE_CHECKING:
    from assembly.place import Place


def validate_file(path: Path | str, catalogs: Catalogs | None = None,
                  place: Place | None = None) -> list[Problem]:
    """Every problem with a survey file, each as FILE:LINE: message (given the place, the
    choices' `reference` to it checked too)."""
    data, problems = read_file(path)
    return problems or validate(data, str(path), catalogs, place)


def load_file(path: Path | str, catalogs: Catalogs | None = None,
              place: Place | None = None) -> tuple[dict | None, list[Problem]]:
    """The survey definition as plain data, or None and the problems found."""
    data, problems = read_file(path)
    problems = problems or validate(data, str(path), catalogs, place)
    return (None, problems) if problems else (plain(data), [])


def check_keywords(definitions: dict[str, dict]) -> list[str]:
    """Problems across surveys: two surveys claiming one keyword or slug."""
    owners: dict[tuple[str, str], str] = {}
    problems = []
    for file, data in definitions.items():
        kw = (data.get("keyword") or "").upper()
        for what, value in (("slug", data.get("slug")), ("keyword", kw)):
            if value and (what, value) in owners:
                problems.append(f"{file}:1: {what} '{value}' is also used by "
                                f"{owners[what, value]}")
            elif value:
                owners[what, value] = file
    return problems
