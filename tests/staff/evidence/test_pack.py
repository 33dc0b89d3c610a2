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

from demo.seed import seed
from staff.evidence import pack, redact, representation
from store.models import Address, Alert, Engager
from tests.helpers.staff import add_response
from tests.helpers.surveys import load_surveys
from translations import data as language_files


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
    text = visible(demo.html)
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


def test_small_numbers_are_suppressed(demo):
    text = visible(demo.html)
    assert "fewer than 5" in text
    wards = {cell.label: cell.text for cell in demo.data["representation"]["wards"].cells}
    assert wards["Endlebury"] in ("none", "fewer than 5")
    for cell in demo.data["representation"]["wards"].cells:
        assert cell.count is None or cell.count == 0 or cell.count >= 5


def _wards_in_gaps(gaps: list[str], opening: str) -> list[str]:
    said = [g for g in gaps if g.startswith(opening)]
    return [w.strip() for g in said for w in g.split(": ", 1)[1].rstrip(".").split(",")]


def test_the_ward_gaps_say_what_the_ward_table_shows(demo):
    """"No one answered" only for a ward the table shows as "none", "fewer than 5" only for
    one it shows so: the gaps never tell a hidden 1-4 from a 0, nor call a 0 "fewer"."""
    gaps = demo.data["representation"]["gaps"]
    shown = {cell.label: cell.text for cell in demo.data["representation"]["wards"].cells}
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
    """The first two wards of the reference file answer `answers`, the others 10 each."""
    reference = representation.load()
    names = reference["wards"]
    counts = Counter({w: 10 for w in names})
    counts.update({names[i]: n - 10 for i, n in enumerate(answers)})
    wards = representation.wards(reference, counts, 0)
    gaps = representation.ward_gaps(wards)
    shown = {cell.label: cell.text for cell in wards.cells}
    assert _wards_in_gaps(gaps, "No one answered from") == [names[i] for i in none]
    assert _wards_in_gaps(gaps, "Fewer than 5 answered from") == [names[i] for i in fewer]
    assert all(shown[names[i]] == "none" for i in none)
    assert all(shown[names[i]] == "fewer than 5" for i in fewer)
    if none:
        assert f"of the {len(names)} wards" in gaps[0]


def test_the_gaps_are_said_plainly(demo):
    gaps = demo.data["representation"]["gaps"]
    assert any(g.startswith("Under-represented: 65 and over") for g in gaps)
    assert any("Endlebury" in g for g in gaps)
    comparisons = {c.id: c for c in demo.data["representation"]["comparisons"]}
    assert comparisons["age"].has_reference and comparisons["languages"].rescaled
    assert not comparisons["gender"].has_reference
    assert "Load ONS table TS008" in comparisons["gender"].why_no_reference


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


def test_the_youth_voice_section(demo):
    youth = demo.data["youth"]
    assert youth["quotes"] and youth["log_questions"]
    assert youth["under_13"] == "7"
    assert "Under 13" not in [c.label for q in youth["questions"] for c in q["table"].cells]
    assert demo.data["gathering"]["engagers"] == "6"


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
        html = pack.render(pack.build(session, rt.now(), rt.settings.timezone))
    assert "no dates yet" in html and "residents answered" in html
    load_surveys(rt)
    with rt.sessions() as session:
        html = pack.render(pack.build(session, rt.now(), rt.settings.timezone))
    assert "so nothing is shown" in html


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
