"""The published population figures are kept in one file, read by one loader
(staff/reference.py), for the evidence pack (the dashboard compares through staff/heard.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff import reference
from staff.evidence import representation

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


def test_the_dashboard_and_the_pack_read_the_same_figures():
    figures = reference.load()
    pack = representation.load()
    ages = next(c for c in pack["comparisons"] if c["id"] == "age")
    assert [g["reference"] for g in ages["groups"]] == [
        figures["age_shares_pct"]["aged_16_64"], figures["age_shares_pct"]["aged_65_plus"]]
    assert "10.2%" in ages["source"] and "{" not in ages["source"]
    assert pack["wards"] == figures["wards"]


def test_a_changed_figure_changes_the_pack():
    figures = {**reference.load(), "age_shares_pct": {"aged_16_64": 60, "aged_65_plus": 20}}
    ages = next(c for c in representation.load(figures=figures)["comparisons"]
                if c["id"] == "age")
    assert [g["reference"] for g in ages["groups"]] == [60, 20]
    assert "aged 65 and over 20%" in ages["source"]


@pytest.mark.parametrize("figure", ["10600", "69.6", "278400"])
def test_no_other_data_file_writes_a_figure(figure):
    holding = [str(p.relative_to(STAFF)) for p in sorted(STAFF.rglob("*.yaml"))
               if figure in p.read_text(encoding="utf-8")]
    assert holding == ["data/waltham-forest-census-2021.yaml"]
