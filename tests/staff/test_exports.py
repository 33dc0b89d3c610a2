"""`outreach export responses`: the files an analyst opens, read back as a spreadsheet
would (csv with utf-8-sig, openpyxl), on both databases; streaming measured, not timed."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import update

from bot.conversations import Inbound, handle
from staff import exports, writers
from store.db import transaction
from store.models import Answer
from surveys import registry
from tests.helpers.exports import BULGARIAN, DEMO_COLUMNS, FORMULA, URDU, answer_demo
from tests.helpers.responses import START, TEXTS, seed
from tests.helpers.surveys import DEMO, definition


@pytest.fixture
def answered(rt, surveys, clock):
    answer_demo(rt, "+447700900101", URDU)
    clock.advance(timedelta(days=1))
    answer_demo(rt, "+447700900102", BULGARIAN)
    clock.advance(timedelta(days=1))
    answer_demo(rt, "+447700900103", FORMULA, finish=False)
    answer_demo(rt, "100200300", None, channel="telegram")


def export(app, tmp_path, kind: str, *args: str):
    out = tmp_path / f"demo.{kind}"
    result = app.test_cli_runner().invoke(
        args=["export", "responses", "--survey", "demo", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out, result.output


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fileobj:
        reader = csv.reader(fileobj)
        header = next(reader)
        assert header == DEMO_COLUMNS
        return [dict(zip(header, row, strict=True)) for row in reader]


def read_xlsx(path) -> tuple[list[str], list[list]]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    cells = [list(row) for row in sheet.iter_rows()]
    return [c.value for c in cells[0]], cells[1:]


def test_csv_opens_with_every_script_intact_and_typed_columns(app, answered, tmp_path):
    out, said = export(app, tmp_path, "csv", "--format", "csv")
    assert "4 response(s) of demo written" in said
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_csv(out)
    assert [r["channel"] for r in rows] == ["sms", "sms", "sms", "telegram"]
    first = rows[0]
    assert (first["survey"], first["survey_version"], first["status"]) == ("demo", "1",
                                                                           "complete")
    assert first["why_unsafe"] == URDU
    assert rows[1]["why_unsafe"] == BULGARIAN
    assert (first["feel_safe"], first["trust"], first["safer"], first["contact"],
            first["years"]) == ("2", "a_little", "lighting;youth", "yes", "12")
    assert first["started_at"] == "2026-03-02T10:00:00Z" and first["completed_at"]
    assert first["engager"] == ""
    assert rows[2]["status"] == "partial" and rows[2]["completed_at"] == ""
    assert rows[3]["why_unsafe"] == "" and rows[3]["why_unsafe__en"] == ""


def test_formula_cells_are_defused_in_csv_and_xlsx(app, answered, tmp_path):
    rows = read_csv(export(app, tmp_path, "csv")[0])
    assert rows[2]["why_unsafe"] == "'" + FORMULA
    header, cells = read_xlsx(export(app, tmp_path, "xlsx")[0])
    cell = cells[2][header.index("why_unsafe")]
    assert (cell.value, cell.data_type) == ("'" + FORMULA, "s")


def test_xlsx_cells_are_strings_or_numbers_never_formulas(app, answered, tmp_path):
    out, _ = export(app, tmp_path, "xlsx")
    header, cells = read_xlsx(out)
    assert header == DEMO_COLUMNS
    first = dict(zip(header, cells[0], strict=True))
    assert (first["feel_safe"].value, first["feel_safe"].data_type) == (2, "n")
    assert (first["years"].value, first["years"].data_type) == (12, "n")
    assert (first["why_unsafe"].value, first["why_unsafe"].data_type) == (URDU, "s")
    assert first["safer"].value == "lighting;youth"
    assert dict(zip(header, cells[1], strict=True))["why_unsafe"].value == BULGARIAN
    assert all(c.data_type != "f" for row in cells for c in row)


def test_jsonl_keeps_types(app, answered, tmp_path):
    out, _ = export(app, tmp_path, "jsonl")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(rows[0]) == DEMO_COLUMNS
    assert (rows[0]["feel_safe"], rows[0]["safer"], rows[0]["years"]) == (
        2, ["lighting", "youth"], 12)
    assert rows[0]["why_unsafe"] == URDU and rows[0]["engager"] is None
    assert rows[2]["why_unsafe"] == FORMULA  # programs read JSON; nothing is run


def test_the_respondent_is_a_stable_pseudonym_never_a_number(app, answered, tmp_path, rt):
    first = [r["respondent"] for r in read_csv(export(app, tmp_path, "csv")[0])]
    again = [r["respondent"] for r in read_csv(export(app, tmp_path, "csv")[0])]
    assert first == again and len(set(first)) == 4
    for name in first:
        assert name.startswith("r-") and len(name) == 18
        with pytest.raises(ValueError):
            float(name)
    text = (tmp_path / "demo.csv").read_text(encoding="utf-8-sig")
    for secret in ("447700900101", "7700900101", "100200300"):
        assert secret not in text
    other = exports.pseudonym(b"test-secret", "neighbourhood-policing", 1)
    assert other != exports.pseudonym(b"test-secret", "demo", 1)
    assert exports.pseudonym(b"another-key", "demo", 1) != exports.pseudonym(
        b"test-secret", "demo", 1)


def test_with_no_translator_the_english_column_says_not_translated(app, answered, tmp_path):
    rows = read_csv(export(app, tmp_path, "csv")[0])
    assert rows[0]["why_unsafe__en"] == exports.NOT_TRANSLATED
    assert rows[3]["why_unsafe__en"] == ""  # nothing to translate


def test_with_a_translator_pending_is_empty_done_is_english_failed_is_said(
        rt, answered):
    with transaction(rt.sessions) as session:
        session.execute(update(Answer).where(Answer.raw_text == BULGARIAN).values(
            translation_status="failed"))
        session.execute(update(Answer).where(Answer.raw_text == FORMULA).values(
            translation_status="done", translation_en="=1+1 in English"))
    with rt.sessions() as session:
        plan = exports.plan(session, "demo", "test-secret", translating=True)
    text = io.StringIO()
    writers.write_csv(plan.columns, exports.rows(rt.sessions, plan), text)
    rows = list(csv.DictReader(io.StringIO(text.getvalue().removeprefix("\ufeff"))))
    assert [r["why_unsafe__en"] for r in rows] == [
        "", exports.NOT_TRANSLATED, "'=1+1 in English", ""]


def test_status_and_since_filter(app, answered, tmp_path):
    assert [r["status"] for r in read_csv(export(app, tmp_path, "csv", "--status",
                                                 "partial")[0])] == ["partial"]
    rows = read_csv(export(app, tmp_path, "csv", "--since", "2026-03-03")[0])
    assert [r["why_unsafe"] for r in rows] == [BULGARIAN, "'" + FORMULA, ""]


def test_a_person_who_deleted_their_data_is_gone(app, rt, answered, tmp_path):
    for text in ("DELETE", "yes"):
        handle(rt, Inbound("sms", "+447700900101", text))
    rows = read_csv(export(app, tmp_path, "csv")[0])
    assert len(rows) == 3 and URDU not in {r["why_unsafe"] for r in rows}


def test_columns_are_every_versions_questions_in_the_current_order(app, rt, answered,
                                                                   tmp_path):
    changed = definition(DEMO)
    changed["questions"] = [q for q in changed["questions"] if q["id"] != "years"]
    changed["questions"].insert(0, {"id": "postcode_area", "type": "text",
                                    "text": "Which part of the borough?"})
    with transaction(rt.sessions) as session:
        assert registry.load_definition(session, changed).action == "new version"
    out = tmp_path / "v.csv"
    result = app.test_cli_runner().invoke(args=["export", "responses", "--survey", "demo",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as fileobj:
        header = next(csv.reader(fileobj))
    assert header == [*exports.FIXED, "postcode_area", "feel_safe", "why_unsafe", "trust",
                      "safer", "contact", "years", "postcode_area__en", "why_unsafe__en"]


def test_an_unknown_survey_or_format_is_said_plainly(app, surveys, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "responses", "--survey", "nope", "--out",
                                 str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "no survey 'nope'" in result.output
    result = runner.invoke(args=["export", "responses", "--survey", "demo", "--out",
                                 str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and "csv, xlsx or jsonl" in result.output
    assert not list(tmp_path.glob("*.partial")) and not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize("slug", ["peer-conversation-log", "wellbeing-check-in"])
def test_engagers_logs_and_members_check_ins_export_the_same_way(app, rt, surveys, slug,
                                                                 tmp_path):
    seed(rt.sessions, slug, 3, engager="K7PQ2" if slug == "peer-conversation-log" else None)
    out = tmp_path / "x.csv"
    result = app.test_cli_runner().invoke(args=["export", "responses", "--survey", slug,
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as fileobj:
        rows = list(csv.DictReader(fileobj))
    questions = [q.id for q in surveys[slug].questions]
    assert list(rows[0]) == [*exports.FIXED, *questions,
                             *(f"{q.id}__en" for q in surveys[slug].questions
                               if q.type == "text")]
    assert {r["engager"] for r in rows} == (
        {"K7PQ2"} if slug == "peer-conversation-log" else {""})
    assert {r[questions[-1]] for r in rows} <= {t for _, t, _ in TEXTS} | {"yes", "no"} | {
        str(n) for n in range(1, 6)}


def test_pages_follow_one_another_in_a_stable_order(rt, surveys):
    seed(rt.sessions, "demo", 25)
    with rt.sessions() as session:
        plan = exports.plan(session, "demo", "test-secret")
        seen, cursor = [], 0
        while cursor is not None:
            found, cursor = exports.page(session, plan, after=cursor, limit=10)
            seen += [row["respondent"] for row in found]
    assert len(seen) == 25 == len(set(seen))
    assert seen == [row["respondent"] for row in exports.rows(rt.sessions, plan, chunk=7)]


@pytest.mark.parametrize("text, defused", [
    ("=1+1", "'=1+1"), ("+44 7700 900123", "'+44 7700 900123"), ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"),
    ("\uff1d1+1", "'\uff1d1+1"), ("a = b", "a = b"), ("", ""), ("ok", "ok")])
def test_defuse(text, defused):
    assert writers.defuse(text) == defused


def test_numbers_stay_numbers_even_negative():
    assert writers.cell(-3) == -3 and writers.cell(2.5) == 2.5
    assert writers.cell(["a", "b"]) == "a;b" and writers.cell(None) is None


def _peak(rt, slug: str, kind: str, tmp_path) -> int:
    """The most memory writing the whole export took (tracemalloc's peak, in bytes)."""
    with rt.sessions() as session:
        plan = exports.plan(session, slug, "test-secret")
    tracemalloc.start()
    try:
        if kind == "csv":
            writers.write_csv(plan.columns, exports.rows(rt.sessions, plan), _Sink())
        else:
            writers.write_xlsx(plan.columns, exports.rows(rt.sessions, plan),
                               str(tmp_path / "big.xlsx"))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Sink:
    """A text file that forgets what it is given."""

    def write(self, text: str) -> int:
        return len(text)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_memory_does_not_grow_with_rows(rt, surveys, kind, tmp_path):
    """1,000 then 10,000 responses (10x the rows): the peak stays about the same."""
    seed(rt.sessions, "demo", 1000)
    small = _peak(rt, "demo", kind, tmp_path)
    seed(rt.sessions, "demo", 9000, start=START + timedelta(days=30))
    large = _peak(rt, "demo", kind, tmp_path)
    assert large < 2 * small, (small, large)
