"""The dashboard through HTTP: where to go next (ranked by the responses to parity, with the
channels and engagers that reached each group), who has been heard from (staff/heard.py's
comparisons, cited), the places no one answered from, and each table as CSV — counts as
shown, formula cells defused, for the roles that see the dashboard. A council's own survey
(roles declared, not shipped) is read like any other; the demo data names the comparisons
its place holds."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from bot import youth
from staff import dashboard, where_next
from store.db import transaction
from store.models import Response
from tests.helpers.staff import PHONE, add_response, add_user, sign_in
from tests.helpers.surveys import load_surveys

ANALYST, LEAD = "officer@example.org", "lead@example.org"
FORMULA = "=cmd|' /C calc'!A0"
# A council's own residents' survey, mapped to the shipped place's categories.
OURS = {
    "slug": "our-streets", "title": "Our streets", "audience": "residents", "language": "en",
    "languages": ["en", "ro"], "intro": "Hello.", "outro": "Thank you.",
    "consent": "Reply YES to take part.",
    "questions": [
        {"id": "sex", "type": "choice", "role": "gender", "optional": True,
         "text": "Your gender?", "choices": [
             {"id": "f", "text": "Woman", "reference": "female"},
             {"id": "m", "text": "Man", "reference": "male"},
             {"id": "x", "text": "Rather not say"}]},
        {"id": "roots", "type": "choice", "role": "ethnic_group", "optional": True,
         "text": "Your ethnic group?", "choices": [
             {"id": "a", "text": "Asian", "reference": "asian"},
             {"id": "w", "text": "White", "reference": "white"}]},
        {"id": "home", "type": "choice", "role": "ward", "optional": True,
         "text": "Your ward?", "choices": [
             {"id": "e", "text": "Endlebury", "reference": "endlebury"},
             {"id": "v", "text": FORMULA, "reference": "valley"}]},
    ],
}


@pytest.fixture
def client(app, rt):
    add_user(rt, ANALYST, "analyst")
    add_user(rt, LEAD, "wellbeing")
    return app.test_client()


@pytest.fixture
def place(rt):
    return dashboard.assembly_setting(rt.settings).place


@pytest.fixture
def ours(rt, tmp_path):
    path = tmp_path / "our-streets.yaml"
    path.write_text(yaml.safe_dump(OURS), encoding="utf-8")
    return load_surveys(rt, [path])["our-streets"]


@pytest.fixture
def engager(rt, clock):
    with transaction(rt.sessions) as session:
        return youth.add(session, FORMULA, clock.now).code


def answered(rt, n: int, answers: dict, channel: str = "sms", code: str | None = None,
             language: str = "en") -> None:
    for _ in range(n):
        response = add_response(rt, "our-streets", answers=answers, channel=channel,
                                language=language)
        if code:
            with transaction(rt.sessions) as session:
                session.get(Response, response).engager_code = code


def share(place, dimension: str, group: str, among: tuple[str, ...]) -> float:
    """A group's reference share among the groups compared, from the place's own figures."""
    def figure(ids):
        return sum(c.value for c in place.resolve(dimension, ids)[1])
    return figure((group,)) / sum(figure((g,)) for g in among)


def parity(p: float, answered: int, count: int) -> int:
    return math.ceil((p * answered - count) / (1 - p))


@pytest.fixture
def seeded(rt, ours, engager):
    """80 answers: 20 women (15 by SMS, 5 by web with the engager's code) and 60 men; 4
    Asian (hidden) and 76 White; 15 from the ward whose label is a formula, none from the
    other; 3 rather not say their gender."""
    answered(rt, 15, {"sex": "f", "roots": "w", "home": "v"})
    answered(rt, 5, {"sex": "f", "roots": "w"}, channel="web", code=engager)
    answered(rt, 4, {"sex": "m", "roots": "a"}, channel="web")
    answered(rt, 56, {"sex": "m", "roots": "w"}, language="ro")
    answered(rt, 3, {"sex": "x"})
    return engager


def download(client, name: str, survey: str = "our-streets") -> list[list[str]]:
    response = client.get(f"/staff/dashboard/{name}.csv?survey={survey}")
    assert response.status_code == 200, (name, response.status_code)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads every script
    return list(csv.reader(io.StringIO(text[1:])))


# Where to go next ----------------------------------------------------------------------------


def test_where_next_ranks_the_under_heard_by_the_responses_to_parity(rt, client, seeded, place):
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=our-streets").get_data(as_text=True)
    top = page[page.index('id="where-next"'):page.index('id="surveys"')]
    woman = parity(share(place, "gender", "female", ("female", "male")), 80, 20)
    asian = parity(share(place, "ethnic_group", "asian", ("asian", "white")), 80, 4)
    # 27 of the 83 answered in English: the table that says who speaks English
    [table] = [t for t in place.tables_for("language")
               if {c.language for c in t.categories} == {"en", "other"}]
    english = parity(next(c.value for c in table.categories if c.language == "en")
                     / sum(c.value for c in table.categories), 83, 27)
    rows = download(client, "where-next")
    header, *ranked = rows
    assert header[:8] == ["Group", "Survey", "Compared with", "Table", "People", "Heard",
                          "Reference share", "More responses to parity"]
    expected = sorted([("Woman", f"{woman:,}"), ("Asian", f"at least {asian:,}"),
                       ("English", f"{english:,}")],
                      key=lambda g: -int(g[1].split()[-1].replace(",", "")))
    assert [(r[0], r[7]) for r in ranked] == expected
    # the page lists them in the same order, with the same numbers
    assert [top.index(f"<strong>{n}</strong> more") for _, n in expected] == sorted(
        top.index(f"<strong>{n}</strong> more") for _, n in expected)
    [woman_row] = [r for r in ranked if r[0] == "Woman"]
    assert woman_row[4] == "20" and woman_row[5] == "25%"
    assert woman_row[8] == "SMS: 15; Web form: 5"  # the channels that reached women
    assert woman_row[9] == f"'{FORMULA}: 5"  # and the engager (defused: it starts with =)
    [asian_row] = [r for r in ranked if r[0] == "Asian"]
    assert asian_row[4] == asian_row[5] == "fewer than 5"  # hidden, and judged by its text
    assert asian_row[8] == "Web form: fewer than 5"


def test_wards_no_one_answered_from_are_named_at_the_top(rt, client, seeded, place):
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=our-streets").get_data(as_text=True)
    top = page[page.index('id="where-next"'):page.index('id="surveys"')]
    [wards] = place.tables_for("ward")
    assert f"<strong>{wards.title}</strong>" in top
    assert "No one answered from 1 of the 2 in" in top and "Endlebury" in top
    assert download(client, "unreached")[1:] == [
        ["Our streets", wards.title, "Endlebury", "none"]]


def test_progress_is_shown_against_the_assemblys_target(rt, client, seeded):
    sign_in(client, ANALYST)
    page = client.get("/staff/").get_data(as_text=True)
    target = dashboard.assembly_setting(rt.settings).target
    assert target and "<progress" in page
    assert f"of a target of\n<strong>{target:,}</strong>" in page


def test_progress_towards_a_target_is_formatted_alike():
    nearly = where_next.WhereNext([], [], target=1300, so_far=2585)
    assert (nearly.so_far_text, nearly.target_text, nearly.percent) == ("2,585", "1,300", 198)
    few = where_next.WhereNext([], [], target=1300, so_far=3)
    assert few.so_far_text == "fewer than 5" and few.percent is None
    assert where_next.WhereNext([], [], target=None, so_far=40).percent is None


def test_responses_per_week_count_every_week_from_monday_empty_ones_too(rt, client, ours, clock):
    monday = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday
    for n, when in ((6, monday + timedelta(days=6)), (7, monday + timedelta(days=14))):
        for _ in range(n):
            add_response(rt, "our-streets", started=when)
    sign_in(client, ANALYST)
    assert download(client, "weeks")[1:] == [["w/c 2 Mar 2026", "6"], ["w/c 9 Mar 2026", "none"],
                                             ["w/c 16 Mar 2026", "7"]]
    page = client.get("/staff/?survey=our-streets").get_data(as_text=True)
    assert '<svg class="chart"' in page and "w/c 16 Mar 2026" in page


# Who we have heard from ----------------------------------------------------------------------


def test_each_comparison_shows_its_rows_status_in_words_and_its_citation(rt, client, seeded,
                                                                        place):
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=our-streets").get_data(as_text=True)
    heard = page[page.index('id="heard"'):page.index('id="progress"')]
    [sex] = place.tables_for("gender")
    section = heard[heard.index(f">{sex.title}</h3>"):]
    section = section[:section.index("</section>")]
    for shown in (sex.table, sex.date, sex.base, f'href="{sex.url}"', "rescaled"):
        assert shown in section, shown
    [woman] = [r for r in section.split("<tr") if ">Woman" in r]
    assert "under-represented" in woman and "25%" in woman and ">20<" in woman
    [man] = [r for r in section.split("<tr") if ">Man" in r]
    assert "over-represented" in man
    assert "Left out of both sides: Rather not say (answers left out: fewer than 5)" in section
    [wards] = place.tables_for("ward")
    ward_part = heard[heard.index(f">{wards.title}</h3>"):]
    assert f"Not compared: {wards.why_not_compared.split()[0]}" in ward_part
    [endlebury] = [r for r in ward_part.split("<tr") if ">Endlebury" in r][:1]
    assert "no one yet" in endlebury
    assert PHONE[-6:] not in page


def test_the_language_answered_in_is_compared_too(rt, client, seeded, place):
    sign_in(client, ANALYST)
    rows = download(client, "heard")
    assert rows[0] == ["Comparison", "Table", "Date", "Base", "Source", "Group", "People",
                       "Share", "Reference share", "Status", "More responses to parity"]
    titles = {r[0] for r in rows[1:]}
    assert {t.title for t in place.tables_for("language")} <= titles
    [romanian] = [r for r in rows[1:] if r[5] == "Romanian"]
    assert romanian[6] == "56"


# Downloads -----------------------------------------------------------------------------------


def test_every_table_downloads_as_shown_hidden_counts_stay_hidden_formulas_defused(
        rt, client, seeded):
    sign_in(client, ANALYST)
    page = client.get("/staff/?survey=our-streets").get_data(as_text=True)
    names = ("where-next", "unreached", "weeks", "channels", "languages", "wards",
             "engagers", "heard")
    for name in names:
        assert f"/staff/dashboard/{name}.csv?survey=our-streets" in page, name
        download(client, name)
    engagers = download(client, "engagers")
    assert [f"'{FORMULA} ({seeded})", "5"] in engagers
    wards = download(client, "wards")
    assert [r[:2] for r in wards[1:]] == [["Endlebury", "none"], [f"'{FORMULA}", "15"]]
    heard = download(client, "heard")
    [asian] = [r for r in heard if r[5] == "Asian"]
    assert asian[6] == "fewer than 5" and asian[7] == ""  # no share beside a hidden count
    assert not any(cell.startswith("=") for row in heard + wards + engagers for cell in row)
    assert client.get("/staff/dashboard/nothing.csv").status_code == 404


def test_downloads_are_for_those_who_see_the_dashboard(rt, client, seeded):
    assert client.get("/staff/dashboard/heard.csv").status_code in (302, 303)
    sign_in(client, LEAD)  # the wellbeing lead does not see the dashboard (sent to alerts)
    assert client.get("/staff/").status_code == 303
    assert client.get("/staff/dashboard/heard.csv").status_code == 403


# The demo data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_client(demo):
    add_user(demo.rt, "dashboard-demo@example.org", "analyst")
    client = demo.app.test_client()
    sign_in(client, "dashboard-demo@example.org")
    return client


@pytest.mark.parametrize("dimension", ["ethnic_group", "gender", "disability", "age", "ward"])
def test_the_demo_dashboard_names_the_comparisons_its_place_holds(demo, demo_client, dimension):
    page = demo_client.get("/staff/").get_data(as_text=True)
    heard = page[page.index('id="heard"'):page.index('id="progress"')]
    setting = dashboard.assembly_setting(demo.rt.settings)
    for table in setting.place.tables_for(dimension):
        assert f">{table.title}</h3>" in heard, table.title
        assert table.table in heard


def test_the_demo_dashboard_says_where_to_go_next(demo, demo_client):
    page = demo_client.get("/staff/").get_data(as_text=True)
    top = page[page.index('id="where-next"'):page.index('id="surveys"')]
    assert top.count("more responses from this group would bring it to parity") >= 1
    ranked = download(demo_client, "where-next", survey="neighbourhood-policing")[1:]
    figures = [int(r[7].split()[-1].replace(",", "")) for r in ranked]
    assert figures == sorted(figures, reverse=True) and figures


def test_the_dashboard_and_the_pack_give_the_same_figures_on_the_demo_data(demo, demo_client):
    """One rule, one number: every comparison the pack prints for a survey, the dashboard
    shows with the same people, shares, population shares and verdicts."""
    with demo.rt.sessions() as session:
        slugs = {s.title: s.slug for s in dashboard.survey_rows(session)}
    pack_rows = set()
    for block in demo.data["representation"]["surveys"]:
        slug = slugs[block["title"]]
        for comparison in block["comparisons"]:
            if comparison["shown"]:
                pack_rows |= {(slug, comparison["title"], row["label"], row["people"],
                               row["share"] or "", _figure(row["reference"]),
                               row["to_parity"] or "") for row in comparison["rows"]}
        board = download(demo_client, "heard", survey=slug)
        header = board[0]
        at = {name: header.index(name) for name in header}
        shown = {(slug, r[at["Comparison"]], r[at["Group"]], r[at["People"]], r[at["Share"]],
                  _figure(r[at["Reference share"]]), r[at["More responses to parity"]])
                 for r in board[1:]}
        mine = {row for row in pack_rows if row[0] == slug}
        assert mine == shown, sorted(mine ^ shown)[:6]
    assert {row[0] for row in pack_rows} >= {"neighbourhood-policing"}


def _figure(text: str | None) -> str:
    """A population share as either reader prints it; without one, the pack says so in words
    ("no figure") where the dashboard's CSV leaves the cell empty."""
    return "" if text in (None, "", "no figure") else text
