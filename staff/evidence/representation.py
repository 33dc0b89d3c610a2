"""How representative the residents' answers are, against Waltham Forest's reference profile.

`comparisons.yaml` says how the survey's answers are grouped to meet the published figures,
which it names by path into the one reference file (`staff/reference.py`, which the
dashboard reads too). A group without a published figure is shown
without a comparison, and the pack says why; nothing is estimated. The gaps are put in plain
sentences: a group is "under-represented" when its share of those who answered is below
three quarters of its reference share, "over-represented" above four thirds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import suppress
from bot.suppress import Cell
from staff import reference

COMPARISONS = Path(__file__).resolve().parent / "comparisons.yaml"
UNDER, OVER = 0.75, 4 / 3
_URL_SCHEME = re.compile(r"https?://")


def cite(source: str | None) -> str | None:
    """A source as printed: its address without the scheme (the page links to nothing)."""
    return _URL_SCHEME.sub("", source) if source else source


@dataclass(frozen=True)
class Row:
    cell: Cell
    reference: float | None  # percent of the groups compared, rescaled

    @property
    def reference_text(self) -> str:
        return "no figure" if self.reference is None else f"{self.reference:.0f}%"


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    compared_with: str
    answered_as: str
    source: str | None
    why_no_reference: str | None
    caveat: str | None
    rows: tuple[Row, ...]
    total_text: str
    shown: bool
    rescaled: bool  # the published figures were rescaled to the groups compared

    @property
    def has_reference(self) -> bool:
        return any(row.reference is not None for row in self.rows)


def load(path: Path | str = COMPARISONS, figures: dict | None = None) -> dict:
    """The comparisons, each group's `reference` and each sentence's `{path}` read from the
    reference file, and the wards: `{"comparisons": [...], "wards": [...]}`."""
    figures = reference.load() if figures is None else figures
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return {"comparisons": [_filled(c, figures) for c in spec["comparisons"]],
            "wards": list(figures["wards"])}


def _filled(spec: dict, figures: dict) -> dict:
    filled = {key: reference.fill(text, figures) if key in _SENTENCES and text else text
              for key, text in spec.items()}
    filled["groups"] = [{**g, "reference": _published(g["reference"], figures)}
                        if g.get("reference") is not None else g for g in spec["groups"]]
    return filled


_SENTENCES = ("source", "why_no_reference", "caveat")


def _published(named: str | dict, figures: dict) -> float:
    """A group's published figure: a path, or `{all_but: path}` (100 less a percentage)."""
    if isinstance(named, dict):
        return 100 - reference.figure(figures, named["all_but"])
    return reference.figure(figures, named)


def compare(spec: dict, answers: Counter) -> Comparison:
    """One comparison: answers (answer id or language -> count) grouped as `spec` says."""
    groups = spec["groups"]
    counts = {g["label"]: sum(answers.get(a, 0) for a in g["answers"]) for g in groups}
    table = suppress.table(counts)
    published = [g.get("reference") for g in groups]
    known = sum(p for p in published if p is not None)
    references = [None if p is None or not known else 100 * p / known for p in published]
    rescaled = any(p is not None and abs(p - r) > 0.05 for p, r in zip(published, references,
                                                                        strict=True)
                   if r is not None)
    return Comparison(
        spec["id"], spec["title"], spec["compared_with"],
        spec.get("answered_as", "of residents who answered"), cite(spec.get("source")),
        spec.get("why_no_reference"), spec.get("caveat"),
        tuple(Row(cell, ref) for cell, ref in zip(table.cells, references, strict=True)),
        table.total_text, table.shown, rescaled)


def gaps(comparison: Comparison) -> list[str]:
    """The comparison's gaps in plain sentences."""
    found = []
    if not comparison.shown:
        return found
    for row in comparison.rows:
        if row.reference is None:
            continue
        if row.cell.suppressed:
            found.append(f"Under-represented: {row.cell.label} — {row.cell.text} "
                         f"{comparison.answered_as}, against {row.reference:.0f}% of "
                         f"{comparison.compared_with}.")
            continue
        ratio = row.cell.share / row.reference if row.reference else 1
        if ratio < UNDER or ratio > OVER:
            word = "Under-represented" if ratio < UNDER else "Over-represented"
            found.append(f"{word}: {row.cell.label} — {row.cell.share_text} "
                         f"{comparison.answered_as}, against {row.reference:.0f}% of "
                         f"{comparison.compared_with}.")
    return found


@dataclass(frozen=True)
class Wards:
    cells: tuple[Cell, ...]  # one per ward, in the reference file's order
    none: tuple[str, ...]  # wards the table shows with no answer ("none")
    few: tuple[str, ...]  # wards the table shows as "fewer than 5" (1 to 4, which not said)
    outside: str  # answered from outside the borough
    total_text: str

    @property
    def has_secondary(self) -> bool:
        return any(cell.secondary for cell in self.cells)


def wards(reference: dict, by_ward: Counter, outside: int) -> Wards:
    """How many answered from each of the 22 wards (no comparison: no figures per ward)."""
    counts = {ward: by_ward.get(ward, 0) for ward in reference["wards"]}
    table = suppress.table(counts)
    # read from the cells as shown, so the gaps never say more than the table does
    none = tuple(cell.label for cell in table.cells if cell.count == 0)
    few = tuple(cell.label for cell in table.cells if cell.suppressed and not cell.secondary)
    return Wards(table.cells, none, few, suppress.count_text(outside), table.total_text)


def ward_gaps(wards: Wards) -> list[str]:
    """The wards with no answer or fewer than 5, in words that match the ward table."""
    of = f"of the {len(wards.cells)} wards"
    found = []
    if wards.none:
        found.append(f"No one answered from {len(wards.none)} {of}: {', '.join(wards.none)}.")
    if wards.few:
        found.append(f"Fewer than {suppress.THRESHOLD} answered from {len(wards.few)} {of}: "
                     f"{', '.join(wards.few)}.")
    return found
