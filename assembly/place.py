"""One place's reference figures: the Census tables of the area an assembly speaks for.

A place file (`assembly/places/<place>.yaml`) holds, per population dimension, the tables
as they were published: each with its table code, date, population base, unit, source and
URL, and its categories with their figures. Nothing is computed here: a table without
figures (unit `none`) says why it is not compared. `load` checks a file whole and reports
every problem as FILE:LINE; a second place works by adding its file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from assembly.reader import LineDict, Problem, read_file

DIMENSIONS = ("age", "gender", "ethnic_group", "disability", "ward", "language")
UNITS = ("count", "percent", "none")
OTHER = "other"  # a language category for every language no other category names
_TOP = {"place", "code", "sources", "dimensions"}
_SOURCE = {"what", "url", "repo", "path", "commit", "note"}
_TABLE = {"table", "title", "date", "base", "unit", "source", "url", "categories"}
_TABLE_OPTIONAL = {"note", "why_not_compared", "groups"}
_CATEGORY = {"id", "label", "value", "ages", "language", "within"}
_ID = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]+)*$")
_AGES = re.compile(r"^\s*(\d{1,3})\s*(?:(\+)|-\s*(\d{1,3}))?\s*$")


def parse_ages(value: Any) -> tuple[int, float] | None:
    """An age range as written in a survey or a place file: `13-15`, `75+` (no upper end)
    or `16` (one age), as (youngest, oldest); None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    match = _AGES.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    low = int(match[1])
    high = math.inf if match[2] else int(match[3] or low)
    return (low, high) if low <= high else None


class PlaceError(ValueError):
    """A place file that cannot be used, or an id it does not hold: every problem, one a
    line, as FILE:LINE: message."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    value: float | None = None  # as published; None in a table without figures
    ages: tuple[int, float] | None = None  # an age band (the age dimension)
    language: str | None = None  # a response language code, or `other` (language)
    within: str | None = None  # the id of the table's group (published heading) it is in


@dataclass(frozen=True)
class Table:
    dimension: str
    table: str  # the code as published, e.g. TS021
    title: str
    date: str
    base: str  # the population the figures count, e.g. all usual residents
    unit: str  # count | percent | none
    source: str  # what the source is
    url: str
    note: str | None
    why_not_compared: str | None
    categories: tuple[Category, ...]
    groups: dict[str, str] = field(default_factory=dict)  # group id: published heading

    @property
    def has_figures(self) -> bool:
        return self.unit != "none"


@dataclass(frozen=True)
class Place:
    name: str
    code: str  # the ONS area code
    path: Path
    tables: tuple[Table, ...]

    def tables_for(self, dimension: str) -> tuple[Table, ...]:
        """The tables of one dimension, in file order (none when the file has none)."""
        return tuple(t for t in self.tables if t.dimension == dimension)

    def resolve(self, dimension: str, ids: Sequence[str]) -> tuple[Table, tuple[Category, ...]]:
        """The table and categories that category or group ids name, all in one table of
        `dimension` (a group stands for every category within it); PlaceError otherwise."""
        ids = (ids,) if isinstance(ids, str) else tuple(ids)
        if not ids:
            raise PlaceError(f"no {dimension} category named")
        found: dict[str, Table] = {}
        for name in ids:
            table = next((t for t in self.tables_for(dimension)
                          if name in t.groups or any(c.id == name for c in t.categories)),
                         None)
            if table is None:
                raise PlaceError(f"'{name}' is no {dimension} category or group of "
                                 f"{self.name}")
            found[name] = table
        tables = {id(t): t for t in found.values()}
        if len(tables) > 1:
            raise PlaceError(f"{', '.join(ids)}: not all in one {dimension} table of "
                             f"{self.name}")
        [table] = tables.values()
        chosen = [c for c in table.categories if c.id in ids or c.within in ids]
        return table, tuple(chosen)

    def bands_for(self, low: int, high: float) -> tuple[Table, tuple[Category, ...]] | None:
        """The age categories of one table that exactly tile the ages `low` to `high` (an
        open end is math.inf); None when no table's bands do."""
        for table in self.tables_for("age"):
            bands = sorted((c for c in table.categories if c.ages), key=lambda c: c.ages[0])
            run = [c for c in bands if low <= c.ages[0] and c.ages[1] <= high]
            edges = [c.ages for c in run]
            if (run and edges[0][0] == low and edges[-1][1] == high
                    and all(b[0] == a[1] + 1 for a, b in zip(edges, edges[1:], strict=False))):
                return table, tuple(run)
        return None

    def for_language(self, table: Table, code: str) -> Category | None:
        """The category of a language table for a response language: the one naming
        `code`, else the `other` one; None when the table has neither."""
        named = {c.language: c for c in table.categories if c.language}
        return named.get(code) or named.get(OTHER)


def load(path: Path | str) -> Place:
    """The place a file holds, checked whole (PlaceError lists every problem); read once."""
    return _load(Path(path).resolve())


@cache
def _load(path: Path) -> Place:
    data, problems = read_file(path)
    if not problems:
        check = _Checker(str(path))
        place = check.place(data, path)
        problems = check.problems
    if problems:
        raise PlaceError(problems)
    return place


class _Checker:
    """Collects a file's problems, each at the line to fix, while building its Place."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def keys(self, data: LineDict, required: set[str], optional: set[str], what: str) -> None:
        for key in data:
            if key not in required | optional:
                self.add(data.line_of(key), f"{what}: unknown key '{key}'")
        for key in sorted(required - set(data)):
            self.add(data.line, f"{what}: missing '{key}'")

    def text(self, data: LineDict, key: str, what: str) -> str:
        value = data.get(key)
        if key in data and (not isinstance(value, str) or not value.strip()):
            self.add(data.line_of(key), f"{what}: '{key}' must be text")
        return value if isinstance(value, str) else ""

    def place(self, data: Any, path: Path) -> Place:
        if not isinstance(data, LineDict):
            self.add(1, "expected a mapping with place, code, sources, dimensions")
            return Place("", "", path, ())
        self.keys(data, _TOP, set(), "place")
        sources = self.sources(data.get("sources"), data.line_of("sources"))
        dims = data.get("dimensions")
        tables: list[Table] = []
        if not isinstance(dims, LineDict):
            if "dimensions" in data:
                self.add(data.line_of("dimensions"), "'dimensions' must be a mapping")
            dims = LineDict()
        for dimension, items in dims.items():
            if dimension not in DIMENSIONS:
                self.add(dims.line_of(dimension), f"unknown dimension '{dimension}' "
                                                  f"(one of {', '.join(DIMENSIONS)})")
            elif not isinstance(items, list) or not items:
                self.add(dims.line_of(dimension), f"{dimension}: expected a list of tables")
            else:
                pairs = [(table, item) for item in items
                         if (table := self.table(dimension, item, sources,
                                                 dims.line_of(dimension)))]
                self.unique_ids(dimension, pairs)
                tables += [table for table, _ in pairs]
        return Place(self.text(data, "place", "place"), self.text(data, "code", "place"),
                     path, tuple(tables))

    def sources(self, sources: Any, line: int) -> dict[str, str]:
        if not isinstance(sources, LineDict):
            self.add(line, "'sources' must map a key to {what, url}")
            return {}
        found = {}
        for key, source in sources.items():
            if not isinstance(source, LineDict):
                self.add(sources.line_of(key), f"source {key}: expected a mapping with 'what'")
                continue
            self.keys(source, {"what"}, _SOURCE - {"what"}, f"source {key}")
            found[key] = self.text(source, "what", f"source {key}")
        return found

    def table(self, dimension: str, data: Any, sources: dict[str, str],
              line: int) -> Table | None:
        if not isinstance(data, LineDict):
            self.add(line, f"{dimension}: each table must be a mapping")
            return None
        what = f"{dimension} {data.get('table', 'table')}"
        self.keys(data, _TABLE, _TABLE_OPTIONAL, what)
        unit = data.get("unit")
        if "unit" in data and unit not in UNITS:
            self.add(data.line_of("unit"), f"{what}: unit must be one of {', '.join(UNITS)}")
        source = data.get("source")
        if "source" in data and not (isinstance(source, str) and source in sources):
            self.add(data.line_of("source"), f"{what}: no source '{source}' under 'sources'")
        if unit == "none" and not isinstance(data.get("why_not_compared"), str):
            self.add(data.line, f"{what}: unit none needs 'why_not_compared'")
        if unit != "none" and "why_not_compared" in data:
            self.add(data.line_of("why_not_compared"),
                     f"{what}: 'why_not_compared' is only for a table without figures")
        groups = self.groups(data, what)
        day = data.get("date")
        if "date" in data and not (isinstance(day, date) or isinstance(day, str) and day):
            self.add(data.line_of("date"), f"{what}: 'date' must be a date (2021-03-21)")
        categories = self.categories(dimension, data, groups, what)
        texts = {key: self.text(data, key, what)
                 for key in ("table", "title", "base", "url", "note", "why_not_compared")}
        return Table(dimension, texts["table"], texts["title"], str(day), texts["base"],
                     str(unit), sources.get(source, "") if isinstance(source, str) else "",
                     texts["url"],
                     texts["note"] or None, texts["why_not_compared"] or None,
                     categories, groups)

    def groups(self, data: LineDict, what: str) -> dict[str, str]:
        groups = data.get("groups", {})
        if not isinstance(groups, dict) or not all(
                isinstance(k, str) and _ID.match(k) and isinstance(v, str)
                for k, v in groups.items()):
            self.add(data.line_of("groups"), f"{what}: 'groups' must map snake_case ids "
                                             "to published headings")
            return {}
        return dict(groups)

    def categories(self, dimension: str, data: LineDict, groups: dict[str, str],
                   what: str) -> tuple[Category, ...]:
        items = data.get("categories")
        if not isinstance(items, list) or not items:
            if "categories" in data:
                self.add(data.line_of("categories"), f"{what}: expected a list of categories")
            return ()
        found = []
        for item in items:
            if not isinstance(item, LineDict):
                self.add(data.line_of("categories"), f"{what}: each category must be a "
                                                     "mapping with id and label")
                continue
            found.append(self.category(dimension, item, data.get("unit"), groups, what))
        if dimension == "age":
            self.overlaps(found, items, what)
        if dimension == "language":
            self.languages(found, items, what)
        return tuple(found)

    def category(self, dimension: str, c: LineDict, unit: Any, groups: dict[str, str],
                 what: str) -> Category:
        self.keys(c, {"id", "label"}, _CATEGORY - {"id", "label"}, what)
        cid = c.get("id")
        if "id" in c and not (isinstance(cid, str) and _ID.match(cid)):
            self.add(c.line_of("id"), f"{what}: id '{cid}' must be snake_case")
        value = self.value(c, unit, what)
        ages = parse_ages(c.get("ages")) if c.get("ages") is not None else None
        if dimension == "age" and ages is None:
            self.add(c.line_of("ages"), f"{what}: '{cid}' needs ages such as 25-29 or 85+")
        if dimension != "age" and "ages" in c:
            self.add(c.line_of("ages"), f"{what}: 'ages' only in the age dimension")
        language = c.get("language")
        if dimension != "language" and "language" in c:
            self.add(c.line_of("language"), f"{what}: 'language' only in the language "
                                            "dimension")
        elif "language" in c and not (language == OTHER or isinstance(language, str)
                                      and _LANGUAGE.match(language)):
            self.add(c.line_of("language"), f"{what}: language '{language}' must be a code "
                                            f"such as ro, or '{OTHER}'")
        within = c.get("within")
        if "within" in c and not (isinstance(within, str) and within in groups):
            self.add(c.line_of("within"), f"{what}: within '{within}' is no group of this "
                                          "table")
        return Category(str(cid), self.text(c, "label", what), value, ages,
                        language if isinstance(language, str) else None,
                        within if isinstance(within, str) else None)

    def value(self, c: LineDict, unit: Any, what: str) -> float | None:
        value = c.get("value")
        line = c.line_of("value")
        if unit == "none":
            if "value" in c:
                self.add(line, f"{what}: a table with unit none has no values")
            return None
        if unit not in UNITS:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            self.add(line, f"{what}: '{c.get('id')}' needs a value, a number 0 or more")
            return None
        if unit == "percent" and value > 100:
            self.add(line, f"{what}: '{c.get('id')}' is over 100 percent")
        return value

    def overlaps(self, found: list[Category], items: list, what: str) -> None:
        lines = {str(c.get("id")): c.line_of("ages") for c in items if isinstance(c, LineDict)}
        bands = sorted((c for c in found if c.ages), key=lambda c: c.ages)
        for before, after in zip(bands, bands[1:], strict=False):
            if after.ages[0] <= before.ages[1]:
                self.add(lines.get(after.id, 0), f"{what}: ages of '{after.id}' overlap "
                                                 f"'{before.id}'")

    def languages(self, found: list[Category], items: list, what: str) -> None:
        seen: set[str] = set()
        for c, item in zip(found, (i for i in items if isinstance(i, LineDict)), strict=True):
            if c.language and c.language in seen:
                self.add(item.line_of("language"), f"{what}: language '{c.language}' named "
                                                   "twice")
            seen.add(c.language or "")

    def unique_ids(self, dimension: str, pairs: list[tuple[Table, LineDict]]) -> None:
        """Category ids once in a dimension, group ids once and never a category's id."""
        seen: set[str] = set()
        groups: set[str] = set()
        for table, item in pairs:
            where = item.get("groups") if isinstance(item.get("groups"), LineDict) else item
            for twice in sorted(groups & set(table.groups)):
                self.add(where.line_of(twice), f"{dimension}: group '{twice}' in two tables")
            groups |= set(table.groups)
        for row in (c for _, item in pairs for c in item.get("categories") or []
                    if isinstance(c, LineDict)):
            cid = row.get("id")
            if not isinstance(cid, str):
                continue  # reported where the category is read
            if cid in seen:
                self.add(row.line_of("id"), f"{dimension}: id '{cid}' used twice")
            elif cid in groups:
                self.add(row.line_of("id"), f"{dimension}: id '{cid}' is also a group")
            seen.add(cid)
