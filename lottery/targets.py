"""The lottery's targets: how many of each category the panel holds (`outreach lottery
targets`).

The registration survey (the loaded survey with `audience: registrants`) says which of its
questions are for which population dimension (`role:`) and which of the place's categories
each choice stands for (`reference:`): staff/heard.py's plans turn that into groups with the
place's published figures, the same groups the dashboard compares. A group is a category
here; its name is the references its choices give (`female`, `asian`, `disabled`), or its
age bands joined with `+` where choices give ages. A dimension whose table has no figures
(wards in the shipped place) is not proposed, and the file says why; staff may still write
targets for it by hand.

The proposal: expected = the group's share of the groups' figures × panel; min = floor −
slack, max = ceil + slack, never below 0 nor above the panel. Every answer that maps to no
category (prefer not to say, another way, none given) is the dimension's `not_stated`
category, min 0 and max the panel: not stratified, never refused. The file is the library's
features CSV (`feature,value,min,max`) with a `share` and a `note` column for staff; lines
starting with `#` are notes. `--load` checks it and stores Target rows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

import assembly
from assembly.place import DIMENSIONS, Place, Table
from bot.runtime import current
from lottery import addresses
from staff import heard
from store.db import transaction
from store.models import Target
from surveys import registry
from surveys.model import Questionnaire

AUDIENCE = "registrants"
NOT_STATED = "not_stated"
DEFAULT_FILE = "lottery-targets.csv"
COLUMNS = ("feature", "value", "min", "max", "share", "note")
NOT_STATED_NOTE = ("answers that map to no category (prefer not to say, another way, not "
                   "answered): not stratified, min 0")


class TargetsError(ValueError):
    """Targets that cannot be proposed or loaded: every problem, one a line."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Category:
    name: str  # the value written in the CSV and held by Target.category
    label: str  # the choice's words, or the categories' labels
    figure: float | None  # the published figure (None: the table has none)
    keys: tuple[heard.Key, ...]  # (question id, choice id) answers in it


@dataclass(frozen=True)
class Dimension:
    """One dimension the registration survey asks about, and its categories."""

    name: str
    table: Table
    categories: tuple[Category, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (*(c.name for c in self.categories), NOT_STATED)

    def of(self, answers: Mapping[str, object]) -> str:
        """A registrant's category from their answers (question id -> choice id)."""
        for category in self.categories:
            if any(answers.get(qid) == cid for qid, cid in category.keys):
                return category.name
        return NOT_STATED

    @property
    def share(self) -> dict[str, float] | None:
        """Each category's share of the published figures; None without figures."""
        figures = [c.figure for c in self.categories]
        if not self.table.has_figures or None in figures or not sum(figures):
            return None
        return {c.name: c.figure / sum(figures) for c in self.categories}


def registration_survey(session: Session) -> Questionnaire:
    """The loaded survey registrants answer (audience `registrants`); TargetsError else."""
    found = [s for s in registry.current(session).values() if s.audience == AUDIENCE]
    if len(found) != 1:
        raise TargetsError(f"expected one loaded survey with audience {AUDIENCE}, found "
                           f"{len(found)} ({', '.join(s.slug for s in found) or 'none'}): "
                           "outreach surveys load its file")
    return found[0]


def dimensions(survey: Questionnaire, place: Place) -> dict[str, Dimension]:
    """Every dimension the survey asks about (`role:`), in the place's order: the first of
    its tables that the survey's choices map into (heard.plans)."""
    found: dict[str, Dimension] = {}
    for plan in heard.plans(survey, place):
        if not plan.questions or plan.dimension in found or not plan.groups:
            continue  # the language answered in is no question: not a lottery dimension
        found[plan.dimension] = Dimension(plan.dimension, plan.table, tuple(
            Category(_name(survey, plan, g), g.label, g.figure, g.keys) for g in plan.groups))
    return found


def _name(survey: Questionnaire, plan: heard.Plan, group: heard.Group) -> str:
    refs: list[str] = []
    for qid, cid in group.keys:
        choice = next(c for c in survey.question(qid).choices if c.id == cid)
        if not choice.reference:
            return "+".join(c.id for c in group.categories)
        refs += [r for r in choice.reference if r not in refs]
    return "+".join(refs)


def categories_of(dims: Mapping[str, Dimension], answers: Mapping[str, object]
                  ) -> dict[str, str]:
    """A registrant's category in each dimension, from their registration answers."""
    return {name: dim.of(answers) for name, dim in dims.items()}


@dataclass(frozen=True)
class Row:
    feature: str
    value: str
    min: int
    max: int
    share: float | None = None
    note: str = ""


def propose(dims: Mapping[str, Dimension], panel: int, slack: int = 1
            ) -> tuple[list[Row], list[str]]:
    """Rows for every dimension with figures, and why each other one is not proposed."""
    rows, skipped = [], []
    for dim in dims.values():
        shares = dim.share
        if shares is None:
            why = dim.table.why_not_compared or f"{dim.table.title} has no figures"
            skipped.append(f"{dim.name}: not proposed: {why.strip()}")
            continue
        for category in dim.categories:
            expected = round(shares[category.name] * panel, 9)  # 0.78 × 50 is 39, not 39.000…1
            low = max(0, math.floor(expected) - slack)
            high = min(panel, math.ceil(expected) + slack)
            rows.append(Row(dim.name, category.name, low, high, shares[category.name],
                            f"{category.label}: {expected:.1f} of {panel} expected "
                            f"({dim.table.table}, {dim.table.date})"))
        rows.append(Row(dim.name, NOT_STATED, 0, panel, None, NOT_STATED_NOTE))
    return rows, skipped


def write(rows: list[Row], skipped: list[str], panel: int) -> str:
    """The proposal as the CSV staff review (notes after the rows, as `#` lines)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.feature, r.value, r.min, r.max,
                         "" if r.share is None else f"{r.share:.4f}", r.note])
    out.write(f"# targets for a panel of {panel}; edit min and max, then `outreach lottery "
              "targets --load FILE`\n")
    for line in skipped:
        out.write(f"# {line}\n")
    return out.getvalue()


def read(path: Path, dims: Mapping[str, Dimension], panel: int) -> list[Row]:
    """A reviewed targets file, checked whole: TargetsError lists every problem as
    FILE:LINE (every feature a dimension, every value one of its categories, min <= max,
    each dimension's mins and maxes able to reach the panel)."""
    problems: list[str] = []
    rows: dict[tuple[str, str], tuple[int, Row]] = {}
    try:  # as a spreadsheet saves it: a BOM, Windows-1252, ";" (lottery/addresses.py)
        table = addresses.cells(addresses.decoded(path)[0])
    except addresses.AddressError as exc:
        raise TargetsError([f"{path}:{p.removeprefix('line ')}" for p in exc.problems]
                           ) from None
    lines = [(n, [c.strip() for c in cells]) for n, cells in table
             if any(c.strip() for c in cells) and not cells[0].lstrip().startswith("#")]
    if not lines:
        raise TargetsError(f"{path}: empty (feature,value,min,max)")
    header = [h.lower() for h in lines[0][1]]
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise TargetsError(f"{path}:{lines[0][0]}: missing column(s) {', '.join(missing)}")
    named: set[tuple[str, str]] = set()  # rows present, even if their numbers are not
    spoilt: set[str] = set()  # features with a bad row: their sums would only mislead
    for number, cells in lines[1:]:
        given = dict(zip(header, cells, strict=False))
        row = _row(given, dims, panel, f"{path}:{number}", problems, named)
        if row is None:
            spoilt.add(_canonical(given.get("feature", ""), dims) or "")
            continue
        if (row.feature, row.value) in rows:
            problems.append(f"{path}:{number}: {row.feature} {row.value} given twice (first "
                            f"on line {rows[row.feature, row.value][0]})")
        rows[row.feature, row.value] = (number, row)
    _sums(path, [(n, r) for n, r in rows.values()], dims, panel, problems, named, spoilt)
    if problems:
        raise TargetsError(problems)
    return [r for _, r in rows.values()]


def _canonical(name: str, known) -> str | None:
    """`name` as `known` spells it, whatever its case; None if it is none of them."""
    return next((k for k in known if k.casefold() == name.casefold()), None)


def _row(cells: dict[str, str], dims: Mapping[str, Dimension], panel: int, at: str,
         problems: list[str], named: set[tuple[str, str]]) -> Row | None:
    feature = _canonical(cells.get("feature", ""), dims)
    if feature is None:
        feature = cells.get("feature", "")
        known = ", ".join(dims) or "none"
        why = "not a dimension" if feature not in DIMENSIONS else "not asked by the survey"
        problems.append(f"{at}: {feature!r} is {why} (the registration survey's: {known})")
        return None
    value = _canonical(cells.get("value", ""), dims[feature].names)
    if value is None:
        problems.append(f"{at}: {cells.get('value', '')!r} is no {feature} category (known: "
                        f"{', '.join(dims[feature].names)})")
        return None
    named.add((feature, value))
    numbers = []
    for key in ("min", "max"):
        raw = cells.get(key, "")
        if not raw.isdigit():
            problems.append(f"{at}: {key} must be a whole number of 0 or more, not {raw!r}")
            return None
        numbers.append(int(raw))
    low, high = numbers
    if low > high:
        problems.append(f"{at}: min {low} is more than max {high}")
        return None
    if low > panel:
        problems.append(f"{at}: min {low} is more than the panel of {panel}")
        return None
    return Row(feature, value, low, min(high, panel))


def _sums(path: Path, rows: list[tuple[int, Row]], dims: Mapping[str, Dimension], panel: int,
          problems: list[str], named: set[tuple[str, str]], spoilt: set[str]) -> None:
    """Each dimension's rows whole (a row per category, mins and maxes able to reach the
    panel); a dimension with a bad row is only checked for categories no row names."""
    for feature in dict.fromkeys(r.feature for _, r in rows):
        mine = [(n, r) for n, r in rows if r.feature == feature]
        first = mine[0][0]
        given = {r.value for _, r in mine} | {v for f, v in named if f == feature}
        absent = [c.name for c in dims[feature].categories if c.name not in given]
        if absent:
            problems.append(f"{path}:{first}: {feature} has no row for {', '.join(absent)} "
                            "(every category needs one, or registrants in it cannot be drawn)")
        if feature in spoilt:
            continue
        low, high = sum(r.min for _, r in mine), sum(r.max for _, r in mine)
        if NOT_STATED not in given:
            high += panel  # added at selection: min 0, max the panel
        if low > panel:
            problems.append(f"{path}:{first}: {feature}'s mins add up to {low}, more than "
                            f"the panel of {panel}")
        if high < panel:
            problems.append(f"{path}:{first}: {feature}'s maxes add up to {high}, fewer than "
                            f"the panel of {panel}")


def store(session: Session, rows: list[Row], panel: int) -> int:
    """Replace the stored targets with these; how many were stored."""
    session.execute(delete(Target))
    session.add_all(Target(dimension=r.feature, category=r.value, min=r.min, max=r.max,
                           panel=panel) for r in rows)
    return len(rows)


def loaded(session: Session) -> list[Target]:
    """The stored targets, in the order they were loaded."""
    return list(session.scalars(select(Target).order_by(Target.id)))


# `outreach lottery targets` ----------------------------------------------------------------


@click.command("targets")
@click.option("--panel", type=click.IntRange(min=1), default=None,
              help="panel size (default: the assembly file's lottery panel)")
@click.option("--slack", type=click.IntRange(min=0), default=1, show_default=True,
              help="seats either side of the expected number")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"where to write the proposal (default: {DEFAULT_FILE})")
@click.option("--load", "load_path", type=click.Path(exists=True, dir_okay=False,
                                                     path_type=Path),
              help="store a reviewed targets file instead of proposing one")
def targets_command(panel: int | None, slack: int, out: Path | None,
                    load_path: Path | None) -> None:
    """Propose min/max per category of the registration survey's role questions from the
    place's Census figures (a CSV to review), or store a reviewed one with --load."""
    rt = current()
    chosen = assembly.load(rt.settings.assembly_file)
    panel = panel or chosen.lottery.panel
    with transaction(rt.sessions) as session:
        try:
            dims = dimensions(registration_survey(session), chosen.place)
            if load_path is None:
                rows, skipped = propose(dims, panel, slack)
            else:
                stored = store(session, read(load_path, dims, panel), panel)
        except TargetsError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            if load_path is not None:
                click.echo(f"{load_path}: nothing stored", err=True)
            raise SystemExit(1) from None
    if load_path is not None:
        click.echo(f"{stored} targets stored for a panel of {panel} (earlier ones replaced)")
        return
    path = out or Path(DEFAULT_FILE)
    path.write_text(write(rows, skipped, panel), encoding="utf-8")
    for line in skipped:
        click.echo(line)
    click.echo(f"targets for a panel of {panel} proposed: {path.resolve()}; review, then "
               f"`outreach lottery targets --load {path}`")
