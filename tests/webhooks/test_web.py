"""The web form /s/<slug>: the surveys walked one step per page, stored like any chat.

Every page a test sees is parsed and checked: html lang and dir, a title, one h1, no
script, every control labelled (its own label, or a fieldset with a legend) and every
aria-describedby pointing at an element that exists.
"""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from store.models import (
    Address,
    Answer,
    ConsentRecord,
    Contact,
    Erasure,
    Message,
    Response,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
RESIDENTS, YOUTH = "/s/neighbourhood-policing", "/s/youth-voice"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: list[Element]):
        self.tag, self.attrs, self.parents = tag, attrs, parents
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


class Page(HTMLParser):
    """A page's elements, each with its attributes, its text and its ancestors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.one_where(lambda e: e.attrs.get("id") == id_)

    def one_where(self, test) -> Element:
        found = [e for e in self.elements if test(e)]
        assert len(found) == 1, len(found)
        return found[0]

    @property
    def html_attrs(self) -> dict[str, str | None]:
        return self.one("html").attrs

    @property
    def hidden(self) -> dict[str, str | None]:
        return {e.attrs["name"]: e.attrs.get("value") for e in self.all("input", type="hidden")}

    @property
    def controls(self) -> list[Element]:
        return [e for e in self.elements if e.tag in ("textarea", "select")
                or (e.tag == "input" and e.attrs.get("type") != "hidden")]

    @property
    def question(self) -> str:
        """The legend of the form's fieldset, or the label of its one field."""
        legends = self.all("legend")
        if legends:
            return legends[0].text
        return self.one("label", **{"for": "answer"}).text

    @property
    def said(self) -> list[str]:
        return [e.text for e in self.all("p", **{"class": "said"})]

    def label(self, control: Element) -> str | None:
        labels = [e for e in self.all("label") if e.attrs.get("for") == control.attrs.get("id")]
        if labels and labels[0].text:
            return labels[0].text
        return None

    def value_of(self, label: str) -> str:
        """The value an option posts, found by the words on its label."""
        found = [c.attrs["value"] for c in self.controls if self.label(c) == label]
        assert len(found) == 1, (label, [self.label(c) for c in self.controls])
        return found[0]

    def error(self) -> Element | None:
        found = [e for e in self.elements if e.attrs.get("id") == "answer-error"]
        return found[0] if found else None


def checked(page: Page) -> Page:
    """Assert what every page of the form must be, and return it."""
    assert page.html_attrs["lang"] and page.html_attrs["dir"] in ("ltr", "rtl")
    assert page.one("title").text
    assert page.one("h1").text
    assert not page.all("script") and "<script" not in page.html.lower()
    ids = [e.attrs["id"] for e in page.elements if e.attrs.get("id")]
    assert len(ids) == len(set(ids)), ids
    for control in page.controls:
        fieldsets = [p for p in control.parents if p.tag == "fieldset"]
        legend = fieldsets and [e for e in page.all("legend") if fieldsets[-1] in e.parents]
        assert page.label(control) or (legend and legend[0].text), control.attrs
    for element in page.elements:
        for ref in (element.attrs.get("aria-describedby") or "").split():
            assert ref in ids, ref
    return page


class Browser:
    """One visitor with a cookie jar, reading each page and submitting its form."""

    def __init__(self, app):
        self.client = app.test_client()
        self.page: Page | None = None

    def open(self, url: str, **kwargs) -> Page:
        response = self.client.get(url, **kwargs)
        assert response.status_code == 200, response.status_code
        self.page = checked(Page(response.text))
        return self.page

    def post(self, data: dict):
        form = self.page.one("form")
        return self.client.post(form.attrs["action"], data=data)

    def send(self, answer=None, skip: bool = False, **fields) -> Page:
        data = {"csrf": self.page.hidden["csrf"], "step": self.page.hidden["step"], **fields}
        if answer is not None:
            data["answer"] = answer
        if skip:
            data["skip"] = "1"
        response = self.post(data)
        assert response.status_code == 303, response.status_code
        return self.open(response.headers["Location"])

    def choose(self, *labels: str) -> Page:
        return self.send([self.page.value_of(label) for label in labels])


def counts(rt) -> dict[str, int]:
    with rt.sessions() as db:
        return {model.__name__: db.scalar(select(func.count()).select_from(model))
                for model in (Contact, Address, Message, Response, Answer, ConsentRecord)}


def stored_answers(rt) -> dict[str, object]:
    with rt.sessions() as db:
        rows = db.scalars(select(Answer).order_by(Answer.id)).all()
    ids = [row.question_id for row in rows]
    assert len(ids) == len(set(ids)), ids
    return {row.question_id: row.value for row in rows}


def one_response(rt) -> Response:
    with rt.sessions() as db:
        return db.scalars(select(Response)).one()


@pytest.fixture
def browser(app, surveys) -> Browser:
    return Browser(app)


def start_demo(browser: Browser) -> Page:
    page = browser.open("/s/demo")
    assert page.question == "We keep your answers anonymous. Reply YES to take part."
    return page


# A whole survey ------------------------------------------------------------------------

RESIDENTS_EN = [
    # (the question the page asks, what the resident does)
    ("Your answers are kept apart", ("choose", "Yes")),
    ("How safe do you feel in your local area during the day?", ("choose", "4")),
    ("How safe do you feel in your local area after dark?", ("choose", "2")),
    ("What would make you feel safer?", ("choose", "Police on foot", "CCTV")),
    ("How much do you trust the police in Waltham Forest?", ("choose", "3")),
    ("In the last 12 months, have you had any contact", ("choose", "Yes")),
    ("Overall, how were you treated by the police that time?", ("choose", "Fairly well")),
    ("How often do you see neighbourhood police officers", ("choose", "About once a month")),
    ("What could the police do to earn your trust?", ("type", "Walk the streets and talk.")),
    ("Are there enough safe places and activities", ("choose", "Some, but not enough")),
    ("The last questions are about you, so we hear from every group.", ("type", "12")),
    ("How old are you?", ("choose", "25 to 34")),
    ("Where do you live?", ("choose", "Leyton/Leytonstone")),
    ("Which ward do you live in?", ("choose", "Leyton")),
    ("How would you describe your gender?", ("skip",)),
    ("What is your ethnic group?", ("choose", "White")),
    ("Does a disability or long-term condition limit", ("choose", "No")),
]


def test_the_residents_survey_completed_in_english_stores_every_answer_once(app, rt, browser):
    page = browser.open(RESIDENTS)
    assert page.html_attrs == {"lang": "en", "dir": "ltr"}
    assert page.one("h1").text == "Your say on neighbourhood policing"
    assert page.said == ["Hello from Waltham Forest Council and local police. This short "
                         "survey helps the Citizens' Assembly on neighbourhood policing. "
                         "Reply LANG for another language."]
    for asked, (action, *values) in RESIDENTS_EN:
        assert page.question.startswith(asked), (asked, page.question)
        if action == "choose":
            page = browser.choose(*values)
        elif action == "type":
            page = browser.send(values[0])
        else:
            assert page.one("button", name="skip").text == "Skip this question"
            page = browser.send(skip=True)
    assert page.said == ["Thank you for taking part. Your answers will be part of the evidence "
                         "the Citizens' Assembly hears. In an emergency always call 999."]
    assert not page.all("form")

    assert stored_answers(rt) == {
        "safe_day": 4, "safe_dark": 2, "feel_safer": ["police_on_foot", "cctv"], "trust": 3,
        "contact": "yes", "contact_experience": "fairly_well", "see_officers": "monthly",
        "build_trust": "Walk the streets and talk.", "youth_spaces": "some",
        "years_lived": 12, "age_band": "25_34", "area": "leyton", "ward_leyton": "leyton",
        "ethnic_group": "white",
        "disability": "no",
    }
    response = one_response(rt)
    assert (response.channel, response.status, response.language) == ("web", "complete", "en")
    assert response.engager_code is None and response.completed_at == rt.now()
    with rt.sessions() as db:
        assert set(db.scalars(select(Message.channel))) == {"web"}
        assert [(c.given, c.channel) for c in db.scalars(select(ConsentRecord))] == [
            (True, "web")]
        assert db.scalars(select(Address.scheme)).all() == ["web"]


def test_the_controls_match_the_question_types(browser):
    page = start_demo(browser)
    assert [c.attrs["type"] for c in page.controls] == ["radio", "radio"]
    page = browser.choose("Yes")
    assert page.question == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert [(c.attrs["type"], c.attrs["value"], page.label(c)) for c in page.controls] == [
        ("radio", str(n), str(n)) for n in range(1, 6)]
    page = browser.choose("4")
    assert [(c.attrs["value"], page.label(c)) for c in page.controls] == [
        ("1", "A lot"), ("2", "A little"), ("3", "Not at all")]
    page = browser.choose("A lot")
    assert {c.attrs["type"] for c in page.controls} == {"checkbox"}
    page = browser.choose("Better street lighting", "Youth services")
    assert page.question == "Have you spoken to a police officer in the last year?"
    page = browser.choose("No")
    number = page.one("input", name="answer")
    assert (number.attrs["type"], number.attrs["inputmode"], number.attrs["id"]) == (
        "number", "decimal", "answer")
    assert page.question == "How many years have you lived here? (optional)"
    assert [b.text for b in page.all("button")] == ["Continue", "Skip this question"]


# Languages -----------------------------------------------------------------------------

URDU_TITLE = "محلے کی پولیس کے بارے میں آپ کی رائے"
URDU_SAFE_DAY = ("دن کے وقت آپ اپنے علاقے میں خود کو کتنا محفوظ محسوس کرتے ہیں؟ "
                 "1 = بہت غیر محفوظ، 5 = بہت محفوظ")


def test_lang_ur_gives_an_urdu_right_to_left_form(rt, browser):
    page = browser.open(RESIDENTS + "?lang=ur")
    assert page.html_attrs == {"lang": "ur", "dir": "rtl"}
    assert page.one("h1").text == URDU_TITLE
    assert page.question.startswith("آپ کے جوابات آپ کے فون نمبر سے الگ")
    current = page.one("a", aria_current="true")
    assert (current.text, current.attrs["hreflang"], current.attrs["dir"]) == ("اردو", "ur", "rtl")
    english = page.one("a", hreflang="en")
    assert (english.text, english.attrs["lang"], english.attrs["dir"]) == ("English", "en", "ltr")
    page = browser.choose("ہاں")
    assert page.question == URDU_SAFE_DAY
    assert page.html_attrs["dir"] == "rtl"
    page = browser.choose("3")
    assert page.question.startswith("اندھیرا ہونے کے بعد")
    assert stored_answers(rt) == {"safe_day": 3}
    response = one_response(rt)
    assert (response.channel, response.language) == ("web", "ur")


def test_lang_on_a_started_survey_changes_the_language_and_stores_no_answer(rt, browser):
    start = browser.open(RESIDENTS)
    page = browser.choose("Yes")
    assert page.html_attrs["lang"] == "en"
    before = counts(rt)
    page = browser.open(RESIDENTS + "?lang=pl")
    assert page.html_attrs == {"lang": "pl", "dir": "ltr"}
    assert page.one("h1").text == "Głos mieszkańców o policji dzielnicowej"
    assert page.said == ["OK, będziemy pisać po polsku."]
    assert page.question.startswith("Jak bezpiecznie czują się Państwo w swojej okolicy")
    assert stored_answers(rt) == {}
    with rt.sessions() as db:
        assert db.scalars(select(Contact.language)).all() == ["pl"]
    assert counts(rt)["Contact"] == before["Contact"] == 1
    switched = counts(rt)
    again = browser.open(RESIDENTS + "?lang=pl")  # a reload changes nothing more
    assert again.html == page.html and counts(rt) == switched
    browser.choose("5")
    assert stored_answers(rt) == {"safe_day": 5}
    assert start.hidden["csrf"] == page.hidden["csrf"]


def test_a_new_visitor_gets_the_browsers_language_when_offered(browser):
    page = browser.open(RESIDENTS, headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"})
    assert page.html_attrs["lang"] == "ro"
    page = browser.open(RESIDENTS, headers={"Accept-Language": "ro-RO"})
    assert page.html_attrs["lang"] == "ro"


# Engagers --------------------------------------------------------------------------------


@pytest.mark.parametrize("ref, engager", [
    ("K7P2QX", "K7P2QX"),
    ("k7p2qx", "K7P2QX"),
    ("<script>", None),  # not a code: the visitor still takes part, unattributed
    ("K7P2QXK7P2QXK7P2QX", None),
])
def test_ref_is_stored_as_the_engager_on_the_youth_survey(rt, browser, ref, engager):
    page = browser.open(f"{YOUTH}?ref={ref}")
    assert page.one("h1").text == "Youth voice on safety and policing"
    page = browser.choose("Yes")
    assert page.question == "First, how old are you?"
    browser.choose("16 or 17")
    response = one_response(rt)
    assert (response.engager_code, response.channel) == (engager, "web")
    assert stored_answers(rt) == {"age_band": "16_17"}


# Invalid answers, skipping -----------------------------------------------------------------


def test_an_empty_text_answer_shows_the_hint_beside_the_field_and_stores_nothing(rt, browser):
    start_demo(browser)
    browser.choose("Yes")
    page = browser.choose("2")
    assert page.question == "What makes you feel unsafe? (optional)"
    assert page.one("title").text == "Demo survey"
    before = stored_answers(rt)
    page = browser.send("  ")
    assert stored_answers(rt) == before == {"feel_safe": 2}
    assert page.one("title").text == "Error: Demo survey"
    error = page.error()
    assert error.text == "Error: Please reply in words."
    field = page.one("textarea", name="answer")
    assert field.attrs["aria-invalid"] == "true"
    assert field.attrs["aria-describedby"] == "answer-error"
    assert error.parents[-1] is field.parents[-1]  # right beside it, in its group
    summary = page.one_where(lambda e: e.attrs.get("role") == "alert")
    assert summary.text == "There is a problem Please reply in words."
    assert page.one("a", href="#answer").text == "Please reply in words."
    page = browser.send("More light on the paths")
    assert page.error() is None and page.question == "How much do you trust local police?"
    assert stored_answers(rt)["why_unsafe"] == "More light on the paths"


def test_a_number_out_of_range_is_shown_again_with_its_error(rt, browser):
    start_demo(browser)
    for label in ("Yes", "4", "A little"):
        browser.choose(label)
    browser.choose("More police on foot")
    page = browser.choose("Yes")
    page = browser.send("150")
    number = page.one("input", name="answer")
    assert number.attrs["value"] == "150" and number.attrs["aria-invalid"] == "true"
    assert page.error().text == "Error: Please reply with a number from 0 to 100."
    assert "years" not in stored_answers(rt)
    page = browser.send("2.5")
    assert page.said == ["Thank you, that is everything."]
    assert stored_answers(rt)["years"] == 2.5
    assert one_response(rt).status == "complete"


def test_no_choice_made_marks_the_whole_group_invalid(rt, browser):
    start_demo(browser)
    page = browser.send()  # consent: nothing chosen
    assert page.error().text == ("Error: Please reply YES to take part, "
                                 "or NO if you would rather not.")
    assert page.one("fieldset").attrs["aria-describedby"] == "answer-error"
    assert {c.attrs["aria-invalid"] for c in page.controls} == {"true"}
    assert page.one("a", href="#answer-1")
    assert counts(rt)["ConsentRecord"] == 0 and counts(rt)["Response"] == 0


def test_skip_passes_an_optional_question(rt, browser):
    browser.open(YOUTH)
    browser.choose("Yes")
    browser.choose("18 to 24")
    browser.choose("3")
    page = browser.choose("Not sure")
    assert page.question.startswith("In the last 12 months, have police stopped you")
    page = browser.send(skip=True)
    assert page.question == "What do you want more of near you? Pick any, e.g. 1,3"
    assert stored_answers(rt) == {"age_band": "18_24", "safe_hangout": 3,
                                  "trust_police": "not_sure"}


def test_a_required_question_has_no_skip_button(browser):
    start_demo(browser)
    page = browser.choose("Yes")
    assert [b.text for b in page.all("button")] == ["Continue"]


# Safety: CSRF, stale forms, double submits, escaping -------------------------------------------


@pytest.mark.parametrize("csrf", [None, "", "not-the-token", "ü"])
def test_a_post_without_the_right_csrf_token_is_refused_and_stores_nothing(rt, browser, csrf):
    page = start_demo(browser)
    before = counts(rt)
    data = {"step": page.hidden["step"], "answer": "1"}
    if csrf is not None:
        data["csrf"] = csrf
    response = browser.post(data)
    assert response.status_code == 400
    refused = checked(Page(response.text))
    assert refused.one("h1").text == "Your answer was not saved"
    assert "nothing was saved" in refused.all("p")[0].text
    assert refused.one("a", href="/s/demo").text == "Go back to the survey"
    assert counts(rt) == before


def test_a_post_from_a_browser_without_the_session_is_refused(app, rt, browser):
    page = start_demo(browser)
    before = counts(rt)
    stranger = app.test_client()  # another site's form: the token, but not the cookie
    response = stranger.post("/s/demo", data={"csrf": page.hidden["csrf"],
                                              "step": page.hidden["step"], "answer": "1"})
    assert response.status_code == 400
    assert counts(rt) == before


def test_a_form_from_an_older_page_changes_nothing(rt, browser):
    consent = start_demo(browser)
    browser.choose("Yes")
    before = counts(rt)
    browser.page = consent  # the back button
    page = browser.send("2")
    assert page.one("p", role="status").text == (
        "That page was out of date, so nothing was saved. This is where you are now.")
    assert page.question == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert counts(rt) == before
    assert browser.open("/s/demo").all("p", role="status") == []  # said once


def test_a_double_submit_is_one_answer(rt, browser):
    start_demo(browser)
    page = browser.choose("Yes")
    cookie = browser.client.get_cookie("session").value
    browser.choose("4")
    browser.client.set_cookie("session", cookie)  # the second click, sent with the old cookie
    browser.page = page
    again = browser.choose("4")
    assert again.question == "How much do you trust local police?"
    assert stored_answers(rt) == {"feel_safe": 4}
    with rt.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Message).where(
            Message.direction == "in", Message.body == "4")) == 1


def test_answers_are_escaped_never_run(rt, browser):
    start_demo(browser)
    browser.choose("Yes")
    browser.choose("1")
    attack = "<script>alert('x')</script>"
    page = browser.send(attack)
    assert stored_answers(rt)["why_unsafe"] == attack
    for label in ("A lot", "Youth services", "No"):
        page = browser.choose(label)
    page = browser.send('"><script>alert()</script>')  # not a number: shown again
    assert page.one("input", name="answer").attrs["value"] == '"><script>alert()</script>'
    assert 'value="&#34;&gt;&lt;script&gt;alert()&lt;/script&gt;"' in page.html


# GETs store nothing ------------------------------------------------------------------------


def test_showing_a_page_again_stores_nothing(rt, browser):
    first = start_demo(browser)
    after_first = counts(rt)
    assert after_first["Message"] == 3  # the start, the intro and the consent question
    second = browser.open("/s/demo")
    assert second.html == first.html
    assert counts(rt) == after_first
    page = browser.choose("Yes")
    after_answer = counts(rt)
    assert browser.open("/s/demo").html == page.html
    assert counts(rt) == after_answer


def test_an_unknown_survey_is_a_404_page(app, surveys):
    client = app.test_client()
    for response in (client.get("/s/no-such-survey"), client.post("/s/no-such-survey")):
        assert response.status_code == 404
        page = checked(Page(response.text))
        assert page.one("h1").text == "Survey not found"
    assert client.get_cookie("session") is None


# Cookies and headers -----------------------------------------------------------------------


def test_the_session_cookie_holds_only_tokens_and_is_protected(app, rt, browser):
    start_demo(browser)
    browser.choose("Yes")
    browser.choose("2")
    response = browser.post({"csrf": browser.page.hidden["csrf"],
                             "step": browser.page.hidden["step"],
                             "answer": "Dark alley by the station"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    data = app.session_interface.get_signing_serializer(app).loads(
        browser.client.get_cookie("session").value)
    assert set(data) <= {"web_token", "web_csrf", "web_slug", "web_ref", "web_step",
                         "web_tries"}
    assert len(data["web_token"]) >= 32 and data["web_slug"] == "demo"
    assert "Dark alley" not in repr(data)
    with rt.sessions() as db:
        assert db.scalars(select(Address.value)).all() == [data["web_token"]]


def test_pages_are_not_cached_and_run_no_scripts(browser):
    response = browser.client.get("/s/demo")
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_new_browser_is_a_new_visitor(app, rt, surveys):
    first, second = Browser(app), Browser(app)
    first.open("/s/demo")
    first.choose("Yes")
    second.open("/s/demo")
    with rt.sessions() as db:
        assert len(set(db.scalars(select(Address.value)))) == 2
    assert counts(rt)["Contact"] == 2


# What a chat can do, the form can too --------------------------------------------------------


def test_a_flood_of_posts_is_slowed_down_without_losing_the_page(rt, clock, browser):
    page = start_demo(browser)  # message 1 of this minute
    for _ in range(rt.settings.rate_limit_per_minute - 1):  # up to the ceiling: answered
        page = browser.send("maybe")
    assert page.error() is not None
    page = browser.send("maybe")  # one over the ceiling: "slow down"
    assert page.one("p", role="status").text == (
        "You are sending messages very fast. Please wait a minute and try again.")
    assert page.question == "We keep your answers anonymous. Reply YES to take part."
    page = browser.choose("Yes")  # the next: stored, not answered
    assert page.question == "We keep your answers anonymous. Reply YES to take part."
    assert counts(rt)["ConsentRecord"] == 0
    clock.advance(timedelta(minutes=2))
    page = browser.choose("Yes")
    assert page.question == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert counts(rt)["ConsentRecord"] == 1


def test_delete_typed_in_the_form_erases_everything_after_a_confirmation(app, rt, browser):
    start_demo(browser)
    browser.choose("Yes")
    browser.choose("1")
    page = browser.send("DELETE")
    assert page.question.startswith("Reply YES to erase your answers")
    response = browser.post({"csrf": page.hidden["csrf"], "step": page.hidden["step"],
                             "answer": page.value_of("Yes")})
    assert response.status_code == 200
    erased = checked(Page(response.text))
    assert erased.said == ["Your answers and details have been erased. "
                           "Thank you for your time."]
    assert counts(rt)["Response"] == 0 and counts(rt)["Answer"] == 0
    with rt.sessions() as db:
        assert db.scalar(select(func.count()).select_from(Erasure)) == 1
    page = browser.open("/s/demo")  # a fresh start, as a new visitor
    assert page.said == ["Hello from the demo survey."]
    assert counts(rt)["Contact"] == 1


def test_a_survey_keyword_typed_in_the_form_moves_to_that_survey(browser):
    start_demo(browser)
    browser.choose("Yes")
    browser.choose("1")
    browser.send("SKIP")  # at a choice question, not a free-text one
    page = browser.send("SAFETY")
    assert page.one("h1").text == "Your say on neighbourhood policing"
    assert page.question.startswith("Your answers are kept apart from your number")
    assert page.one("form").attrs["action"] == RESIDENTS
