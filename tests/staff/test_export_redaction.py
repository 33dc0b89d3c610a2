"""Redacted exports (issue 18): `outreach export responses --redact`, the redacted links on
/staff/exports (`/staff/export?…&redact=1`) and the API's `?redact=1`. Every free-text cell
and its English pass through the evidence pack's redactor, with the engagers' and members'
names; the engager is a pseudonym, times are dates, and `safeguarding_alert` flags the
responses of someone who raised an alert, never what it said."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from sqlalchemy import select, update

from bot.alerts import acknowledge
from staff import api, writers
from store.db import transaction
from store.models import Alert, Answer, AuditEvent, Response
from tests.helpers.engagers import add_engager
from tests.helpers.exports import answer_demo
from tests.helpers.members import import_members
from tests.helpers.staff import add_user, sign_in

ANALYST = "officer@example.org"
CODE = "K7P2QX"
# What residents typed (and their English), and what must never leave in a redacted export.
TYPED = [
    ("text me on 07700 900123 or mail jo.bloggs@example.com", None),
    ("I'm Aisha Begum from Cathall Road, E17 4AB, my son Jayden (12) goes to Walthamstow "
     "Academy", None),
    ("Nazywam się Anna Kowalska, insta @ania_k99, dzwoń 07700 900456",
     "My name is Anna Kowalska, insta @ania_k99, call 07700 900456"),
    ("Kwame Mensah told me about it, he and Grace Adeyemi never felt safe", None),
    ("my stepdad hits me and I am scared to go home", None),
]
SECRETS = ["07700 900123", "jo.bloggs@example.com", "Aisha", "Begum", "Cathall", "E17 4AB",
           "Jayden", "Walthamstow Academy", "Anna", "Kowalska", "ania_k99", "07700 900456",
           "Kwame", "Mensah", "Grace", "Adeyemi", CODE, "T14:", "called the school"]
NOTE = "called the school"


@pytest.fixture
def answered(app, rt, surveys, clock):
    add_engager(rt, CODE, name="Kwame Mensah")
    import_members(rt, "Grace Adeyemi,+447700900999,,en,sms,")
    for n, (text, _) in enumerate(TYPED):
        answer_demo(rt, f"+44770090020{n}", text)
    with transaction(rt.sessions) as session:
        ids = list(session.scalars(select(Response.id).order_by(Response.id)))
        session.execute(update(Response).where(Response.id == ids[1]).values(engager_code=CODE))
        for response_id, (_, english) in zip(ids, TYPED, strict=True):
            if english:
                session.execute(update(Answer).where(
                    Answer.response_id == response_id, Answer.question_id == "why_unsafe")
                    .values(translation_en=english, translation_status="done",
                            text_language="pl"))
        alert = session.scalar(select(Alert.id).where(Alert.kind == "safeguarding"))
        acknowledge(session, alert, "lead@example.org", NOTE, rt.now())
    add_user(rt, ANALYST, "analyst")


def check(rows: list[dict]) -> None:
    """The rows of a redacted export: every detail gone, the marks where they were."""
    assert len(rows) == len(TYPED)
    shown = json.dumps(rows, ensure_ascii=False)
    assert [s for s in SECRETS if s in shown] == []
    texts = [row["why_unsafe"] for row in rows]
    assert "[phone number removed]" in texts[0] and "[e-mail removed]" in texts[0]
    assert texts[1].startswith("I'm [name removed] from [address removed], "
                               "[postcode removed], my son [name removed] goes to "
                               "[school removed]")
    assert rows[2]["why_unsafe__en"] == ("My name is [name removed], insta [handle removed], "
                                         "call [phone number removed]")
    assert texts[3].startswith("[name removed] told me about it, he and [name removed]")
    assert [row["safeguarding_alert"] or "" for row in rows] == ["", "", "", "", "yes"]
    assert rows[1]["engager"].startswith("e-") and len(rows[1]["engager"]) == 14
    assert [row["engager"] or "" for row in rows if row is not rows[1]] == [""] * 4
    assert all(len(row["started_at"]) == 10 and len(row["completed_at"]) == 10
               for row in rows)


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


def read_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("kind", writers.FORMATS)
def test_the_cli_writes_a_redacted_export(app, answered, tmp_path, kind):
    out = tmp_path / f"demo.{kind}"
    result = app.test_cli_runner().invoke(args=[
        "export", "responses", "--survey", "demo", "--out", str(out), "--redact"])
    assert result.exit_code == 0, result.output
    assert "redacted" in result.output
    rows = (read_xlsx(out.read_bytes()) if kind == "xlsx" else read_csv(
        out.read_text("utf-8")) if kind == "csv" else read_jsonl(out.read_text("utf-8")))
    assert list(rows[0])[-1] == "safeguarding_alert"
    check(rows)


def test_without_redact_the_same_rows_carry_every_detail(app, answered, tmp_path):
    """The rows do carry the details: the redacted tests above pass because of redaction."""
    out = tmp_path / "demo.csv"
    app.test_cli_runner().invoke(args=["export", "responses", "--survey", "demo", "--out",
                                       str(out)])
    text = out.read_text("utf-8")
    assert [s for s in SECRETS[:-2] if s not in text] == []
    assert "safeguarding_alert" not in text


@pytest.mark.parametrize("kind", writers.FORMATS)
def test_the_staff_page_offers_and_downloads_the_redacted_export(app, answered, kind):
    client = app.test_client()
    assert sign_in(client, ANALYST).status_code in (302, 303)
    page = client.get("/staff/exports").get_data(as_text=True)
    link = f"/staff/export?survey=demo&amp;format={kind}&amp;redact=1"
    assert link in page
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "-redacted." in response.headers["Content-Disposition"]
    data = response.get_data()
    check(read_xlsx(data) if kind == "xlsx" else read_csv(data.decode("utf-8"))
          if kind == "csv" else read_jsonl(data.decode("utf-8")))
    assert client.get("/staff/export?survey=demo&format=csv&redact=yes").status_code == 400


def test_the_api_answers_redacted_pages_that_stay_redacted(app, rt, answered, monkeypatch):
    monkeypatch.setattr(api, "PAGE", 2)  # five responses: three pages, each redacted
    result = app.test_cli_runner().invoke(args=["staff", "token", ANALYST])
    bearer = next(word for word in result.output.split() if word.startswith("oat_"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {bearer}"}
    rows, url, pages = [], "/api/v1/responses?survey=demo&redact=1", 0
    while url:
        body = client.get(url, headers=headers).get_json()
        rows, url, pages = rows + body["data"], body["next"], pages + 1
        assert url is None or "redact=1" in url
    assert pages == 3
    check(rows)
    assert client.get("/api/v1/responses?survey=demo&redact=x",
                      headers=headers).status_code == 400


def test_the_audit_log_says_an_export_was_redacted(app, rt, answered, tmp_path):
    app.test_cli_runner().invoke(args=["export", "responses", "--survey", "demo", "--out",
                                       str(tmp_path / "d.csv"), "--redact"])
    with rt.sessions() as session:
        details = list(session.scalars(select(AuditEvent.detail)))
    assert "demo as csv, redacted: 5 row(s)" in details


def test_a_members_disclosure_in_a_survey_flags_their_row(app, rt, surveys, clock, tmp_path):
    """An assembly member's disclosure raises a wellbeing alert (their lead is the wellbeing
    lead): it is still a disclosure, and their row is flagged like anyone's."""
    import_members(rt, "Grace Adeyemi,+447700900999,,en,sms,")
    answer_demo(rt, "+447700900999", "my stepdad hits me and I am scared to go home")
    answer_demo(rt, "+447700900201", "the street lights are broken")
    with rt.sessions() as session:
        assert session.scalars(select(Alert.kind)).all() == ["wellbeing"]
    out = tmp_path / "demo.csv"
    result = app.test_cli_runner().invoke(args=[
        "export", "responses", "--survey", "demo", "--out", str(out), "--redact"])
    assert result.exit_code == 0, result.output
    rows = read_csv(out.read_text("utf-8"))
    assert [row["safeguarding_alert"] for row in rows] == ["yes", ""]


@pytest.mark.parametrize("redact", [[], ["--redact"]])
def test_the_answer_that_raised_an_alert_is_withheld_from_every_export(
        app, rt, answered, tmp_path, redact):
    """The alert shows those words beside the person (a member's name too): no export row
    may show them beside the person's other answers. The lead reads them on the alert."""
    with transaction(rt.sessions) as session:  # its English, as the worker would fill it
        session.execute(update(Answer).where(Answer.raw_text == TYPED[4][0]).values(
            translation_en=TYPED[4][0], translation_status="done", text_language="en"))
    out = tmp_path / "demo.jsonl"
    result = app.test_cli_runner().invoke(args=[
        "export", "responses", "--survey", "demo", "--out", str(out), "--format", "jsonl",
        *redact])
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out.read_text("utf-8"))
    withheld = "[withheld: it raised an alert]"
    assert (rows[4]["why_unsafe"], rows[4]["why_unsafe__en"]) == (withheld, withheld)
    assert "stepdad" not in out.read_text("utf-8")
    assert [row["why_unsafe"] for row in rows[:4]].count(withheld) == 0  # only that one
