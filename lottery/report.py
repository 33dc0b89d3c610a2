"""The lottery's transparency report: one page a council can publish after `select` or
`replace` (`--report FILE`, default lottery-report.html in the current folder).

It shows each category's target, how many registered in it and how many the panel holds; the
spread of everyone's probability of selection (no names, no ids); the seed and the integer
the library was given; the algorithm, the library and its version; the date. Counts of 1 to
4 go through bot/suppress.py ("fewer than 5", and "not shown" where a hidden count could be
worked out from the others), because a small count, read beside the others and the panel
later known, could point at a person who registered or was chosen. Plain data in
(`build`, from the run's own figures: Run.report), a Jinja template out.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from assembly.place import Place
from bot import suppress
from lottery.standing import category_label
from lottery.targets import NOT_STATED, Dimension

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT = "lottery-report.html"
BINS = 10
WHY_HIDDEN = (f"A count from 1 to {suppress.MOST_HIDDEN} reads \"{suppress.FEWER}\": read "
              "beside the others, and with the panel's members known, so small a number could "
              "point at the person behind it. \"Not shown\" hides another count where the "
              "hidden ones could otherwise be worked out from the total (the panel's and "
              "the registrations' totals are given above).")


def build(figures: Mapping, dims: Mapping[str, Dimension], assembly: str,
          place: Place | None = None) -> dict:
    """Plain data for the page from one run's figures (Run.report); categories in the
    place's words where it has them (as the staff page names them), else the survey's."""
    words = {(d.name, c.name): c.label for d in dims.values() for c in d.categories}
    pool = suppress.count_text(figures["pool"])
    tables = []
    for dim in dict.fromkeys(t[0] for t in figures["targets"]):
        rows = [t for t in figures["targets"] if t[0] == dim]
        names = [_label(place, dim, c, words.get((dim, c))) for _, c, *_ in rows]
        registered = _public_total(dict(zip(names, (t[4] for t in rows), strict=True)),
                                   figures["pool"])
        chosen = _public_total(dict(zip(names, (t[5] for t in rows), strict=True)),
                               figures["panel"])
        tables.append({
            "dimension": dim.replace("_", " ").capitalize(),
            "rows": [{"label": name, "target": _target(lo, hi), "registered": reg.text,
                      "selected": sel.text, "met": lo <= n <= hi}
                     for name, (_, _, lo, hi, _, n), reg, sel
                     in zip(names, rows, registered.cells, chosen.cells, strict=True)],
            # the page opens with both totals: every table shows them the same
            "registered_total": pool, "selected_total": f"{figures['panel']:,}",
            "hidden": registered.has_secondary or chosen.has_secondary or any(
                c.suppressed for c in (*registered.cells, *chosen.cells))})
    return {"assembly": assembly, "f": figures, "tables": tables,
            "spread": spread(figures["probabilities"]), "why_hidden": WHY_HIDDEN,
            "pool": pool, "relaxed": figures.get("relaxed", []), "kind": figures["kind"]}


def _label(place: Place | None, dimension: str, category: str, words: str | None) -> str:
    if category == NOT_STATED:
        return "Not stated"
    if place is None:
        return words or category
    return category_label(place, dimension, category, words)


def _public_total(counts: dict[str, int], total: int) -> suppress.Table:
    """A dimension's counts against a total the page prints anyway (the panel, everyone
    registered): suppressed by bot/suppress.py, and where it would hide the total to keep a
    small count from being worked out, every count but the nones is hidden instead, since
    the total is known."""
    found = suppress.table(counts, total)
    if not found.total_secondary:
        return found
    return suppress.Table(tuple(c if c.count == 0 else suppress.Cell(c.label, None, None, True)
                                for c in found.cells), total)


def _target(low: int, high: int) -> str:
    return str(low) if low == high else f"{low} to {high}"


def spread(probabilities: list[float]) -> dict | None:
    """How the chances of selection spread: lowest, median, highest, and how many fall in
    each of ten equal bands (counts under 5 hidden)."""
    if not probabilities:
        return None
    top = max(probabilities) or 1.0
    width = top / BINS
    counts = [0] * BINS
    for p in probabilities:
        counts[min(BINS - 1, int(p / width))] += 1
    bands = [{"band": f"{100 * i * width:.1f}% to {100 * (i + 1) * width:.1f}%",
              "people": suppress.count_text(n)} for i, n in enumerate(counts)]
    return {"lowest": f"{100 * min(probabilities):.2f}%",
            "median": f"{100 * statistics.median(probabilities):.2f}%",
            "highest": f"{100 * max(probabilities):.2f}%", "bands": bands,
            "people": suppress.count_text(len(probabilities))}


def render(data: dict) -> str:
    """The page: one self-contained HTML file, no scripts, no links out."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html").render(**data)


def write(path: Path | str, figures: Mapping, dims: Mapping[str, Dimension],
          assembly: str, place: Place | None = None) -> Path:
    """Build and render the report into `path`; the path written."""
    path = Path(path)
    path.write_text(render(build(figures, dims, assembly, place)), encoding="utf-8")
    return path
