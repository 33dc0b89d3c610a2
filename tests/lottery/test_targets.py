"""`outreach lottery targets`: a proposal from the shipped place's Census figures for the
registration survey's role questions, and a reviewed file checked and stored."""

from __future__ import annotations

import csv
import math

import pytest

from store.db import transaction
from store.models import Target
from tests.helpers.cli import outreach
from tests.helpers.db import rows
from tests.helpers.lottery_pool import load_registration


@pytest.fixture
def registration(rt):
    with transaction(rt.sessions) as session:
        return load_registration(session)


def _propose(app, tmp_path, *args):
    path = tmp_path / "targets.csv"
    result = outreach(app, "lottery", "targets", "--out", str(path), *args)
    assert result.exit_code == 0, result.output
    return path, result


def test_proposal_from_the_census_figures(app, registration, tmp_path):
    path, result = _propose(app, tmp_path, "--panel", "50")
    lines = path.read_text().splitlines()
    found = {(r["feature"], r["value"]): r
             for r in csv.DictReader(line for line in lines if not line.startswith("#"))}
    # by hand: TS009 has 141,951 women and 136,474 men; 141951 / 278425 × 50 = 25.49
    female = found["gender", "female"]
    assert 50 * 141951 / (141951 + 136474) == pytest.approx(25.49, abs=0.01)
    assert (female["min"], female["max"], female["share"]) == ("24", "27", "0.5098")
    assert (found["gender", "male"]["min"], found["gender", "male"]["max"]) == ("23", "26")
    # those who say nothing can be drawn, never required
    assert (found["gender", "not_stated"]["min"], found["gender", "not_stated"]["max"]) == (
        "0", "50")
    # each dimension can reach the panel
    for dim in {d for d, _ in found}:
        mine = [r for (d, _), r in found.items() if d == dim]
        assert sum(int(r["min"]) for r in mine) <= 50 <= sum(int(r["max"]) for r in mine)
    # wards have no figures in the shipped place: not proposed, and the file says why
    assert not any(d == "ward" for d, _ in found)
    assert any(line.startswith("# ward: not proposed: Census 2021 populations")
               for line in lines)
    assert "ward: not proposed" in result.output and str(path) in result.output


def test_slack_widens_the_range(app, registration, tmp_path):
    path, _ = _propose(app, tmp_path, "--panel", "20", "--slack", "0")
    found = {(r["feature"], r["value"]): r for r in csv.DictReader(
        line for line in path.read_text().splitlines() if not line.startswith("#"))}
    expected = 20 * 0.78  # TS024: 78% have English as their main language
    assert found["language", "english"]["min"] == str(math.floor(expected))
    assert found["language", "english"]["max"] == str(math.ceil(expected))


def test_a_reviewed_file_is_stored_replacing_earlier_targets(app, rt, registration, tmp_path):
    path, _ = _propose(app, tmp_path, "--panel", "50")
    for _ in range(2):
        result = outreach(app, "lottery", "targets", "--load", str(path), "--panel", "50")
        assert result.exit_code == 0, result.output
    stored = rows(rt, Target)
    assert len(stored) == 20  # 6 dimensions less wards, their categories and not_stated
    female = next(t for t in stored if (t.dimension, t.category) == ("gender", "female"))
    assert (female.min, female.max, female.panel) == (24, 27, 50)


def test_load_reports_every_problem_by_line(app, rt, registration, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        "# reviewed by the engagement team\n"
        "feature,value,min,max,share,note\n"
        "gender,female,24,27,,\n"  # 3
        "gender,male,30,26,,\n"  # 4: min over max
        "shoe_size,large,1,2,,\n"  # 5: no such dimension
        "ethnic_group,martian,1,2,,\n"  # 6: no such category
        "disability,disabled,40,45,,\n"  # 7: mins add up to more than the panel
        "disability,not_disabled,20,45,,\n"
        "age,aged_15_19+aged_20_24+aged_25_29,one,3,,\n")  # 9
    result = outreach(app, "lottery", "targets", "--load", str(path), "--panel", "50")
    assert result.exit_code == 1
    said = result.output
    assert f"{path}:4: min 30 is more than max 26" in said
    assert f"{path}:5: 'shoe_size' is not a dimension" in said
    assert f"{path}:6: 'martian' is no ethnic_group category" in said
    assert f"{path}:7: disability's mins add up to 60, more than the panel of 50" in said
    assert f"{path}:9: min must be a whole number" in said
    assert f"{path}: nothing stored" in said
    assert rows(rt, Target) == []


def test_a_dimension_missing_a_category_is_refused(app, rt, registration, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("feature,value,min,max\ngender,female,24,27\n")
    result = outreach(app, "lottery", "targets", "--load", str(path), "--panel", "50")
    assert result.exit_code == 1
    assert f"{path}:2: gender has no row for male" in result.output


def test_no_registration_survey_is_said(app, tmp_path):
    result = outreach(app, "lottery", "targets", "--out", str(tmp_path / "t.csv"))
    assert result.exit_code == 1
    assert "expected one loaded survey with audience registrants, found 0" in result.output


def test_a_file_as_a_spreadsheet_saves_it_is_read(app, rt, registration, tmp_path):
    """Excel in much of Europe saves `;`-separated CSV with a BOM, and a reviewer may type
    `Female`: read as the proposal's own file, stored in the proposal's spelling."""
    path, _ = _propose(app, tmp_path, "--panel", "50")
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    table = [row[:4] for row in csv.reader(lines)]
    table[0] = ["Feature", "Value", "Min", "Max"]
    female = next(i for i, row in enumerate(table) if row[:2] == ["gender", "female"])
    table[female][:2] = ["Gender", "FEMALE"]
    edited = tmp_path / "edited.csv"
    edited.write_bytes(("\ufeff" + "\r\n".join(";".join(row) for row in table) + "\r\n"
                        ).encode("utf-8"))
    result = outreach(app, "lottery", "targets", "--load", str(edited), "--panel", "50")
    assert result.exit_code == 0, result.output
    assert ("gender", "female") in {(t.dimension, t.category) for t in rows(rt, Target)}


def test_a_bad_cell_is_the_only_problem_said(app, rt, registration, tmp_path):
    path, _ = _propose(app, tmp_path, "--panel", "50")
    lines = path.read_text().splitlines()
    at = next(n for n, line in enumerate(lines, start=1) if line.startswith("gender,female,"))
    lines[at - 1] = "gender,female,three,27,,"
    path.write_text("\n".join(lines) + "\n")
    result = outreach(app, "lottery", "targets", "--load", str(path), "--panel", "50")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:{at}: min must be a whole number of 0 or more, not 'three'",
        f"{path}: nothing stored"]
