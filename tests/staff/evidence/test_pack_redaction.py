"""Redaction end to end (issue 18): a pack built from answers that ALL carry identifying
details — every category the redactor knows, in six languages, with their English from the
worker's translation job through the real client and a local fake LibreTranslate — shows
none of them anywhere, and does show the answers, redacted. Built once more without
redaction, the same check finds the details: the test cannot pass by quoting nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.conversations import Inbound, handle
from bot.translating import PendingTranslations
from staff.evidence import pack
from store.db import transaction
from store.models import Alert, Answer
from tests.fakes.libretranslate import FakeLibreTranslate
from tests.helpers.engagers import add_engager
from tests.helpers.members import import_members
from tests.helpers.staff import add_response
from translations import translate

RESIDENTS, YOUTH = "neighbourhood-policing", "youth-voice"
# (survey, question, language, as typed, its English from the fake translator)
ANSWERS = [
    (RESIDENTS, "build_trust", "en",
     "My name is Tom Lee, ring 07700 900123, the police should do more patrols on foot", None),
    (RESIDENTS, "build_trust", "en",
     "I'm Aisha Begum from Cathall Road and the police never followed up when we were burgled",
     None),
    (RESIDENTS, "build_trust", "en",
     "my daughter Amelia (12) goes to Walthamstow Academy, police should visit schools more",
     None),
    (RESIDENTS, "build_trust", "en",
     "email jo at example dot com, I complained twice about stop and search and nothing", None),
    (RESIDENTS, "build_trust", "en",
     "seven seven zero zero nine zero zero one two three, we need more officers please", None),
    (RESIDENTS, "build_trust", "en",
     "Kwame Mensah and Grace Adeyemi say the police should work with the council and charities",
     None),
    (RESIDENTS, "build_trust", "pl",
     "Nazywam się Anna Kowalska, mieszkam przy Hoe Street 14, policja nigdy nie oddzwoniła",
     "My name is Anna Kowalska, I live at Hoe Street 14, the police never called back"),
    (RESIDENTS, "build_trust", "ro",
     "fiul meu Andrei (14) a fost oprit și percheziționat de poliție, sunați la 07700 900456",
     "my son Andrei (14) was stopped and searched by police, call 07700 900456"),
    (RESIDENTS, "build_trust", "bg",
     "Казвам се Иван Петров, снап: ivan.p, полицията трябва да патрулира пеша",
     "My name is Ivan Petrov, snap: ivan.p, the police should patrol on foot"),
    (RESIDENTS, "build_trust", "tr",
     "Benim adım Mehmet Yılmaz, Cathall Road'da oturuyoruz, polis hiç geri dönmedi",
     "My name is Mehmet Yilmaz, we live on Cathall Road, the police never came back"),
    (RESIDENTS, "build_trust", "ur",
     "میرا نام احمد خان ہے، میرا نمبر 07700 900789 ہے، پولیس کو پیدل گشت کرنا چاہیے",
     "My name is Ahmed Khan, my number is 07700 900789, police should patrol on foot"),
    (YOUTH, "assembly_message", "en",
     "my friend Kai Brown (15) goes to Leyton Sixth Form College and police stop young "
     "people there all the time, insta @kai.b_15", None),
    (YOUTH, "assembly_message", "pl",
     "Jestem Zosia Nowak, mój snap to zosia_n09, policja powinna rozmawiać z młodzieżą",
     "I'm Zosia Nowak, my snap is zosia_n09, police should talk to young people"),
]
DETAILS = ["Tom Lee", "07700 900123", "900123", "Aisha", "Begum", "Cathall Road", "Amelia",
           "Walthamstow Academy", "jo at example", "example dot com",
           "seven seven zero zero", "Kwame", "Mensah", "Grace", "Adeyemi", "Anna", "Kowalska",
           "Hoe Street 14", "Andrei", "900456", "Иван", "Петров", "Ivan", "Petrov", "ivan.p",
           "Mehmet", "Yılmaz", "Yilmaz", "احمد", "خان", "Ahmed", "Khan", "900789", "Kai",
           "Brown", "Leyton Sixth Form", "kai.b_15", "Zosia", "Nowak", "zosia_n09"]
DISCLOSURE = "my stepdad hits me, the police should do more patrols on foot near our flats"
PATROLS = "the police should do more patrols on foot near the station at night"
# ("Cathall" alone is a ward's name, which the pack shows in its table of wards.)


class NoRedaction:
    """What the pack would be if its redaction call were removed."""

    def redact(self, text: str) -> str:
        return text


def visible(html: str) -> str:
    text = re.sub(r"<(svg|style)\b.*?</\1>", " | ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " | ", text))


def surviving(html: str) -> list[str]:
    """The details found in the page, as a reader sees it or in its source."""
    text = visible(html)
    return [d for d in DETAILS if re.search(rf"(?<!\w){re.escape(d)}(?!\w)", text)
            or re.search(rf"(?<!\w){re.escape(d)}(?!\w)", unescape(html))]


@pytest.fixture
def libretranslate():
    with FakeLibreTranslate({typed: english for *_, typed, english in ANSWERS if english}
                            ) as fake:
        yield fake


@pytest.fixture
def answered(rt, surveys, clock, libretranslate):
    add_engager(rt, "K7P2QX", name="Kwame Mensah")
    import_members(rt, "Grace Adeyemi,+447700900999,,en,sms,")
    trust = {RESIDENTS: ("trust", 2), YOUTH: ("trust_police", "not_really")}
    for slug, question, language, typed, english in ANSWERS:
        response = add_response(rt, slug, language=language,
                                answers={question: typed, trust[slug][0]: trust[slug][1]})
        with transaction(rt.sessions) as session:
            session.execute(update(Answer).where(
                Answer.response_id == response, Answer.question_id == question).values(
                text_language=language, translation_status=None if english is None
                else "pending"))
    translator = translate.build("libretranslate", libretranslate.url)
    try:
        assert PendingTranslations(rt, translator).run(clock()) == sum(
            1 for *_, english in ANSWERS if english)
    finally:
        translator.close()


def build(rt, clock, redactor=None) -> tuple[dict, str]:
    with rt.sessions() as session:
        data = pack.build(session, clock(), ZoneInfo("Europe/London"), redactor=redactor)
    return data, pack.render(data)


def quotes(data: dict) -> list[dict]:
    return [q for row in data["themes"]["rows"] for q in row["quotes"]] + data["youth"]["quotes"]


def test_no_detail_survives_anywhere_in_the_pack(rt, clock, answered):
    data, html = build(rt, clock)
    assert surviving(html) == []


def test_the_answers_are_quoted_redacted_originals_and_english(rt, clock, answered):
    data, html = build(rt, clock)
    shown = quotes(data)
    assert len(shown) >= 8
    assert len({q["lang"] for q in shown}) >= 4
    assert all("removed]" in q["text"] for q in shown)
    translated = [q for q in shown if q["english"]]
    assert len(translated) >= 3 and all("removed]" in q["english"] for q in translated)
    text = visible(html)
    assert all(q["text"] in text for q in shown)
    for mark in ("[name removed]", "[phone number removed]", "[address removed]",
                 "[school removed]", "[handle removed]", "[e-mail removed]"):
        assert mark in text, mark


def test_without_the_redaction_call_the_same_check_fails(rt, clock, answered):
    """Not vacuous: the pack built with redaction left out shows the details."""
    _, html = build(rt, clock, redactor=NoRedaction())
    found = surviving(html)
    assert len(found) >= 10
    assert {"Aisha", "Ahmed", "Иван"} & set(found)



def test_a_members_disclosure_is_never_quoted(rt, clock, surveys):
    """An assembly member who discloses harm while answering raises a wellbeing alert (it
    goes to the wellbeing lead): their words are a disclosure all the same, never quoted."""
    import_members(rt, "Grace Adeyemi,+447700900999,,en,sms,")
    said = ["SAFETY", "YES", "3", "2", "1,3", "2", "no", "2", DISCLOSURE, "2", "12",
            "25 to 34", "Leyton", "Cathall", "Woman", "Asian", "Yes, a lot"]
    for text in said:
        clock.advance(timedelta(minutes=2))
        handle(rt, Inbound("sms", "+447700900999", text))
    with rt.sessions() as session:
        assert session.scalars(select(Alert.kind)).all() == ["wellbeing"]
    data, html = build(rt, clock)
    assert DISCLOSURE not in unescape(html)
    # Not vacuous: an answer like it from someone who raised no alert is quoted.
    add_response(rt, RESIDENTS, answers={"build_trust": PATROLS, "trust": 2})
    data, html = build(rt, clock)
    assert PATROLS in unescape(html) and DISCLOSURE not in unescape(html)
