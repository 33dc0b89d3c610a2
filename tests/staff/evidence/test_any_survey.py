"""A council's own residents' survey in the evidence pack, exactly as the shipped one.

The council writes its survey (another slug, other question ids and wording, the same roles
declared), loads it with `outreach surveys load` from its own SURVEYS_DIR, and residents
answer it by text message through the bot. The same fifteen people's answers, given to the
shipped survey, make the pack the shipped survey would. `outreach evidence-pack` must show
the council's closed questions, its comparisons with the place, its themes and its quotes,
with the same numbers, statuses, citations and captions. And no module of the pack or the
dashboard names a shipped survey or question."""

from __future__ import annotations

import ast
import csv
import io
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update

import assembly
from app import create_app
from bot.conversations import Inbound, handle
from staff.evidence import pack
from store.db import transaction
from store.models import Answer
from surveys.model import ROLES, Questionnaire
from tests.helpers.cli import outreach
from tests.helpers.staff import add_response, add_user, sign_in
from tests.helpers.surveys import ROOT, SHIPPED, definition

WARDS = [c.label for c in assembly.load().place.tables_for("ward")[0].categories]
WARD_IDS = [c.id for c in assembly.load().place.tables_for("ward")[0].categories]
BANDS = [("13-15", "13 to 15"), ("16-24", "16 to 24"), ("25-34", "25 to 34"),
         ("35-44", "35 to 44"), ("45-54", "45 to 54"), ("55-64", "55 to 64"),
         ("65-74", "65 to 74"), ("75+", "75 and older")]
IDEAS = ["More officers on foot in the park at night please",
         "Better training for officers on mental health and calming people down",
         "Answer the phone when we call 101 and keep us informed",
         "Police should work with the council and youth clubs together",
         "I reported a burglary and nobody ever called me back"]


def council_survey() -> dict:
    """The council's own survey: its slug, ids and words, the shipped survey's roles."""
    return {
        "slug": "safer-streets-2026", "title": "Safer streets in our borough",
        "audience": "residents", "language": "en", "keyword": "STREETS",
        "intro": "Hello from the council. A few questions about policing where you live.",
        "consent": "Your answers are reported only as totals. Reply YES to take part.",
        "screen_out": "Thank you! This survey is for people aged 13 and over.",
        "outro": "Thank you.",
        "questions": [
            {"id": "q_confidence", "type": "scale", "role": "headline", "min": 1, "max": 5,
             "measure": "Trust in the police",
             "text": "How far do you trust your local police? 1 = not at all, 5 = completely"},
            {"id": "q_patrols", "type": "choice",
             "text": "How often do you see officers walking your street?",
             "choices": [{"id": "often", "text": "Often"}, {"id": "seldom", "text": "Seldom"}]},
            {"id": "q_change", "type": "text", "role": "themes", "optional": True,
             "text": "What one change would win your confidence in the police?"},
            {"id": "q_years", "type": "choice", "role": "age", "optional": True,
             "text": "Which age group are you in?",
             "choices": [{"id": "a_child", "text": "Younger than 13", "ages": "0-12"},
                         *({"id": f"a_{n}", "text": f"Aged {words}", "ages": ages}
                           for n, (ages, words) in enumerate(BANDS)),
                         {"id": "a_none", "text": "Rather not say"}]},
            {"id": "q_sex", "type": "choice", "role": "gender", "optional": True,
             "text": "Are you", "choices": [
                 {"id": "f", "text": "Female", "reference": "female"},
                 {"id": "m", "text": "Male", "reference": "male"},
                 {"id": "o", "text": "Other"}]},
            {"id": "q_heritage", "type": "choice", "role": "ethnic_group", "optional": True,
             "text": "Which best describes your background?", "choices": [
                 {"id": f"h_{group}", "text": group.title(), "reference": group}
                 for group in ("asian", "black", "mixed", "white", "other")]},
            {"id": "q_health", "type": "choice", "role": "disability", "optional": True,
             "text": "Do health problems limit what you can do each day?", "choices": [
                 {"id": "d_yes", "text": "Yes", "reference": "disabled"},
                 {"id": "d_no", "text": "No", "reference": "not_disabled"}]},
            {"id": "q_home", "type": "choice", "role": "ward", "optional": True,
             "text": "Which ward is your home in?", "choices": [
                 {"id": f"w{n}", "text": label, "reference": ward}
                 for n, (label, ward) in enumerate(zip(WARDS, WARD_IDS, strict=True))]},
        ],
    }


# Fifteen residents: what each says, by what the question is for. The three who give an
# idea trust the police little, somewhat and a lot: one quote from each (a tie between
# answers would be broken by their numbers, which differ between the two databases).
PEOPLE = [{"headline": (1, 3, 5)[n // 5], "themes": IDEAS[n % 5] + f" in street {n}",
           "age": (30, 40, 70)[n % 3], "gender": "female" if n < 8 else "male",
           "ethnic_group": ("asian", "black", "white")[n % 3],
           "disability": "disabled" if n % 4 == 0 else "not_disabled",
           "ward": WARD_IDS[n % 3 + 1]} for n in range(15)]


def _choice(question, category: str):
    return next(c for c in question.choices if category in c.reference)


def _by_role(survey: Questionnaire, person: dict) -> dict:
    """A person's answers to a survey's role questions, as stored: their words, their
    headline score, their age band and the choices standing for their categories."""
    answers = {}
    for q in survey.questions:
        if q.role in ("headline", "themes"):
            answers[q.id] = person[q.role]
        elif q.role == "age":
            answers[q.id] = next(c.id for c in q.choices
                                 if c.ages and c.ages[0] <= person["age"] <= c.ages[1])
        elif q.role in ("gender", "ethnic_group", "disability", "ward"):
            choice = next((c for c in q.choices if person[q.role] in c.reference), None)
            if choice is not None:  # the wards are asked by area: one question holds it
                answers[q.id] = choice.id
    return answers


def _texts(survey: Questionnaire, person: dict) -> list[str]:
    """What a person texts to answer a survey, question by question."""
    given = _by_role(survey, person)
    texts = [survey.keyword, "YES"]
    for q in survey.questions:
        if q.role == "age":
            texts.append(str(person["age"]))
        elif q.role in ("headline", "themes"):
            texts.append(str(given[q.id]))
        elif q.id in given:
            texts.append(str([c.id for c in q.choices].index(given[q.id]) + 1))
        else:
            texts.append("1")
    return texts


def _app(config: dict, clock, folder: Path, name: str, **more):
    db = folder / f"{name}.db"
    return create_app({**config, "DATABASE_URL": f"sqlite:///{db}",
                       "INSTANCE_PATH": str(folder / name), **more}, clock=clock)


@pytest.fixture
def packs(config, clock, tmp_path, sqlite_template):
    """The council's pack (its survey loaded from its own folder and answered through the
    bot) and the shipped survey's pack from the same people: (data, html) each."""
    folder = tmp_path / "council-surveys"
    folder.mkdir()
    (folder / "safer-streets.yaml").write_text(yaml.safe_dump(council_survey()),
                                              encoding="utf-8")
    council = create_app({**config, "SURVEYS_DIR": str(folder),
                          "DEFAULT_SURVEY": "safer-streets-2026"}, clock=clock)
    loaded = outreach(council, "surveys", "load")
    assert loaded.exit_code == 0 and "safer-streets-2026: version 1 created" in loaded.output
    rt = council.extensions["outreach"]
    survey = Questionnaire.from_definition(council_survey())
    for n, person in enumerate(PEOPLE):
        for text in _texts(survey, person):
            handle(rt, Inbound("sms", f"+4477009004{n:02d}", text))

    shutil.copy(sqlite_template, tmp_path / "shipped.db")
    shipped = _app(config, clock, tmp_path, "shipped")
    assert outreach(shipped, "surveys", "load").exit_code == 0  # the shipped SURVEYS_DIR
    residents = Questionnaire.from_definition(definition(ROOT / "surveys" /
                                                         "neighbourhood-policing.yaml"))
    other = shipped.extensions["outreach"]
    for person in PEOPLE:
        add_response(other, residents.slug, answers=_by_role(residents, person))
    with transaction(other.sessions) as session:  # as the bot stores typed words
        session.execute(update(Answer).where(
            Answer.question_id.in_([q.id for q in residents.with_role("themes")]))
            .values(text_language="en"))

    made = {}
    for name, app in (("council", council), ("shipped", shipped)):
        out = tmp_path / f"{name}.html"
        result = outreach(app, "evidence-pack", "--out", str(out))
        assert result.exit_code == 0, result.output
        runtime = app.extensions["outreach"]
        with runtime.sessions() as session:
            data = pack.build(session, runtime.now(), runtime.settings.timezone)
        made[name] = (data, out.read_text(encoding="utf-8"))
        add_user(runtime, f"{name}@example.org", "analyst")
        client = app.test_client()
        sign_in(client, f"{name}@example.org")
        slug = council_survey()["slug"] if name == "council" else residents.slug
        board = client.get(f"/staff/dashboard/heard.csv?survey={slug}")
        assert board.status_code == 200
        made[f"{name}-board"] = list(csv.reader(io.StringIO(
            board.get_data(as_text=True).lstrip("\ufeff"))))
    yield made
    for app in (council, shipped):
        app.extensions["outreach"].engine.dispose()


def _compared(data: dict) -> list[tuple]:
    """The residents' comparisons as numbers, statuses and citations (the labels are each
    survey's own words, the rows in its choices' order: the shipped survey asks the wards
    by area); the language answered in is left aside: the council's survey is offered in
    one language only."""
    [block] = data["representation"]["surveys"]
    return [(c["dimension"], c["citation"], c["compared"], c["why_not_compared"] is None,
             c["total"], c["left_out_text"], c["rescaled"],
             sorted((r["people"], r["share"], r["reference"], r["status"] or "", r["to_parity"])
                    for r in c["rows"]))
            for c in block["comparisons"] if c["dimension"] != "language"]


def _rows(data: dict, dimension: str) -> dict[str, str]:
    [block] = data["representation"]["surveys"]
    [c] = [c for c in block["comparisons"] if c["dimension"] == dimension]
    return {r["label"]: r["people"] for r in c["rows"]}


def _visible(html: str) -> str:
    text = re.sub(r"<(svg|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def test_a_councils_own_survey_is_in_the_pack_exactly_as_the_shipped_one(packs):
    council, council_html = packs["council"]
    shipped, _ = packs["shipped"]
    assert council["gathering"]["residents"] == shipped["gathering"]["residents"] == "15"

    # who answered, against the place: the same comparisons, each cited
    compared = _compared(council)
    assert compared == _compared(shipped)
    assert {c[0] for c in compared} == {"age", "gender", "ethnic_group", "disability", "ward"}
    assert all(c[2] for c in compared if c[0] != "ward")
    assert _rows(council, "ward") == _rows(shipped, "ward")  # the wards by their names
    [block] = council["representation"]["surveys"]
    assert block["title"] == "Safer streets in our borough"
    labels = {c["dimension"]: [r["label"] for r in c["rows"]] for c in block["comparisons"]}
    assert labels["gender"] == ["Female", "Male"] and labels["age"][0] == "Aged 25 to 34"
    text = _visible(council_html)
    for c in block["comparisons"]:
        assert f"Source: {c['citation']['table']}, {c['citation']['title']}" in text
    gaps = council["representation"]["gaps"]
    said = [g for g in gaps if g.startswith(("Under-represented", "Over-represented"))]
    assert said and len(said) == sum(r[3] in ("under", "over") for c in compared for r in c[7])
    assert all(g in text for g in gaps)
    def unheard(gaps):  # the wards no one answered from, as a set: each survey's order
        return [(g.split(":")[0], set(g.split(": ", 1)[1].rstrip(".").split(", ")))
                for g in gaps if "Electoral wards" in g]
    assert unheard(gaps) and unheard(gaps) == unheard(shipped["representation"]["gaps"])

    # its closed questions: every one but free text and who they are
    assert [q["id"] for q in council["questions"]] == [
        "safer-streets-2026-q_confidence", "safer-streets-2026-q_patrols"]
    trust = {q["id"].rsplit("-", 1)[1]: q for q in shipped["questions"]}["trust"]
    mine = council["questions"][0]
    assert [(c.text, c.share_text) for c in mine["table"].cells] == [
        (c.text, c.share_text) for c in trust["table"].cells]
    assert [[(r["n"], r["mean"]) for r in b["rows"]] for b in mine["breakdowns"]] == [
        [(r["n"], r["mean"]) for r in b["rows"]] for b in trust["breakdowns"]]
    assert "How far do you trust your local police?" in text
    assert "How often do you see officers walking your street?" in text

    # its themes and quotes, with the headline answer as the measure says it
    def themes(data):
        return [(r["id"], r["residents"], r["all"]["text"],
                 [(q["text"], q["source"], q["language"], q["headline"]) for q in r["quotes"]])
                for r in data["themes"]["rows"]]
    assert themes(council) == themes(shipped)
    quotes = [q for r in council["themes"]["rows"] for q in r["quotes"]]
    assert quotes and all(re.fullmatch(r"Trust in the police: [1-5] of 5", q["headline"])
                          for q in quotes)
    for q in quotes:
        assert q["text"] in text and f"Resident, in English; {q['headline']}" in text
    assert council["themes"]["questions"] == [{
        "source": "Resident", "survey": "Safer streets in our borough",
        "text": "What one change would win your confidence in the police?"}]


def test_a_councils_own_survey_is_on_the_dashboard_exactly_as_the_shipped_one(packs):
    """The dashboard's comparisons (its CSV) of the council's survey: the same tables,
    numbers, shares, population shares, verdicts and parity as the shipped survey's."""
    def figures(rows: list[list[str]]) -> list[tuple]:
        at = {name: i for i, name in enumerate(rows[0])}
        keep = ("Table", "People", "Share", "Reference share", "Status",
                "More responses to parity")
        return sorted(tuple(r[at[k]] for k in keep) for r in rows[1:]
                      if "language" not in r[at["Comparison"]].lower())
    council, shipped = figures(packs["council-board"]), figures(packs["shipped-board"])
    assert council and council == shipped
    assert {row[0] for row in council} >= {"TS021", "TS009", "TS038"}


def test_surveys_without_responses_and_members_surveys_are_left_out(packs):
    council, _ = packs["council"]
    shipped, _ = packs["shipped"]
    assert [s["title"] for s in council["gathering"]["surveys"]] == [
        "Safer streets in our borough"]
    assert [s["audience"] for s in shipped["gathering"]["surveys"]] == ["Residents"]
    assert shipped["youth"]["responses"] == shipped["gathering"]["logs"] == "no"


# No survey named in the code -------------------------------------------------------------

CODE = [ROOT / "staff" / "dashboard.py", *sorted((ROOT / "staff" / "evidence").glob("*.py"))]


def _shipped_names() -> tuple[set[str], set[str]]:
    """The shipped surveys' slugs, and their question ids that are not role names (a
    question may be called what it is for: `gender`, `themes`)."""
    surveys = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in SHIPPED]
    ids = {q["id"] for s in surveys for q in s["questions"]} - set(ROLES)
    return {s["slug"] for s in surveys}, ids


def _strings(path: Path) -> list[str]:
    """Every string the module holds: literals, f-string parts, docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def _named(path: Path) -> set[str]:
    """The shipped slugs a module's strings hold anywhere, and the question ids they hold
    whole (`"trust"`) or, for an id with `_` (no English word has one), as a word of a
    longer text ("reads build_trust")."""
    slugs, ids = _shipped_names()
    named = set()
    for text in _strings(path):
        named |= {slug for slug in slugs if slug in text}
        words = set(re.findall(r"[a-z0-9_]+", text))
        named |= {i for i in ids if text == i or ("_" in i and i in words)}
    return named


@pytest.mark.parametrize("path", CODE, ids=lambda p: p.name)
def test_no_module_of_the_pack_or_the_dashboard_names_a_shipped_survey_or_question(path):
    assert _named(path) == set()


def test_the_check_finds_a_slug_or_a_question_id(tmp_path):
    slugs, ids = _shipped_names()
    plain = sorted(i for i in ids if "_" not in i)[0]
    joined = sorted(i for i in ids if "_" in i)[0]
    module = tmp_path / "named.py"
    module.write_text(f'A = "{sorted(slugs)[0]}/x"\nB = ("x", "{plain}")\n'
                      f'"""Reads {joined}."""\nC = "a {plain} word is fine"\n')
    assert _named(module) == {sorted(slugs)[0], plain, joined}
