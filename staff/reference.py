"""The borough's published population figures: one file, one loader.

`data/waltham-forest-census-2021.yaml` is a copy of the published figures, each block with
its source (Census 2021 and the council's own pages). The dashboard's representativeness
(`staff/representativeness.py`) reads its figures here, by dotted path
(`age_shares_pct.aged_65_plus`): a figure is written once, and never invented. (The
evidence pack reads the place file, `assembly/place.py`; this goes once the dashboard does.)
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FIGURES = Path(__file__).resolve().parent / "data" / "waltham-forest-census-2021.yaml"
_PLACE = re.compile(r"\{([a-z0-9_.]+)\}")


class FigureError(ValueError):
    """A dotted path the reference file does not hold, or that is not a figure."""


@cache
def load(path: Path = FIGURES) -> dict:
    """The reference file as data."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def value(figures: dict, dotted: str) -> Any:
    """What the reference file holds at `dotted` ('main_language.top_non_english.ro')."""
    found: Any = figures
    for key in dotted.split("."):
        if not isinstance(found, dict) or key not in found:
            raise FigureError(f"the reference file has no {dotted}")
        found = found[key]
    return found


def figure(figures: dict, dotted: str) -> float:
    """The number at `dotted`, or FigureError."""
    found = value(figures, dotted)
    if isinstance(found, bool) or not isinstance(found, int | float):
        raise FigureError(f"{dotted} is not a number")
    return float(found)


def fill(text: str, figures: dict) -> str:
    """`text` with each `{dotted.path}` replaced by what the file holds there (a number as
    published: 69.6, 78), so a sentence that quotes a figure quotes the file."""
    def one(match: re.Match) -> str:
        found = value(figures, match.group(1))
        return f"{found:g}" if isinstance(found, float) else str(found)

    return _PLACE.sub(one, text)
