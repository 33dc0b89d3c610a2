"""The web form /s/<slug>: the surveys walked one step per page, stored like any chat.

Every page a test sees is parsed and checked: html lang and dir, a title, one h1, no
script, every control labelled (its own label, or a fieldset with a legend) and every
aria-describedby pointing at an element that exists.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from store.models import (
    Address,
    Alert,
    Answer,
    Base,
    ConsentRecord,
    Contact,
    Erasure,
    Message,
    OptOut,
    Response,
)
from tests.helpers.engagers import add_engager
from tests.helpers.surveys import load_surveys
from tests.helpers.web_form import (
    CONTACT,
    RESIDENTS,
    RESIDENTS_EN,
    YOUTH,
    Browser,
    Page,
    assert_under_13_page,
    checked,
)
from webhooks.chat_wording import ChatWording


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


CONSENT = "Do you agree to take part?"


def privacy_notice(page: Page) -> str:
    """The privacy notice beside the consent buttons."""
    return page.one("section", **{"class": "privacy-notice"}).text


def start_demo(browser: Browser) -> Page:
    page = browser.open("/s/demo")
    assert page.question == CONSENT
    assert privacy_notice(page) == "Your privacy We keep your answers anonymous."
    return page


# A whole survey ------------------------------------------------------------------------


def test_the_residents_survey_completed_in_english_stores_every_answer_once(app, rt, browser):
    page = browser.open(RESIDENTS)
    assert page.html_attrs == {"lang": "en", "dir": "ltr"}
    assert page.one("h1").text == "Your say on neighbourhood policing"
    assert page.said == ["Hello from Waltham Forest Council and local police. This short "
                         "survey helps the Citizens' Assembly on neighbourhood policing."]
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
    assert page.controls == []  # consent is two buttons
    assert [(b.attrs["name"], b.attrs["value"], b.text) for b in page.all("button")] == [
        ("answer", "1", "I agree"), ("answer", "2", "No thanks")]
    page = browser.choose("I agree")
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
        "text", "decimal", "answer")  # type=number would refuse Urdu's digits
    assert not {"pattern", "min", "max"} & set(number.attrs)
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
    assert page.question == "کیا آپ حصہ لینے پر متفق ہیں؟"
    assert privacy_notice(page) == ("آپ کی رازداری آپ کے جوابات صرف مجموعی اعداد و شمار کی صورت "
                                    "میں بتائے جاتے ہیں۔ آپ کے بارے میں سوالات اختیاری ہیں۔")
    assert [b.text for b in page.all("button")] == ["میں متفق ہوں", "نہیں، شکریہ"]
    current = page.one("a", aria_current="true")
    assert (current.text, current.attrs["hreflang"], current.attrs["dir"]) == ("اردو", "ur", "rtl")
    english = page.one("a", hreflang="en")
    assert (english.text, english.attrs["lang"], english.attrs["dir"]) == ("English", "en", "ltr")
    page = browser.choose("میں متفق ہوں")
    assert page.question == URDU_SAFE_DAY
    assert page.html_attrs["dir"] == "rtl"
    page = browser.choose("3")
    assert page.question.startswith("اندھیرا ہونے کے بعد")
    assert stored_answers(rt) == {"safe_day": 3}
    response = one_response(rt)
    assert (response.channel, response.language) == ("web", "ur")


def test_lang_on_a_started_survey_changes_the_language_and_stores_no_answer(rt, browser):
    start = browser.open(RESIDENTS)
    page = browser.choose("I agree")
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
    ("P4US3D", None),  # a paused engager's code: unattributed, nothing said
    ("Q9W8E7", None),  # no engager has it: the same
    ("<script>", None),  # not a code: the visitor still takes part, unattributed
    ("K7P2QXK7P2QXK7P2QX", None),
])
def test_ref_is_stored_as_the_engager_on_the_youth_survey(rt, browser, ref, engager):
    add_engager(rt, "K7P2QX")
    add_engager(rt, "P4US3D", name="Alex", paused=True)
    page = browser.open(f"{YOUTH}?ref={ref}")
    assert page.one("h1").text == "Youth voice on safety and policing"
    page = browser.choose("I agree")
    assert page.question == "First, how old are you?"
    browser.choose("16 or 17")
    response = one_response(rt)
    assert (response.engager_code, response.channel) == (engager, "web")
    assert stored_answers(rt) == {"age_band": "16_17"}


# Invalid answers, skipping -----------------------------------------------------------------


def test_an_optional_question_left_empty_moves_on_and_stores_nothing(rt, browser):
    start_demo(browser)
    browser.choose("I agree")
    page = browser.choose("2")
    assert page.question == "What makes you feel unsafe? (optional)"
    page = browser.send("  ")  # Continue with nothing written: the same as Skip
    assert page.error() is None and page.question == "How much do you trust local police?"
    assert stored_answers(rt) == {"feel_safe": 2}
    # An empty required text box shows its hint beside the field: see
    # tests/webhooks/test_registration.py (the registration's name question).


def test_a_number_out_of_range_is_shown_again_with_its_error(rt, browser):
    start_demo(browser)
    for label in ("I agree", "4", "A little"):
        browser.choose(label)
    browser.choose("More police on foot")
    page = browser.choose("Yes")
    page = browser.send("150")
    number = page.one("input", name="answer")
    assert number.attrs["value"] == "150" and number.attrs["aria-invalid"] == "true"
    assert page.error().text == "Error: Enter a number from 0 to 100."
    assert "years" not in stored_answers(rt)
    page = browser.send("2.5")
    assert page.said == ["Thank you, that is everything."]
    assert stored_answers(rt)["years"] == 2.5
    assert one_response(rt).status == "complete"


@pytest.mark.parametrize("typed", ["۱۲", "١٢"])  # Urdu's digits, Arabic-Indic
def test_a_number_in_other_digits_is_read_as_sms_reads_it(rt, browser, typed):
    start_demo(browser)
    for label in ("I agree", "4", "A little"):
        browser.choose(label)
    browser.choose("More police on foot")
    page = browser.choose("Yes")
    assert page.one("input", name="answer").attrs["type"] == "text"
    page = browser.send(typed)
    assert page.error() is None and page.said == ["Thank you, that is everything."]
    assert stored_answers(rt)["years"] == 12


def test_no_choice_made_marks_the_whole_group_invalid(rt, browser):
    start_demo(browser)
    page = browser.send()  # consent: neither button (a form posted without one)
    assert page.error().text == "Error: Choose whether you agree to take part."
    assert page.one("fieldset").attrs["aria-describedby"] == "answer-error"
    assert page.one("a", href="#answer-1") and page.by_id("answer-1").text == "I agree"
    assert counts(rt)["ConsentRecord"] == 0 and counts(rt)["Response"] == 0
    page = browser.choose("I agree")
    page = browser.send()  # a scale: nothing chosen
    assert page.error().text == "Error: Choose a number from 1 to 5."
    assert page.one("fieldset").attrs["aria-describedby"] == "answer-error"
    assert {c.attrs["aria-invalid"] for c in page.controls} == {"true"}
    assert counts(rt)["Answer"] == 0


def test_skip_passes_an_optional_question(rt, browser):
    browser.open(YOUTH)
    browser.choose("I agree")
    browser.choose("18 to 24")
    browser.choose("3")
    page = browser.choose("Not sure")
    assert page.question.startswith("In the last 12 months, have police stopped you")
    page = browser.send(skip=True)
    assert page.question == "What do you want more of near you? Pick any"
    assert stored_answers(rt) == {"age_band": "18_24", "safe_hangout": 3,
                                  "trust_police": "not_sure"}


def test_a_required_question_has_no_skip_button(browser):
    start_demo(browser)
    page = browser.choose("I agree")
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
    browser.choose("I agree")
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
    page = browser.choose("I agree")
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
    browser.choose("I agree")
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
    assert set(after_first.values()) == {0}  # nothing is stored until they send the form
    second = browser.open("/s/demo")
    assert second.html == first.html
    assert counts(rt) == after_first
    page = browser.choose("I agree")
    after_answer = counts(rt)
    assert browser.open("/s/demo").html == page.html
    assert counts(rt) == after_answer


def every_table(rt) -> dict[str, int]:
    with rt.sessions() as db:
        return {table.name: db.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def test_cookie_less_gets_store_nothing_until_a_form_is_sent(app, rt, surveys):
    """300 GETs without a cookie (a crawler, a flood) made 300 contacts and 900 messages."""
    before = every_table(rt)
    client = app.test_client(use_cookies=False)
    for _ in range(300):
        page = checked(Page(client.get(RESIDENTS).text))
        assert page.question == CONSENT
    assert every_table(rt) == before
    browser = Browser(app)
    first = browser.open(RESIDENTS)
    assert every_table(rt) == before
    page = browser.choose("I agree")
    assert page.question.startswith("How safe do you feel in your local area during the day")
    assert first.said and counts(rt)["Contact"] == counts(rt)["Address"] == 1
    browser.choose("4")
    assert stored_answers(rt) == {"safe_day": 4}
    assert one_response(rt).channel == "web"


def test_an_unknown_survey_is_a_404_page(app, surveys):
    client = app.test_client()
    for response in (client.get("/s/no-such-survey"), client.post("/s/no-such-survey")):
        assert response.status_code == 404
        page = checked(Page(response.text))
        assert page.one("h1").text == "Survey not found"
    assert client.get_cookie("session") is None


def test_the_members_wellbeing_check_in_is_not_open_on_the_web(app, rt, surveys):
    """It goes to assembly members by name; a link must not let anyone answer it (and be
    told that "a member of the team will get in touch")."""
    client = app.test_client()
    for response in (client.get("/s/wellbeing-check-in"),
                     client.post("/s/wellbeing-check-in", data={"answer": "1"})):
        assert response.status_code == 404
        assert checked(Page(response.text)).one("h1").text == "Survey not found"
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


# Cookies and headers -----------------------------------------------------------------------


def test_the_session_cookie_holds_only_tokens_and_is_protected(app, rt, browser):
    start_demo(browser)
    browser.choose("I agree")
    browser.choose("2")
    response = browser.post({"csrf": browser.page.hidden["csrf"],
                             "step": browser.page.hidden["step"],
                             "answer": "Dark alley by the station"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    data = app.session_interface.get_signing_serializer(app).loads(
        browser.client.get_cookie("session").value)
    assert set(data) <= {"web_token", "web_csrf", "web_slug", "web_ref", "web_step",
                         "web_tries", "web_lang", "web_optional"}
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
    first.choose("I agree")
    second.open("/s/demo")
    assert counts(rt)["Contact"] == 1  # the second has sent nothing yet
    second.choose("I agree")
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
    assert page.question == CONSENT
    page = browser.choose("I agree")  # the next: stored, not answered
    assert page.question == CONSENT
    assert counts(rt)["ConsentRecord"] == 0
    clock.advance(timedelta(minutes=2))
    page = browser.choose("I agree")
    assert page.question == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert counts(rt)["ConsentRecord"] == 1


def test_delete_typed_in_the_form_erases_everything_after_a_confirmation(app, rt, browser):
    start_demo(browser)
    browser.choose("I agree")
    browser.choose("1")
    page = browser.send("DELETE")
    assert page.question == "Erase your answers and your details from our records?"
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
    assert counts(rt)["Contact"] == 0  # nothing stored until they send the form


def test_a_survey_keyword_typed_in_the_form_moves_to_that_survey(browser):
    start_demo(browser)
    browser.choose("I agree")
    browser.choose("1")
    browser.send("SKIP")  # at a choice question, not a free-text one
    page = browser.send("SAFETY")
    assert page.one("h1").text == "Your say on neighbourhood policing"
    assert page.question == CONSENT
    assert privacy_notice(page).startswith("Your privacy Your answers are reported only as totals")
    assert page.one("form").attrs["action"] == RESIDENTS


# The web speaks web: no chat wording, progress, privacy and contact ---------------------------

LANGUAGES = ["en", "ro", "ur", "bg", "pl", "tr"]


# "Your number" as each privacy notice says it: never on the web form, where nobody gave one.
NUMBER = {"en": "number", "ro": "număr", "ur": "نمبر", "bg": "номер", "pl": "numer",
          "tr": "numara"}


def visible_text(page: Page) -> str:
    """What a person reads on the page (the body's text, no styles)."""
    return page.one("body").text


def chat_wording(rt, lang: str) -> list[str]:
    """What only a chat says, in `lang`: the bot's reply instructions as the catalogue has
    them, keywords written in capitals (STOP, YES, DA, TAK, СТОП...) and number examples."""
    said = [rt.catalogs.bot(lang, key) for key in (
        "optional", "consent-hint", "hint/choice", "hint/multi", "hint/yesno", "hint/number",
        "hint/text", "language-hint", "choose-language", "delete-confirm")]
    said += [rt.catalogs.bot(lang, key, min=1, max=5) for key in ("hint/scale",
                                                                    "hint/number-range")]
    keys = ["keywords/stop", "keywords/start", "keywords/help", "keywords/lang",
            "keywords/skip", "keywords/restart", "keywords/delete"]
    words = {w.upper() for key in keys for w in rt.catalogs.bot(lang, key).split()}
    words |= {rt.catalogs.bot(lang, key).upper() for key in ("yes", "no")}
    words |= {"YES", "NO", "SAFETY", "YOUTH"}
    capitals = {w for w in words if w != w.lower()}  # a script with capitals: STOP, not زبان
    return said + sorted(f" {w} " for w in capitals) + ["1,3", "e.g."]


def assert_speaks_web(rt, page: Page, lang: str) -> None:
    text = f" {visible_text(page)} ".replace("(", " ").replace(")", " ").replace(".", " . ")
    for phrase in chat_wording(rt, lang):
        assert phrase not in text, (lang, phrase, text)
    if lang == "en":
        assert "reply" not in text.lower(), text


def walk(browser: Browser, url: str, clock) -> list[Page]:
    """Answer every page of a survey the way a person on a phone would, a few seconds a
    page: agree, pick the first option (the first two where several may be ticked), type a
    number or words, once leave a required question empty to see its error. Returns every
    page."""
    pages = [browser.open(url)]
    empty_tried = set()
    while pages[-1].all("form"):
        clock.advance(timedelta(seconds=5))
        page = pages[-1]
        kinds = {c.attrs.get("type", c.tag) for c in page.controls}
        if not kinds <= {"radio", "checkbox", "text", "textarea"} or not page.controls:
            pages.append(browser.send(page.value_of(page.all("button", name="answer")[0].text)))
        elif kinds.isdisjoint(empty_tried) and not page.all("button", name="skip"):
            empty_tried |= kinds  # (an optional question left empty is skipped: no error)
            pages.append(browser.send())  # nothing chosen or typed: the form's error
            assert pages[-1].error() is not None
        elif kinds == {"checkbox"}:
            pages.append(browser.send([c.attrs["value"] for c in page.controls[:2]]))
        elif kinds == {"radio"}:  # an answer from the middle: never screened out
            pages.append(browser.send(page.controls[len(page.controls) // 2].attrs["value"]))
        elif kinds == {"text"}:  # the number box
            pages.append(browser.send("12"))
        else:
            pages.append(browser.send("More police walking around at night"))
        assert len(pages) < 60, [p.question for p in pages[-6:] if p.all("form")]
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("url", [RESIDENTS, YOUTH])
def test_a_whole_run_in_every_language_shows_no_chat_wording(app, rt, surveys, clock, lang,
                                                               url):
    pages = walk(Browser(app), f"{url}?lang={lang}", clock)
    assert one_response(rt).status == "complete"
    if url == RESIDENTS:  # where you live, then the wards of that area only
        answers = stored_answers(rt)
        assert answers["area"] == "leyton" and answers["ward_leyton"]
        assert not {"ward_chingford", "ward_walthamstow"} & set(answers)
    assert {page.html_attrs["lang"] for page in pages} == {lang}
    assert len(pages) >= 10 and sum(1 for page in pages if page.error()) >= 2
    survey = surveys[url.removeprefix("/s/")]
    privacy = rt.catalogs.text([lang], f"{survey.slug}/consent", survey.consent)
    on_the_web = ChatWording.load().phrases(privacy, lang)  # a web visitor gave no number
    first_sentence = on_the_web.split(". ")[0].split("۔")[0]
    assert len(first_sentence) > 15 and on_the_web != privacy  # the number left out
    contact = rt.catalogs.bot(lang, "web/contact", contact=CONTACT)
    for page in pages:
        assert_speaks_web(rt, page, lang)
        assert first_sentence in visible_text(page)  # the privacy notice, on every page
        notices = page.all("footer") + page.all("section", **{"class": "privacy-notice"})
        assert not any(NUMBER[lang] in notice.text.casefold() for notice in notices), lang
        assert page.one("footer").text.endswith(contact)
        if page.all("form") and page.question != rt.catalogs.bot(lang, "web/consent-question"):
            bar = page.one("progress")
            label = page.by_id(bar.attrs["aria-labelledby"]).text
            assert label == rt.catalogs.bot(lang, "web/progress", number=int(bar.attrs["value"])
                                            + 1, total=int(bar.attrs["max"]))


def test_the_youth_screen_out_and_typed_keywords_speak_web(app, rt, surveys):
    browser = Browser(app)
    browser.open(YOUTH)
    browser.choose("I agree")
    # Over the survey's ages: nothing is kept but a count, and the browser is not locked
    # out (only an under-13 is remembered): the residents' survey starts in it.
    response = browser.post({"csrf": browser.page.hidden["csrf"],
                             "step": browser.page.hidden["step"],
                             "answer": browser.page.value_of("25 or over")})
    assert response.status_code == 200
    page = checked(Page(response.text))
    thanks = ["Thanks for wanting to have your say! This survey is for people aged 13 to 24, "
              "so that's all we need to ask."]
    assert page.said == thanks and page.controls == []
    assert_speaks_web(rt, page, "en")
    assert counts(rt)["Response"] == 0 and counts(rt)["Contact"] == 0
    assert browser.open(RESIDENTS).said != thanks
    browser = Browser(app)
    start_demo(browser)
    browser.choose("I agree")
    page = browser.choose("1")
    assert page.question == "What makes you feel unsafe? (optional)"
    page = browser.send("HELP")
    assert page.said == ["This is Waltham Forest Council's survey for the Citizens' Assembly on "
                         "neighbourhood policing. Contact: 020 7946 0123"]
    assert page.question == "What makes you feel unsafe? (optional)"
    assert_speaks_web(rt, page, "en")
    page = browser.send("LANG")
    assert page.question == "Choose your language"
    assert_speaks_web(rt, page, "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_under_13_page_is_wholly_in_the_visitors_language(app, rt, surveys, lang):
    browser = Browser(app)
    browser.open(f"{YOUTH}?lang={lang}")
    browser.send("1")  # I agree
    page = browser.send("1")  # Under 13
    survey = surveys["youth-voice"]
    thanks = rt.catalogs.text([lang], "youth-voice/screen_out", survey.screen_out)
    assert len(page.said) == 1 and page.said[0][:25] == thanks[:25]  # the thank-you
    assert_under_13_page(rt, page, lang, survey)
    assert counts(rt)["Response"] == 0 and counts(rt)["Contact"] == 0
    assert_under_13_page(rt, browser.open(YOUTH), lang, survey)  # the link again
    other = "en" if lang != "en" else "pl"  # the page's language links switch its text
    page = browser.open(f"{YOUTH}?lang={other}")
    assert page.said[0][:25] == rt.catalogs.text([other], "youth-voice/screen_out",
                                                 survey.screen_out)[:25]
    assert_under_13_page(rt, page, other, survey)
    assert counts(rt)["Contact"] == 0


# How to choose another language, as each catalogue says it in the intro: the page has its
# own language list, so none of these is shown.
LANG_LINES = {
    "en": ["Reply LANG for another language."],
    "ro": ["Altă limbă: scrieți LIMBA.", "Altă limbă: scrie LIMBA."],
    "ur": ["دوسری زبان کے لیے LANG لکھیں۔"],
    "bg": ["Друг език: напишете ЕЗИК.", "Друг език: напиши ЕЗИК."],
    "pl": ["Inny język: odpisz JĘZYK."],
    "tr": ["Başka dil için DİL yazın.", "Başka dil için DİL yaz."],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_intro_leaves_out_how_to_choose_another_language(app, rt, surveys, lang):
    for url, line in zip([RESIDENTS, YOUTH], LANG_LINES[lang] * 2, strict=False):
        survey = surveys[url.removeprefix("/s/")]
        intro = rt.catalogs.text([lang], f"{survey.slug}/intro", survey.intro)
        assert intro.endswith(" " + line)  # what a chat is sent
        page = Browser(app).open(f"{url}?lang={lang}")
        assert page.said == [intro.removesuffix(" " + line)]  # all the rest is shown
        assert line not in visible_text(page)
        assert page.one("a", hreflang=lang).attrs["aria-current"] == "true"  # the list


def test_restart_typed_in_the_form_asks_first_in_the_forms_words(rt, browser):
    start_demo(browser)
    browser.choose("I agree")
    browser.choose("1")
    page = browser.send("RESTART")
    assert page.question == "Start again? The answers you have given will be lost."
    assert [option.attrs["value"] for option in page.controls] == ["yes", "no"]
    assert_speaks_web(rt, page, "en")  # not "Reply YES to start again, or NO to carry on."
    page = browser.choose("No")
    assert page.said == ["OK, your answers are kept. Carrying on."]
    assert page.question == "What makes you feel unsafe? (optional)"
    assert stored_answers(rt) == {"feel_safe": 1}
    browser.send("RESTART")
    page = browser.choose("Yes")
    assert page.said == ["Starting again."]
    assert page.question == "How safe do you feel? 1 = very unsafe, 5 = very safe"
    assert stored_answers(rt) == {}


def test_the_restart_question_is_the_forms_own_in_urdu(rt, browser):
    page = browser.open(f"{RESIDENTS}?lang=ur")
    page = browser.send(page.value_of("میں متفق ہوں"))
    while page.controls[0].tag != "textarea":  # the first answer to each, up to free text
        page = browser.send(page.controls[0].attrs["value"])
    page = browser.send("RESTART")
    assert page.question == "دوبارہ شروع کریں؟ آپ کے دیے گئے جوابات ختم ہو جائیں گے۔"
    assert [option.attrs["value"] for option in page.controls] == ["yes", "no"]
    assert rt.catalogs.bot("ur", "restart-confirm") not in visible_text(page)  # "...ہاں لکھیں"
    page = browser.choose("نہیں")
    assert page.controls[0].tag == "textarea"  # carrying on where it was


def test_a_stop_in_plain_words_typed_in_the_form_opts_out(rt, browser):
    start_demo(browser)
    browser.choose("I agree")
    page = browser.choose("1")
    assert page.question == "What makes you feel unsafe? (optional)"
    page = browser.send("please stop texting me")
    assert page.said == ["You will not get any more messages from us."]  # no "Reply START"
    assert not page.all("form")
    assert_speaks_web(rt, page, "en")
    assert "please stop texting me" not in stored_answers(rt).values()
    with rt.sessions() as db:
        assert [(o.channel, o.action) for o in db.scalars(select(OptOut))] == [("web", "out")]
    page = browser.open("/s/demo")  # coming back to the link: still stopped, nothing asked
    assert page.said == ["You will not get any more messages from us."]
    assert not page.all("form")


def test_without_help_contact_the_footer_names_the_organisation(config, clock, surveys):
    del config["HELP_CONTACT"]
    app = create_app(config, clock=clock)
    try:
        rt = app.extensions["outreach"]
        assert rt.settings.help_contact is None
        load_surveys(rt)
        for lang, line in [("en", "For help, contact Waltham Forest Council."),
                           ("ur", "مدد کے لیے: Waltham Forest Council")]:
            page = Browser(app).open(f"{RESIDENTS}?lang={lang}")
            assert page.one("footer").text.endswith(line)
            assert page.one("bdi").text == "Waltham Forest Council"
            assert "None" not in visible_text(page) and "{" not in visible_text(page)
    finally:
        app.extensions["outreach"].engine.dispose()


def progress_of(page: Page) -> tuple[str, int, int]:
    bar = page.one("progress")
    return (page.by_id(bar.attrs["aria-labelledby"]).text, int(bar.attrs["value"]),
            int(bar.attrs["max"]))


def test_progress_counts_the_questions_that_apply_so_far(browser):
    page = browser.open(RESIDENTS)
    assert not page.all("progress")  # consent is not a question
    page = browser.choose("I agree")
    assert progress_of(page) == ("Question 1 of 15", 0, 15)  # the area's wards count as one
    for label in ("4", "2"):
        page = browser.choose(label)
    page = browser.choose("CCTV")
    page = browser.choose("3")
    assert page.question.startswith("In the last 12 months, have you had any contact")
    assert progress_of(page) == ("Question 5 of 15", 4, 15)
    page = browser.choose("Yes")  # opens the follow-up question: one more applies
    assert page.question == "Overall, how were you treated by the police that time?"
    assert progress_of(page) == ("Question 6 of 16", 5, 16)
    page = browser.send()  # an error keeps the count
    assert progress_of(page) == ("Question 6 of 16", 5, 16)


def test_the_progress_line_is_translated(browser):
    browser.open(RESIDENTS + "?lang=pl")
    page = browser.choose("Zgadzam się")
    assert progress_of(page) == ("Pytanie 1 z 15", 0, 15)


# The list of open surveys at / ---------------------------------------------------------------


def survey_links(page: Page) -> list[tuple[str, str]]:
    return [(a.text, a.attrs["href"]) for a in page.all("a") if a.parents[-1].tag == "li"
            and a.parents[-2].attrs.get("class") == "surveys"]


def test_the_front_page_lists_the_open_surveys_in_the_browsers_language(app, surveys):
    response = app.test_client().get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # a visit to the list stores nothing
    page = checked(Page(response.text))
    assert page.html_attrs == {"lang": "pl", "dir": "ltr"}
    assert page.one("h1").text == "Podziel się opinią"
    assert survey_links(page) == [
        ("Demo survey", "/s/demo?lang=en"),  # offered in English only
        ("Głos mieszkańców o policji dzielnicowej", "/s/neighbourhood-policing?lang=pl"),
        ("Głos młodych o bezpieczeństwie i policji", "/s/youth-voice?lang=pl"),
    ]
    assert "wellbeing-check-in" not in response.text  # members are invited, not listed
    assert page.one("footer").text == f"Pytania lub problemy? Prosimy o kontakt: {CONTACT}."
    assert page.one("a", hreflang="pl").attrs["aria-current"] == "true"


def test_the_front_page_follows_lang_and_falls_back_to_english(app, surveys):
    client = app.test_client()
    page = checked(Page(client.get("/?lang=ur", headers={"Accept-Language": "pl"}).text))
    assert page.html_attrs == {"lang": "ur", "dir": "rtl"}
    assert (URDU_TITLE, "/s/neighbourhood-policing?lang=ur") in survey_links(page)
    page = checked(Page(client.get("/", headers={"Accept-Language": "fr-FR"}).text))
    assert page.html_attrs["lang"] == "en"
    assert ("Your say on neighbourhood policing", "/s/neighbourhood-policing?lang=en") in (
        survey_links(page))
    link = page.one("a", href="/s/neighbourhood-policing?lang=en")
    form = checked(Page(client.get(link.attrs["href"]).text))
    assert form.question == CONSENT


def test_the_front_page_without_surveys_says_so(app):
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = checked(Page(response.text))
    assert "There is no survey open at the moment." in page.one("main").text


# Safeguarding ----------------------------------------------------------------------------


def test_a_disclosure_on_the_web_form_shows_the_signposting_then_the_next_question(rt, browser):
    page = browser.open(RESIDENTS)
    for asked, (action, *values) in RESIDENTS_EN:
        if asked.startswith("What could the police do"):
            break
        page = browser.choose(*values) if action == "choose" else browser.send(values[0])
    assert page.question.startswith("What could the police do to earn your trust?")
    page = browser.send("my stepdad hits me and I don't want to go home")
    assert page.said[0].startswith("In danger now? Call 999.")
    assert page.question.startswith("Are there enough safe places and activities")
    with rt.sessions() as db:
        [alert] = db.scalars(select(Alert)).all()
    assert (alert.channel, alert.question, alert.category) == ("web", "build_trust",
                                                                "abuse_at_home")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_youth_privacy_notice_on_the_web_asks_no_one_to_write_yes(app, rt, surveys, lang):
    """The page has buttons: its privacy notice keeps what is kept and who sees it, not the
    chat's 'write YES to take part' (in Urdu 'حصہ لینے کے لیے ہاں لکھیں')."""
    notice = privacy_notice(Browser(app).open(f"{YOUTH}?lang={lang}"))
    assert "YES" not in notice and "ہاں" not in notice and "لکھیں" not in notice


def test_the_bulgarian_under_13_page_speaks_to_a_child_as_ti_throughout(app, rt, surveys):
    browser = Browser(app)
    page = browser.open(f"{YOUTH}?lang=bg")
    browser.send(page.value_of("Приемам"))
    page = browser.send("1")  # Под 13 години
    told = " ".join(page.said) + " " + page.one("footer").text
    assert "Благодарим" in told and "ни каза," in told
    assert not any(word in told.split() for word in ("Ви", "Ви,", "Ви.", "искате", "казахте"))
