"""Who answered, against the borough's reference profile: which groups are not yet heard from.

The dimensions and groups are a reviewable data file (`staff/representativeness.yaml`), the
figures a copy of the published ones (`staff/data/waltham-forest-census-2021.yaml`). A
group's reference comes only from that file; a group without one is shown without a
comparison. Comparing is pure (`compare`): counts in, rows out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot import suppress

PROFILE = Path(__file__).resolve().parent / "representativeness.yaml"


class ProfileError(ValueError):
    """The representativeness file names something the reference file does not hold."""


@dataclass(frozen=True)
class Reference:
    share: float  # per cent of the reference population
    figure: str  # the published figure(s), as the page shows them
    basis: str  # what the share is of


@dataclass(frozen=True)
class Group:
    label: str
    choices: tuple[str, ...]
    reference: Reference | None = None


@dataclass(frozen=True)
class Dimension:
    title: str
    groups: tuple[Group, ...]
    questions: tuple[str, ...] = ()
    language: bool = False  # the language people answered in, not a question


@dataclass(frozen=True)
class Profile:
    margin: float
    source: str  # the reference file's own note of where its figures come from
    surveys: Mapping[str, tuple[Dimension, ...]]

    def dimensions(self, slug: str) -> tuple[Dimension, ...]:
        return self.surveys.get(slug, ())


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    text: str  # the count as shown (bot/suppress.py)
    share: float | None  # per cent of those who answered; None when the count is small
    reference: Reference | None
    unheard: bool  # under-represented by more than the margin: "not yet heard from"


@dataclass(frozen=True)
class Comparison:
    title: str
    answered: int
    answered_text: str
    rows: tuple[Row, ...]


def compare(dimension: Dimension, counts: Mapping[str, int], margin: float) -> Comparison:
    """Each group's count and share of those who answered, against its reference."""
    totals = [sum(counts.get(c, 0) for c in group.choices) for group in dimension.groups]
    answered = sum(totals)
    table = suppress.table(dict(zip((g.label for g in dimension.groups), totals, strict=True)))
    rows = []
    for group, count, cell in zip(dimension.groups, totals, table.cells, strict=True):
        share = 100 * count / answered if answered else None
        unheard = (group.reference is not None and share is not None
                   and share < group.reference.share * (1 - margin))
        rows.append(Row(group.label, count, cell.text, cell.share, group.reference, unheard))
    return Comparison(dimension.title, answered, table.total_text, tuple(rows))


@cache
def load(path: Path = PROFILE) -> Profile:
    """The profile, checked: every reference names figures the reference file holds."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    figures = yaml.safe_load((path.parent / spec["reference"]).read_text(encoding="utf-8"))
    problems: list[str] = []
    surveys = {}
    for slug, dimensions in spec["surveys"].items():
        surveys[slug] = tuple(
            Dimension(title=d["title"], questions=tuple(d.get("questions") or ()),
                      language=bool(d.get("language")),
                      groups=tuple(_group(g, figures, f"{slug}/{d['title']}", problems)
                                   for g in d["groups"]))
            for d in dimensions)
    if problems:
        raise ProfileError(f"{path}: " + "; ".join(problems))
    return Profile(float(spec["margin"]), str(figures.get("source_population", "")), surveys)


def _group(data: dict, figures: dict, where: str, problems: list[str]) -> Group:
    choices = tuple(str(c) for c in data["choices"])
    ref = data.get("reference")
    if ref is None:
        return Group(data["label"], choices)
    try:
        if "share_pct" in ref:
            share = _figure(figures, ref["share_pct"])
            figure = f"{share:g}%"
        else:
            count, total = _figure(figures, ref["count"]), _figure(figures, ref["of"])
            share, figure = 100 * count / total, f"{count:,.0f} of {total:,.0f}"
    except ProfileError as exc:
        problems.append(f"{where}/{data['label']}: {exc}")
        return Group(data["label"], choices)
    return Group(data["label"], choices, Reference(share, figure, str(ref.get("basis", ""))))


def _figure(figures: dict, dotted: str) -> float:
    value: Any = figures
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise ProfileError(f"the reference file has no {dotted}")
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{dotted} is not a number")
    return float(value)
