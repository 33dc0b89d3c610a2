"""The web form's pages: a step's replies as a form (radio buttons, checkboxes, a number or
text box, consent's two buttons), in the visitor's language and direction, with the
web-only words (bot texts `web/…`), the progress line, the privacy notice and the contact."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request, session, url_for

from bot import history
from bot.engine.survey import LETTER_CODE
from bot.runtime import Runtime
from bot.state import Reply
from surveys import conditions
from surveys.model import Question, Questionnaire
from translations.catalog import language_name
from translations.data import direction
from translations.texts import BOT
from webhooks.web.wording import for_web, privacy

AGREE, DECLINE = "1", "2"  # consent's buttons post what a chat would type


@dataclass
class Field:
    """The question of a page, as form controls: radio, checkbox, number or text."""

    kind: str  # radio, checkbox, number, text, or consent (two buttons)
    label: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (posted value, label)
    error: str | None = None
    optional: bool = False
    value: str = ""  # what was typed, shown again beside its error

    @property
    def target(self) -> str:
        """The id of the first control, where an error summary links to."""
        return "answer-1" if self.options else "answer"


def language(rt: Runtime, survey: Questionnaire | None,
             visitor: history.ContactSummary | None) -> str:
    if visitor is not None and visitor.language:
        return visitor.language
    if survey is not None:
        return survey.language
    wanted = request.args.get("lang")
    offered = rt.catalogs.languages or ["en"]
    return wanted if wanted in offered else request.accept_languages.best_match(offered, "en")


def words(rt: Runtime, lang: str) -> dict[str, str]:
    """The web-only words in `lang`, keyed without their "web/" prefix."""
    return {key.removeprefix("web/"): rt.catalogs.bot(lang, key)
            for key in BOT if key.startswith("web/")}


def _field(rt: Runtime, lang: str, reply: Reply, survey: Questionnaire, typed: str) -> Field:
    """Controls for a reply, in the words of a form. A question's options are posted as
    their number, as a chat would type them; a scale's as their value (a 0-10 scale starts
    at 0); a menu that is not a question (the language list, DELETE's and RESTART's
    yes/no, each asked in the form's own words) as the option's id, which the engine
    reads there. Consent is two buttons. A question without
    options is a number box or a text box. The chat's error ("Please reply with...") is
    replaced by the form's own (`web/hint/...`)."""
    said = words(rt, lang)
    if reply.question == "consent":
        return Field("consent", said["consent-question"],
                     [(AGREE, said["agree"]), (DECLINE, said["decline"])],
                     said["consent-hint"] if reply.hint else None)
    # an option's number as a chat would type it; a scale's or an age band's own value
    by_number = reply.question is not None and reply.style == "list"
    options = [(str(n) if by_number else option.id, option.label)
               for n, option in enumerate(reply.options, start=1)]
    question = survey.question(reply.question or "")
    made = Field("checkbox" if reply.multi else "radio", for_web(rt, lang, reply.text),
                 options, _error(rt, lang, question, reply.hint) if reply.hint else None,
                 reply.note is not None)
    if reply.question is None and options:  # a menu the engine offers between questions
        if all(option.id in rt.catalogs.languages for option in reply.options):
            made.label = said["languages"]
        elif reply.text == rt.catalogs.bot(lang, "delete-confirm"):
            made.label = said["delete-confirm"]
        elif reply.text == rt.catalogs.bot(lang, "restart-confirm"):
            made.label = said["restart-confirm"]
        made.label = made.label or reply.text
    if not options:  # a number box takes any script's digits: the server checks the range
        made.kind = "number" if question is not None and question.type == "number" else "text"
    if reply.question == LETTER_CODE:
        made.kind = "code"  # one line, as printed on the letter
    elif question is not None and question.role == "phone":
        made.kind = "tel"  # one line, the phone's keypad
    if reply.hint and not options:
        made.value = typed
    return made


def _error(rt: Runtime, lang: str, question: Question | None, said: str | None = None) -> str:
    """What is wrong with an answer, said for a form ("Enter a number from 0 to 100.")."""
    kind = question.type if question is not None else "text"
    if question is not None and question.role == "phone":
        kind = "phone"  # a registration's phone number (bot/engine/registration.py)
        if said == rt.catalogs.bot(lang, "register-phone-mobile"):
            kind = "phone-mobile"  # a whole number, but no mobile: the reason matters
    if kind == "number" and question.min is not None and question.max is not None:
        kind = "number-range"
    kind = "choice" if kind == "yesno" else kind
    bounds = {"min": _num(question.min), "max": _num(question.max)} if question else {}
    return rt.catalogs.bot(lang, f"web/hint/{kind}", **bounds)


def _num(value: float | None) -> str:
    return "" if value is None else str(int(value) if float(value).is_integer() else value)


def contact(rt: Runtime, lang: str) -> dict[str, str]:
    """The contact line in pieces, so that the page can isolate the contact's own direction
    (`<bdi>`: an English contact inside an Urdu sentence). HELP_CONTACT, translated where a
    catalogue has it, as HELP gives it; without one, HELP's line naming the organisation."""
    given = rt.settings.help_contact
    if given:
        key, name = "web/contact", "contact"
        given = rt.catalogs.text([lang], "bot/help-contact-value", given)
    else:
        key, name, given = "help-org", "org", rt.settings.org_name
    before, _, after = rt.catalogs.bot(lang, key, **{name: "\0"}).partition("\0")
    return {"before": before, "contact": given, "after": after}


def _progress(rt: Runtime, lang: str, survey: Questionnaire, question_id: str | None,
              answers: dict[str, Any]) -> dict[str, Any] | None:
    """Where this question stands among those that apply so far: the questions without a
    `when`, and those whose `when` the answers given so far meet. The total grows when an
    answer opens a follow-up question; a run of alternatives on one answer not given yet
    (the wards of each area) counts as one question from the start, so it does not jump."""
    if survey.question(question_id or "") is None:
        return None
    applies, runs = [], []  # runs: [subject, first id, length, where in applies]
    for q in survey.questions:
        if q.when is None or q.id == question_id or q.id in answers or conditions.evaluate(
                q.when, answers):
            applies.append(q.id)
            continue
        on = _alternative_of(q, answers)
        if on is not None and runs and runs[-1][0] == on and runs[-1][3] == len(applies):
            runs[-1][2] += 1
        elif on is not None:
            runs.append([on, q.id, 1, len(applies)])
    for _, first, length, at in reversed(runs):  # one place for two or more alternatives
        if length > 1:
            applies.insert(at, first)
    number, total = applies.index(question_id) + 1, len(applies)
    return {"number": number, "total": total, "done": number - 1,
            "text": rt.catalogs.bot(lang, "web/progress", number=number, total=total)}


def _alternative_of(question: Question, answers: dict[str, Any]) -> str | None:
    """The question not yet answered whose one value chooses `question` (`when: area ==
    leyton`): of a run of such alternatives (the wards of each area) one will be asked,
    so the run counts as one question from the start, and the total does not jump."""
    pairs = conditions.names(question.when) if question.when is not None else []
    if question.when[0] != "==" or len(pairs) != 1 or pairs[0][0] in answers:
        return None
    return pairs[0][0]


def render(rt: Runtime, survey: Questionnaire, lang: str, replies: list[Reply],
           typed: str = "", answers: dict[str, Any] | None = None,
           screened_out: bool = False):
    """A page of the form. Someone screened out (an under-13) is told, in their language,
    that nothing they said was kept, in place of the survey's privacy notice."""
    asks = [i for i, reply in enumerate(replies) if reply.options or reply.question]
    asked = replies[asks[-1]] if asks else None
    form = _field(rt, lang, asked, survey, typed) if asked else None
    if form is not None and form.optional:
        session["web_optional"] = True  # an empty Continue skips it
    else:
        session.pop("web_optional", None)
    said = [for_web(rt, lang, reply.text) for i, reply in enumerate(replies)
            if not asks or i != asks[-1]]
    notice = session.pop("web_notice", None)
    session["web_lang"] = lang  # the page's language, for a page shown without a database
    shown = words(rt, lang)
    if notice == "slow-down":
        notice = rt.catalogs.bot(lang, "slow-down")
    elif notice is not None:
        notice = shown.get(notice)
    progress = (_progress(rt, lang, survey, asked.question, answers or {})
                if asked is not None else None)
    return render_template(
        "web/page.html", lang=lang, dir=direction(lang), words=shown,
        title=title(rt, survey, lang), said=[text for text in said if text], form=form,
        notice=notice, progress=progress,
        privacy=shown["privacy-screened"] if screened_out else privacy(rt, survey, lang),
        contact=contact(rt, lang), languages=_languages(survey, lang),
        csrf=session.get("web_csrf", ""), step=session.get("web_step", ""),
        action=url_for(".answer", slug=survey.slug))


def message(rt: Runtime, lang: str, key: str, back: str | None = None):
    """A short page saying one thing (`web/<key>`, titled `web/<key>-title`)."""
    shown = words(rt, lang)
    return render_template(
        "web/message.html", lang=lang, dir=direction(lang), words=shown,
        title=shown[f"{key}-title"], text=shown[key], contact=contact(rt, lang), back=back)


def title(rt: Runtime, survey: Questionnaire, lang: str) -> str:
    return rt.catalogs.text([lang, survey.language], f"{survey.slug}/title", survey.title)


def _languages(survey: Questionnaire, current: str) -> list[dict[str, object]]:
    """The language switcher: each offered language in its own name, as a plain link."""
    return [{"code": code, "name": language_name(code), "dir": direction(code),
             "href": url_for(".show", slug=survey.slug, lang=code), "current": code == current}
            for code in survey.languages]
