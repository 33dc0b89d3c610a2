"""The published population figures the dashboard still reads are kept in one file, read by
one loader (staff/reference.py); the pack reads the place file (assembly/place.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff import reference

STAFF = Path(reference.__file__).resolve().parent


def test_a_figure_is_read_by_its_path_and_a_sentence_quotes_it():
    figures = {"age": {"old": 10.2, "count": 10600}, "source": "example.org/age", "flag": True}
    assert reference.figure(figures, "age.old") == 10.2
    assert reference.fill("{source} ({age.old}%, {age.count})", figures) == (
        "example.org/age (10.2%, 10600)")
    with pytest.raises(reference.FigureError, match="no age.young"):
        reference.figure(figures, "age.young")
    with pytest.raises(reference.FigureError, match="flag is not a number"):
        reference.figure(figures, "flag")


@pytest.mark.parametrize("figure", ["10600", "69.6", "278400"])
def test_no_other_data_file_writes_a_figure(figure):
    holding = [str(p.relative_to(STAFF)) for p in sorted(STAFF.rglob("*.yaml"))
               if figure in p.read_text(encoding="utf-8")]
    assert holding == ["data/waltham-forest-census-2021.yaml"]
