"""Who answered, against the borough's reference profile: which groups are not yet heard from.

The dimensions and groups are a reviewable data file (`staff/representativeness.yaml`), the
figures the published ones, read through `staff/reference.py` (the file the evidence pack
reads too). A group's reference comes only from that file; a group without one is shown
without a comparison. Comparing is pure (`compare`): counts in, rows out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot import suppress
from staff import reference

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
    figures = reference.load(path.parent / spec["reference"])
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
            share = reference.figure(figures, ref["share_pct"])
            figure = f"{share:g}%"
        else:
            count = reference.figure(figures, ref["count"])
            total = reference.figure(figures, ref["of"])
            share, figure = 100 * count / total, f"{count:,.0f} of {total:,.0f}"
    except reference.FigureError as exc:
        problems.append(f"{where}/{data['label']}: {exc}")
        return Group(data["label"], choices)
    return Group(data["label"], choices, Reference(share, figure, str(ref.get("basis", ""))))

