"""The responses API and the staff area's downloads, as programs and analysts meet them:
bearer tokens, pages that follow one another, the same columns as the CLI's export, roles,
and every export in the audit log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select

from app import create_app
from staff import api, guard, writers
from store.models import AuditEvent, StaffToken
from tests.helpers.exports import BULGARIAN, DEMO_COLUMNS, FORMULA, URDU, answer_demo
from tests.helpers.staff import PHONE, add_user, sign_in

ADMIN, ANALYST, LEAD = "admin@example.org", "officer@example.org", "lead@example.org"


@pytest.fixture
def answered(rt, surveys, clock):
    for n, text in enumerate([URDU, BULGARIAN, FORMULA]):
        answer_demo(rt, f"+44770090011{n}", text)
    answer_demo(rt, "100200300", None, channel="telegram")


@pytest.fixture
def users(rt):
    add_user(rt, ADMIN, "admin")
    add_user(rt, ANALYST, "analyst")
    add_user(rt, LEAD, "wellbeing")


def token(app, email: str) -> str:
    result = app.test_cli_runner().invoke(args=["staff", "token", email])
    assert result.exit_code == 0, result.output
    return next(word for word in result.output.split() if word.startswith("oat_"))


def audited(rt) -> list[str]:
    with rt.sessions() as session:
        return list(session.scalars(select(AuditEvent.detail).where(
            AuditEvent.event == "exported").order_by(AuditEvent.id)))


def get(client, url: str, bearer: str | None = None):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return client.get(url, headers=headers)


@pytest.mark.parametrize("bearer", [None, "oat_not-a-real-token", "Basic abc"])
def test_without_a_valid_token_the_api_answers_401(app, answered, users, bearer):
    response = get(app.test_client(), "/api/v1/responses?survey=demo", bearer)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "data" not in response.get_json()


def test_a_role_without_exports_gets_403(app, answered, users):
    response = get(app.test_client(), "/api/v1/responses?survey=demo", token(app, LEAD))
    assert response.status_code == 403


def test_pages_follow_one_another_with_the_exports_columns(app, rt, answered, users,
                                                           monkeypatch):
    monkeypatch.setattr(api, "PAGE", 3)  # four responses: a page of 3, then 1
    bearer, client = token(app, ANALYST), app.test_client()
    first = get(client, "/api/v1/responses?survey=demo", bearer).get_json()
    assert len(first["data"]) == 3 and list(first["data"][0]) == DEMO_COLUMNS
    assert first["next"].startswith("http://localhost/api/v1/responses?")
    second = get(client, first["next"], bearer).get_json()
    assert len(second["data"]) == 1 and second["next"] is None
    rows = first["data"] + second["data"]
    assert len({row["respondent"] for row in rows}) == 4
    assert rows[0]["why_unsafe"] == URDU and rows[0]["trust"] == "a_little"
    assert isinstance(rows[0]["safer"], list) and len(rows[0]["safer"]) == 2  # multi: a list
    assert PHONE not in str(rows) and "+447700900110" not in str(rows)
    assert audited(rt) == ["demo as json (an API page): 3 row(s)",
                           "demo as json (an API page): 1 row(s)"]


@pytest.mark.parametrize("trusted, base, headers, expected", [
    # `make run PORT=5101`: the port the caller used, whatever PUBLIC_BASE_URL says
    (0, "http://127.0.0.1:5101", {}, "http://127.0.0.1:5101"),
    (0, "http://localhost:8000", {}, "http://localhost:8000"),
    # behind nginx (TRUSTED_PROXIES=1), which passes the Host and the scheme it was called with
    (1, "http://outreach.example.org", {"X-Forwarded-Proto": "https"},
     "https://outreach.example.org"),
    (1, "http://outreach.example.org:8443", {"X-Forwarded-Proto": "https"},
     "https://outreach.example.org:8443"),
    # no proxy trusted: a forwarded scheme is anyone's word and is not taken
    (0, "http://outreach.example.org:5000", {"X-Forwarded-Proto": "https"},
     "http://outreach.example.org:5000"),
])
def test_the_next_link_is_the_address_the_caller_used(config, clock, answered, users,
                                                       monkeypatch, trusted, base, headers,
                                                       expected):
    monkeypatch.setattr(api, "PAGE", 3)
    app = create_app({**config, "TRUSTED_PROXIES": str(trusted)}, clock=clock)
    client, bearer = app.test_client(), token(app, ANALYST)
    headers = {**headers, "Authorization": f"Bearer {bearer}",
               "X-Forwarded-For": "203.0.113.9"}
    first = client.get("/api/v1/responses?survey=demo", base_url=base, headers=headers)
    following = first.get_json()["next"]
    assert following.startswith(f"{expected}/api/v1/responses?survey=demo&cursor=")
    second = client.get(following.removeprefix(expected), base_url=base, headers=headers)
    assert len(second.get_json()["data"]) == 1
    app.extensions["outreach"].engine.dispose()


def test_a_bad_cursor_or_unknown_survey_is_said(app, answered, users):
    bearer, client = token(app, ANALYST), app.test_client()
    assert get(client, "/api/v1/responses?survey=demo&cursor=abc", bearer).status_code == 400
    assert get(client, "/api/v1/responses?survey=nope", bearer).status_code == 404


# Tokens: named, expiring, listed, revoked ----------------------------------------------------


def staff_cli(app, *args, stdin=None):
    result = app.test_cli_runner().invoke(args=["staff", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def works(app, bearer: str) -> bool:
    status = get(app.test_client(), "/api/v1/responses?survey=demo", bearer).status_code
    assert status in (200, 401), status
    return status == 200


def test_a_token_can_be_revoked_and_a_new_one_leaves_the_first_alone(app, rt, answered,
                                                                      users):
    first = token(app, ANALYST)  # today's form, no name
    second = staff_cli(app, "token", ANALYST, "--name", "Power BI refresh").strip()
    assert works(app, first) and works(app, second)
    listed = staff_cli(app, "tokens", ANALYST)
    lines = listed.splitlines()
    assert len(lines) == 2 and "'Power BI refresh'" in lines[0] and "'(no name)'" in lines[1]
    assert "expires 2026-05-31" in lines[0] and "last used 2026-03-02 10:00" in lines[0]
    with rt.sessions() as session:
        hashes = list(session.scalars(select(StaffToken.token_hash)))
    assert not any(secret in listed for secret in [first, second, first[4:], *hashes])
    first_id = lines[1].split()[0].lstrip("#")
    assert staff_cli(app, "token", "revoke", first_id) == f"Revoked token #{first_id}.\n"
    assert not works(app, first) and works(app, second)
    assert staff_cli(app, "tokens", ANALYST).splitlines()[1].endswith(" revoked")


def test_a_token_expires_after_its_days(app, clock, answered, users):
    default, week = token(app, ANALYST), staff_cli(app, "token", ANALYST, "--name", "week",
                                                    "--days", "7").strip()
    clock.advance(timedelta(days=7))
    assert works(app, default) and not works(app, week)
    clock.advance(timedelta(days=83))
    assert not works(app, default)
    assert staff_cli(app, "tokens", ANALYST).count(" expired\n") == 2
    result = app.test_cli_runner().invoke(args=["staff", "token", ANALYST, "--days", "366"])
    assert result.exit_code == 2 and "366" in result.output


def test_staff_token_days_sets_the_default(config, clock, answered, users):
    app = create_app({**config, "STAFF_TOKEN_DAYS": "30"}, clock=clock)
    bearer = token(app, ANALYST)
    clock.advance(timedelta(days=30))
    assert not works(app, bearer)
    app.extensions["outreach"].engine.dispose()


@pytest.mark.parametrize("command", [["password", ANALYST], ["disable", ANALYST]])
def test_a_new_password_or_disabling_revokes_every_token_and_session(app, rt, answered,
                                                                     users, command):
    tokens = [token(app, ANALYST), token(app, ANALYST)]
    browser = signed_in(app, ANALYST)
    assert all(works(app, t) for t in tokens)
    staff_cli(app, *command, stdin="a brand new long password\n")
    assert not any(works(app, t) for t in tokens)
    assert browser.get("/staff/").status_code == 302  # back to the sign-in form
    staff_cli(app, "enable", ANALYST)  # enabling again brings no token back
    assert not any(works(app, t) for t in tokens)
    assert all(line.endswith(" revoked") for line in staff_cli(
        app, "tokens", ANALYST).splitlines())


# /staff/export -------------------------------------------------------------------------------


def signed_in(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code in (302, 303)
    return client


def test_an_analyst_downloads_csv_that_opens_with_every_script_and_no_formula(
        app, rt, answered, users):
    response = signed_in(app, ANALYST).get("/staff/export?survey=demo&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="demo-')
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["why_unsafe"] for row in rows][:3] == [URDU, BULGARIAN, "'" + FORMULA]
    assert audited(rt)[-1] == "demo as csv: 4 row(s)"


def test_the_xlsx_download_reads_back_as_strings_never_formulas(app, answered, users):
    response = signed_in(app, ADMIN).get("/staff/export?survey=demo&format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    assert header == DEMO_COLUMNS
    column = header.index("why_unsafe")
    texts = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert texts[:3] == [URDU, BULGARIAN, "'" + FORMULA]
    assert all(row[column].data_type != "f" for row in sheet.iter_rows(min_row=2))


def test_the_wellbeing_role_cannot_export_and_nobody_signed_out_can(app, answered, users):
    assert signed_in(app, LEAD).get("/staff/export?survey=demo&format=csv").status_code == 403
    anonymous = app.test_client().get("/staff/export?survey=demo&format=csv")
    assert anonymous.status_code in (302, 303) and "/staff/login" in anonymous.location


def test_the_exports_page_lists_surveys_and_offers_the_pack(app, answered, users):
    page = signed_in(app, ANALYST).get("/staff/exports").get_data(as_text=True)
    assert "/staff/export?survey=demo&amp;format=xlsx" in page
    assert "Download the evidence pack" in page and PHONE not in page


def test_the_evidence_pack_downloads_as_one_page_and_is_audited(app, rt, answered, users):
    response = signed_in(app, ANALYST).get("/staff/evidence-pack")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="evidence-pack-')
    html = response.get_data(as_text=True)
    assert html.lstrip().lower().startswith("<!doctype html>") and "http://" not in html
    with rt.sessions() as session:
        assert session.scalar(select(AuditEvent.actor).where(
            AuditEvent.event == "evidence_pack")) == ANALYST


def test_the_evidence_pack_downloads_in_another_language(app, answered, users):
    client = signed_in(app, ANALYST)
    assert 'name="language"' in client.get("/staff/exports").get_data(as_text=True)
    response = client.get("/staff/evidence-pack?language=pl")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-pl.html"')
    html = response.get_data(as_text=True)
    assert '<html lang="pl" dir="ltr">' in html and "Jak czytać ten pakiet" in html
    assert client.get("/staff/evidence-pack?language=xx").status_code == 400


def test_the_cli_export_and_purge_are_audited_too(app, rt, answered, tmp_path):
    out = tmp_path / "demo.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "responses", "--survey", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert audited(rt) == ["demo as csv: 4 row(s)"]
    app.test_cli_runner().invoke(args=["purge", "--before", "2020-01-01", "--yes"])
    with rt.sessions() as session:
        actor, detail = session.execute(select(AuditEvent.actor, AuditEvent.detail).where(
            AuditEvent.event == "purged")).one()
    assert actor.startswith("cli:") and detail.startswith("before 2020-01-01")
    assert writers.FORMATS == ("csv", "xlsx", "jsonl")


def test_the_api_is_guarded_by_the_role_table_not_inside_its_view(app):
    view = app.view_functions["api.responses"]
    assert view.staff_roles == guard.ACCESS["analysis"]
