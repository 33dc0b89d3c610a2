"""The evidence pack from the demo data: nobody recognisable in it (no phone number, chat
id, engager name or code, e-mail, postcode; small numbers suppressed), one self-contained
page, every section there; and it is built on both engines and from an empty database."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape

import pytest
import yaml
from sqlalchemy import select

import assembly
from demo.seed import seed
from staff import heard
from staff.evidence import pack, redact
from store.models import Address, Alert, Engager
from surveys.model import DIMENSION_ROLES, Questionnaire
from tests.helpers.staff import add_response
from tests.helpers.surveys import ROOT, definition, load_surveys
from translations import data as language_files

SHIPPED_RESIDENTS = ROOT / "surveys" / "neighbourhood-policing.yaml"
SHIPPED_YOUTH = ROOT / "surveys" / "youth-voice.yaml"
RESIDENTS_TITLE = definition(SHIPPED_RESIDENTS)["title"]
YOUTH_TITLE = definition(SHIPPED_YOUTH)["title"]


def visible(html: str) -> str:
    """The words a reader sees, each element's apart: no charts' drawing, no tags."""
    text = re.sub(r"<(svg|style)\b.*?</\1>", " | ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " | ", text))


def forbidden(rt) -> list[str]:
    """Everything that identifies a person or an engager, as stored and as people write it."""
    with rt.sessions() as session:
        found = []
        for value in session.scalars(select(Address.value)):
            found.append(value)
            if value.startswith("+44"):
                national = "0" + value[3:]
                found += [national, f"{national[:5]} {national[5:]}", value[1:]]
        for name, code in session.execute(select(Engager.name, Engager.code)):
            found += [name, code, *name.split()]
    return found


def test_no_phone_number_chat_id_token_or_engager_appears(demo):
    html = demo.html
    present = [item for item in forbidden(demo.rt)  # `in` first: a regex each took 26 s
               if item in html and re.search(rf"(?<![\w-]){re.escape(item)}(?![\w-])", html)]
    assert present == []


def test_the_text_holds_no_phone_number_email_or_postcode(demo):
    """(The tables' citations are left out: the place file's published addresses and codes,
    such as a commit's hash, checked in tests/assembly.)"""
    text = visible(re.sub(r'<p class="note cite">.*?</p>', " ", demo.html, flags=re.S))
    assert text.count("Source: ") == 0 and "Source: " in visible(demo.html)
    assert redact._phone_spans(text) == []
    assert not redact._EMAIL.search(text)
    assert not redact._POSTCODE.search(text)


def test_what_residents_typed_about_themselves_never_appears(demo):
    text = visible(demo.html)
    for phrase in ("John Smith", "jo.bloggs", "E17 4AB", "900123", "Dave Jones",
                   "Anna Kowalska", "anna.k@", "Ion Popescu", "Иван Петров", "احمد خان",
                   "14 Hoe Street", "22 Markhouse Road", "Zara", "Kacper"):
        assert phrase not in text, phrase


def test_answers_that_raised_an_alert_are_never_quoted(demo):
    with demo.rt.sessions() as session:
        alerted = session.scalars(select(Alert.text)).all()
    assert alerted and not [text for text in alerted if text in demo.html]


def test_the_page_is_self_contained(demo):
    html = demo.html.lower()
    for needle in ("http://", "https://", "<script", "<img", "<link", "<iframe", "@import",
                   "url(", " src=", "<object", "<embed", "font-face"):
        assert needle not in html, needle
    assert html.count("<svg") == len(re.findall(r'<svg role="img" aria-label="', demo.html))


def test_every_chart_has_its_numbers_in_a_table(demo):
    for question in demo.data["questions"] + demo.data["youth"]["questions"]:
        assert question["chart"] and question["table"].shown
        assert f'id="{question["id"]}"' in demo.html


def _block(data: dict, title: str) -> dict:
    return next(b for b in data["representation"]["surveys"] if b["title"] == title)


def _comparisons(data: dict, title: str = RESIDENTS_TITLE) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for c in _block(data, title)["comparisons"]:
        found.setdefault(c["dimension"], []).append(c)
    return found


def test_small_numbers_are_suppressed(demo):
    text = visible(demo.html)
    assert "fewer than 5" in text
    [wards] = _comparisons(demo.data)["ward"]
    shown = {row["label"]: row["people"] for row in wards["rows"]}
    assert shown["Endlebury"] in ("none", "fewer than 5")
    for c in (c for found in _comparisons(demo.data).values() for c in found):
        for row in c["rows"]:
            n = row["people"].replace(",", "")
            assert not n.isdigit() or int(n) >= 5, (c["title"], row)


def _wards_in_gaps(gaps: list[str], opening: str) -> list[str]:
    said = [g for g in gaps if g.startswith(opening)]
    return [w.strip() for g in said for w in g.split(": ", 1)[1].rstrip(".").split(",")]


def test_the_ward_gaps_say_what_the_ward_table_shows(demo):
    """"No one answered" only for a ward the table shows as "none", "fewer than 5" only for
    one it shows so: the gaps never tell a hidden 1-4 from a 0, nor call a 0 "fewer"."""
    gaps = demo.data["representation"]["gaps"]
    [wards] = _comparisons(demo.data)["ward"]
    shown = {row["label"]: row["people"] for row in wards["rows"]}
    none = _wards_in_gaps(gaps, "No one answered from")
    fewer = _wards_in_gaps(gaps, "Fewer than 5 answered from")
    assert none or fewer
    assert sorted(none) == sorted(w for w, text in shown.items() if text == "none")
    assert sorted(fewer) == sorted(w for w, text in shown.items() if text == "fewer than 5")
    text = visible(demo.html)
    for ward in none:
        assert "No one answered from" in text and ward in text


@pytest.mark.parametrize(("answers", "none", "fewer"), [
    ((0, 3), [0], [1]),
    ((0, 0), [0, 1], []),
    ((4, 1), [], [0, 1]),
])
def test_no_one_and_fewer_than_5_are_told_apart_as_the_table_shows_them(answers, none, fewer):
    """The first two wards the survey maps answer `answers`, the others 10 each: the
    pack's gaps are the one rule's (staff/heard.py), read from the cells as shown."""
    survey = Questionnaire.from_definition(definition(SHIPPED_RESIDENTS))
    [plan] = [p for p in heard.plans(survey, assembly.load().place) if p.dimension == "ward"]
    names = [g.label for g in plan.groups]
    counts = Counter({k: 10 for g in plan.groups for k in g.keys})
    for i, n in enumerate(answers):
        counts[plan.groups[i].keys[0]] = n
    comparison = heard.compare(plan, counts)
    gaps = heard.gaps(comparison)
    shown = {row.label: row.cell.text for row in comparison.rows}
    assert _wards_in_gaps(gaps, "No one answered from") == [names[i] for i in none]
    assert _wards_in_gaps(gaps, "Fewer than 5 answered from") == [names[i] for i in fewer]
    assert all(shown[names[i]] == "none" for i in none)
    assert all(shown[names[i]] == "fewer than 5" for i in fewer)
    if none:
        assert f"of the {len(names)} in" in gaps[0]


def test_the_gaps_are_said_plainly(demo):
    gaps = demo.data["representation"]["gaps"]
    assert any(g.startswith("Under-represented: 75 or over") for g in gaps)
    assert any("Endlebury" in g for g in gaps)
    found = _comparisons(demo.data)
    [age] = found["age"]
    assert age["compared"] and age["rescaled"] and age["citation"]["base"] in gaps[0]
    assert {"13 to 15", "16 to 24", "Prefer not to say"} == set(age["left_out"])
    [wards] = found["ward"]
    assert not wards["compared"] and "not in this file" in wards["why_not_compared"]
    assert "Not compared: Census 2021 populations for the 22 wards" in visible(demo.html)


def test_every_dimension_the_residents_survey_declares_is_compared_with_its_table(demo):
    """Age, gender, ethnic group, disability and ward from the questions' roles, and the
    language answered in; each with its table's citation, printed without a scheme."""
    found = _comparisons(demo.data)
    survey = Questionnaire.from_definition(definition(SHIPPED_RESIDENTS))
    declared = {q.role for q in survey.questions if q.role in DIMENSION_ROLES}
    assert set(found) == declared | {"language"}
    for dimension in ("gender", "ethnic_group", "disability"):
        [c] = found[dimension]
        assert c["compared"] and all(r["reference"].endswith("%") for r in c["rows"])
    by_code = {c["citation"]["table"]: c for cs in found.values() for c in cs}
    assert {"TS021", "TS009", "TS038", "TS024"} <= set(by_code)
    ethnic = by_code["TS021"]["citation"]
    assert not ethnic["url"].startswith("http") and ethnic["url"] in demo.html
    assert ethnic["date"] == "21 March 2021"  # as a reader says it (2021-03-21 in the file)
    assert f"Source: TS021, {ethnic['title']} ({ethnic['date']}; {ethnic['base']})" in (
        visible(demo.html).replace(" | ", ""))
    assert demo.data["representation"]["place"] == assembly.load().place.name


def test_the_youth_survey_is_compared_on_its_age_bands_or_says_why_not(demo):
    """The youth survey's bands (13-15, 16-17, 18-24) tile no published band: not compared,
    the reason the one rule gives; the language answered in is compared for residents only."""
    found = _comparisons(demo.data, YOUTH_TITLE)
    assert set(found) == {"age"}
    [age] = found["age"]
    assert not age["compared"] and not age["rows"]
    assert age["why_not_compared"].startswith("The survey's answers do not match")
    assert "Not compared: " + age["why_not_compared"] in visible(demo.html).replace(" | ", "")


def test_every_theme_is_counted_and_quoted_in_the_original_and_english(demo):
    themes = demo.data["themes"]
    assert [row["id"] for row in themes["rows"]] == [
        "recruitment", "training", "accountability", "victim_support", "youth_engagement",
        "partnerships", "communication", "visibility"]
    quoted_languages = set()
    for row in themes["rows"]:
        assert row["all"]["share"] and 1 <= len(row["quotes"]) <= 3
        for quote in row["quotes"]:
            assert quote["is_english"] or quote["english"]
            quoted_languages.add(quote["lang"])
    assert len(quoted_languages) >= 4
    quotes = [q["text"] for row in themes["rows"] for q in row["quotes"]]
    assert len(quotes) == len(set(quotes))


def test_what_no_rule_codes_is_counted_with_its_phrases(demo):
    themes = demo.data["themes"]
    assert themes["uncoded"]["share"] > 0
    phrases = dict(themes["phrases"])
    assert "drug dealing" in phrases and all(n >= 5 for n in phrases.values())


def test_each_quote_says_its_source_by_audience_and_its_headline_answer(demo):
    """"Resident" / "Young person" / "Peer conversation log", and the same response's
    headline answer as its measure says it: a scale "2 of 5", a choice its words."""
    residents = [q for row in demo.data["themes"]["rows"] for q in row["quotes"]]
    assert {q["source"] for q in residents} <= {"Resident", "Young person",
                                                 "Peer conversation log"}
    assert all(re.fullmatch(r"Trust in the police: [1-5] of 5", q["headline"])
               for q in residents if q["source"] == "Resident")
    youth = Questionnaire.from_definition(definition(SHIPPED_YOUTH))
    [headline] = youth.with_role("headline")
    said = {f"{headline.measure}: {c.text}" for c in headline.choices}
    young = [q for q in demo.data["youth"]["quotes"] if q["source"] == "Young person"]
    assert young and all(q["headline"] in said | {""} for q in young)
    assert any(q["headline"] for q in young)
    text = visible(demo.html)
    assert f"Resident, in {residents[0]['language']}; {residents[0]['headline']}" in (
        text.replace(" | ", ""))


def test_the_closed_questions_are_every_residents_question_but_text_and_who_they_are(demo):
    survey = Questionnaire.from_definition(definition(SHIPPED_RESIDENTS))
    expected = [f"{survey.slug}-{q.id}" for q in survey.questions
                if q.type != "text" and q.role not in DIMENSION_ROLES]
    assert [q["id"] for q in demo.data["questions"]] == expected
    [age] = survey.with_role("age")
    scale = next(q for q in demo.data["questions"] if q["breakdowns"])
    by_age = next(b for b in scale["breakdowns"] if b["by"] == "age")
    assert [r["label"] for r in by_age["rows"]] == [
        c.text for c in age.choices if survey.screens_out(age, {age.id: c.id}) is None]


def test_the_youth_voice_section(demo):
    youth = demo.data["youth"]
    assert youth["quotes"] and youth["log_questions"]
    assert youth["under_13"] == "7" and youth["ages"] == "13 to 24"
    assert "Under 13" not in [c.label for q in youth["questions"] for c in q["table"].cells]
    # what a log records: its choices, not its reach (summed in gathering) nor a yes/no
    log = Questionnaire.from_definition(definition(ROOT / "surveys" / "peer-conversation-log.yaml"))
    assert [q["id"] for q in youth["log_questions"]] == [
        f"{log.slug}-{q.id}" for q in log.questions if q.type in ("choice", "multi")]
    assert demo.data["gathering"]["engagers"] == "6"
    assert demo.data["gathering"]["log_people"] == "294"


def test_every_demo_language_has_text_for_every_theme():
    for path in language_files.found("demo").values():
        bank = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(bank["residents"]) >= {
            "recruitment", "training", "accountability", "victim_support", "youth_engagement",
            "partnerships", "communication", "visibility", "uncoded", "personal"}, path


def test_the_pack_is_built_on_both_engines(rt):
    seed(rt)
    with rt.sessions() as session:
        data = pack.build(session, rt.now(), rt.settings.timezone)
    assert data["gathering"]["residents"] == "2,580"
    assert data["representation"]["gaps"] and data["themes"]["phrases"]
    assert "fewer than 5" in pack.render(data)


def test_a_pack_from_an_empty_database_says_so(rt):
    with rt.sessions() as session:
        data = pack.build(session, rt.now(), rt.settings.timezone)
    assert "no dates yet" in pack.render(data) and data["gathering"]["residents"] == "no"
    load_surveys(rt)  # surveys without a response are not in the pack
    with rt.sessions() as session:
        data = pack.build(session, rt.now(), rt.settings.timezone)
    html = visible(pack.render(data))
    assert data["gathering"]["surveys"] == [] and data["questions"] == []
    assert "No residents' survey has responses yet" in html
    assert "No young people's survey has responses yet" in html


def test_the_command_writes_the_file(app, tmp_path):
    seed(app.extensions["outreach"])
    out = tmp_path / "pack.html"
    result = app.test_cli_runner().invoke(args=["evidence-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote a draft pack" in result.output and "/staff/quotes" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize("question", ["Pick all that apply, e.g. 1,3",
                                      "1 = very unsafe, 5 = very safe",
                                      "Reply in your own words."])
def test_questions_are_headed_without_texting_instructions(demo, question):
    headings = [q["text"] for q in demo.data["questions"]]
    assert not [h for h in headings if question in h]


def test_a_few_partial_responses_cannot_be_worked_out_by_subtraction(rt, surveys):
    """"13 / 10 / fewer than 5" gave the 3 away: the completed count is not shown."""
    for n in range(13):
        add_response(rt, "neighbourhood-policing", complete=n >= 3,
                     answers={"safe_day": 4})
    with rt.sessions() as session:
        data = pack.build(session, rt.now(), rt.settings.timezone)
    html = pack.render(data)
    [row] = [r for r in html.split("<tr") if "Your say on neighbourhood policing" in r
             and "fewer than 5" in r]
    cells = re.findall(r'<td class="n">([^<]*)</td>', row)
    assert cells == ["13", "not shown", "fewer than 5"]
