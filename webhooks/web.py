"""The survey as an accessible web form, /s/<slug>: one engine step per page, no JavaScript.

The browser is a chat contact on channel `web` whose address is a random token kept in
Flask's signed session cookie (with the CSRF token and where the visitor is; never an
answer). Nothing is stored for a visitor until they send a form: their first page is worked
out from the survey definition alone (`conversations.preview`), and their first POST stores
the survey's start and then their answer, as a chat's first messages would be. For someone
who has answered, a GET starts another survey (or a new `?ref=`) or shows the current step
again and stores nothing; `?lang=` changes the language the way LANG does in a chat. A POST
is the answer as a chat would type it (an option's number, "1,3", words, SKIP), then a
redirect to the GET, so reloading a page never answers twice.

While the database cannot be reached, a form that passes the CSRF check is kept in the
spool (bot/spool.py) and the visitor is told, in their language, that their answer is kept
and to come back in a few minutes; until the worker has replayed it, the page says so again.

A page shows the replies to one inbound message; that message's id is the page's "step".
A form from an older step (back button, a second tab) is refused without storing anything,
and a double click is one message: the step is the form's provider id, deduplicated by
`handle` like a provider's retry.

The page speaks web, not chat: the web-only words (buttons, headings, the errors beside a
field, the progress line, consent's "I agree" / "No thanks") are bot texts `web/…`
(`translations/texts.py`), translated in the catalogues like every other bot text, and the
chat-only wording of survey and bot texts ("Reply YES to take part", "e.g. 1,3") is left
out by `webhooks/chat_wording.py`. `/` lists the open surveys in the visitor's language.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError

from bot import history, screened, spool
from bot.conversations import Handled, Inbound, handle, preview
from bot.engine import KEYWORDS, is_engager_code
from bot.messages import Delivery
from bot.runtime import Runtime, current
from bot.spool import Spool
from bot.state import Reply, Start
from surveys import conditions, registry
from surveys.model import Question, Questionnaire
from translations.catalog import language_name
from translations.data import direction
from translations.texts import BOT
from webhooks.chat_wording import ChatWording

bp = Blueprint("web", __name__, template_folder="templates")

SKIP, LANG = "SKIP", "LANG"  # keywords the engine understands in every language
AGREE, DECLINE = "1", "2"  # consent's buttons post what a chat would type
OPEN_TO = ("residents", "youth")  # audiences on the web; members are invited, never open
NEW = "new"  # the step of a visitor who has sent nothing yet: nothing stored for them
SESSION_KEYS = ("web_token", "web_csrf", "web_slug", "web_ref", "web_step", "web_tries",
                "web_notice", "web_lang", "web_spooled")


@dataclass
class Field:
    """The question of a page, as form controls: radio, checkbox, number or text."""

    kind: str  # radio, checkbox, number, text, or consent (two buttons)
    label: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (posted value, label)
    error: str | None = None
    optional: bool = False
    value: str = ""  # what was typed, shown again beside its error
    min: float | None = None
    max: float | None = None

    @property
    def target(self) -> str:
        """The id of the first control, where an error summary links to."""
        return "answer-1" if self.options else "answer"


@bp.get("/")
def index():
    """The open surveys, in the visitor's language, each a link to its form. Stores nothing
    and sets no cookie."""
    rt = current()
    with rt.sessions() as db:
        surveys = sorted((s for s in registry.current(db).values() if s.audience in OPEN_TO),
                         key=lambda s: (OPEN_TO.index(s.audience), s.slug))
    offered = list(dict.fromkeys(code for s in surveys for code in s.languages)) or ["en"]
    wanted = request.args.get("lang")
    lang = wanted if wanted in offered else request.accept_languages.best_match(
        offered, offered[0])
    listed = [{"title": _title(rt, s, lang), "href": url_for(
        ".show", slug=s.slug, lang=lang if lang in s.languages else s.language)}
        for s in surveys]
    languages = [{"code": code, "name": language_name(code), "dir": direction(code),
                  "href": url_for(".index", lang=code), "current": code == lang}
                 for code in offered]
    words = _words(rt, lang)
    return render_template("web/index.html", lang=lang, dir=direction(lang), words=words,
                           title=words["surveys-title"], surveys=listed, languages=languages,
                           contact=_contact(rt, lang))


@bp.get("/s/<slug>")
def show(slug: str):
    """Show the first page, start another survey, change the language, or show the current
    step again."""
    rt = current()
    if session.get("web_spooled") and not _replayed(rt):
        return _kept(rt)  # before any query: this page is shown while the database is down
    survey = _survey(rt, slug)
    if survey is None:
        return _message(rt, None, "not-found", 404)
    lang = request.args.get("lang")
    lang = lang if lang in survey.languages else None
    ref = _engager_code(request.args.get("ref"))
    visitor = _visitor(rt, session.get("web_token"))
    if visitor is None and not _screened_out(rt):
        return _first_page(rt, survey, lang, ref)
    if visitor is not None and lang and lang != visitor.language:
        _send(rt, LANG)
        _advance(rt, _send(rt, lang))
    if (session.get("web_slug") != slug or "web_step" not in session
            or (ref and ref != session.get("web_ref"))):
        hint = lang or request.accept_languages.best_match(survey.languages)
        session["web_slug"], session["web_ref"] = slug, ref
        _advance(rt, _send(rt, "", lang_hint=hint, start=Start(survey=slug, engager=ref)))
    return _page(rt, survey)


@bp.post("/s/<slug>")
def answer(slug: str):
    """Hand the answer to the engine, then show the next step (post/redirect/get); while
    the database is unreachable, keep it in the spool and say so."""
    rt = current()
    try:
        return _answer(rt, slug)
    except SQLAlchemyError as exc:
        if not spool.unreachable(exc) or not _csrf_ok() or not _current_form(slug):
            raise
        return _keep(rt, _inbounds())


def _answer(rt: Runtime, slug: str):
    survey = _survey(rt, slug)
    if survey is None:
        return _message(rt, None, "not-found", 404)
    if not _csrf_ok():
        return _message(rt, survey, "bad-request", 400)
    if not _current_form(slug):
        session["web_notice"] = "stale"  # back to where they are, nothing stored
        return redirect(url_for(".show", slug=session.get("web_slug") or slug), 303)
    inbounds = _inbounds()
    if Spool.of(rt.settings).holds(inbounds[0]):  # an earlier answer waits there: so does this
        return _keep(rt, inbounds)
    before = _visitor(rt, session["web_token"])
    *start, sent = inbounds
    for first in start:  # their first answer: the survey starts now, as the page showed
        _advance(rt, handle(rt, first, Delivery.SHOWN), first.provider_id)
    handled = handle(rt, sent, Delivery.SHOWN)
    if not _advance(rt, handled, sent.provider_id):
        session["web_notice"] = "slow-down"
    visitor = _visitor(rt, session["web_token"])
    if visitor is None and not _screened_out(rt):  # DELETE: say so, then forget the browser
        language = _language(rt, survey, before)
        for key in SESSION_KEYS:
            session.pop(key, None)
        return _render(rt, survey, language, handled.replies)
    if visitor is None:  # screened out (an under-13): the token stays, to be thanked again
        return redirect(url_for(".show", slug=slug), 303)
    now_on = _survey(rt, visitor.survey) if visitor.survey else None
    session["web_slug"] = now_on.slug if now_on else slug  # a keyword may switch surveys
    return redirect(url_for(".show", slug=session["web_slug"]), 303)


# The visitor and the engine ------------------------------------------------------------


def _screened_out(rt: Runtime) -> screened.Mark | None:
    """Whether this browser's token was screened out lately (bot/screened.py): it is kept,
    so that the survey is not started afresh, and the thank-you is shown again."""
    token = session.get("web_token")
    return history.screened_out(rt, "web", token) if token else None


def _first_page(rt: Runtime, survey: Questionnaire, lang: str | None, ref: str | None):
    """The first page for a visitor who has sent nothing: worked out from the survey alone,
    nothing stored. What it started with is kept in the cookie, for their first POST."""
    if "web_token" not in session or session.get("web_step") != NEW:
        _new_visitor()
    if session.get("web_slug") != survey.slug or (ref and ref != session.get("web_ref")):
        session["web_slug"], session["web_ref"] = survey.slug, ref
    session["web_step"], session["web_tries"] = NEW, 0
    hint = (lang or session.get("web_lang")
            or request.accept_languages.best_match(survey.languages))
    replies, language = preview(rt, _start(hint))
    return _render(rt, survey, language or survey.language, replies)


def _start(hint: str | None) -> Inbound:
    """The message that starts this visitor's survey (with the engager of `?ref=`)."""
    token = session["web_token"]
    return Inbound("web", token, "", provider_id=f"{token}.start", lang_hint=hint,
                   start=Start(survey=session.get("web_slug"), engager=session.get("web_ref")))


def _current_form(slug: str) -> bool:
    """Whether the form posted is the page the visitor is on (not an older one)."""
    step = session.get("web_step")
    return (step is not None and session.get("web_slug") == slug
            and request.form.get("step") == str(step))


def _inbounds() -> list[Inbound]:
    """The messages a form is: its answer, after the survey's start if it is the first.
    Their provider ids come from the cookie alone, so that a double click, or the same
    form sent again after an outage, is stored once."""
    step, tries = session["web_step"], session.get("web_tries", 0)
    if step == NEW:
        start = _start(session.get("web_lang"))
        return [start, Inbound("web", start.address, _answer_text(),
                               provider_id=f"{start.address}.first.{tries}")]
    return [Inbound("web", session["web_token"], _answer_text(),
                    provider_id=f"{step}.{tries}")]


def _keep(rt: Runtime, inbounds: list[Inbound]):
    """Keep the form's messages in the spool and tell the visitor so."""
    kept = Spool.of(rt.settings)
    for inbound in inbounds:
        kept.keep(inbound, Delivery.SHOWN)
    session["web_spooled"] = inbounds[-1].provider_id
    return _kept(rt)


def _replayed(rt: Runtime) -> bool:
    """Whether the answer kept in the spool has been replayed: the visitor's page moves on
    to the replies it got."""
    if Spool.of(rt.settings).holds(Inbound("web", session.get("web_token", ""))):
        return False
    found = history.inbound_id(rt, "web", session["web_spooled"])
    session.pop("web_spooled")
    if found is not None:
        session["web_step"], session["web_tries"] = found, 0
    return True


def _kept(rt: Runtime):
    """The page saying the answer is kept, in `?lang=` or the form's language; it needs
    no database."""
    wanted = request.args.get("lang")
    language = (wanted if wanted in rt.catalogs.languages
                else session.get("web_lang") or "en")
    words = _words(rt, language)
    return render_template(
        "web/message.html", lang=language, dir=direction(language), words=words,
        title=words["kept-title"], text=words["kept"], contact=_contact(rt, language),
        back=None)


def _new_visitor() -> None:
    for key in SESSION_KEYS:
        session.pop(key, None)
    session["web_token"] = secrets.token_urlsafe(24)
    session["web_csrf"] = secrets.token_urlsafe(32)


def _csrf_ok() -> bool:
    expected, given = session.get("web_csrf"), request.form.get("csrf")
    if not expected or not given or "web_token" not in session:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def _engager_code(ref: str | None) -> str | None:
    """A peer engager's code from ?ref=; anything that cannot be one is ignored."""
    code = (ref or "").strip().upper()
    return code if is_engager_code(code) else None


def _answer_text() -> str:
    """The form as a chat message: SKIP, the chosen numbers "1,3", or what was typed."""
    if "skip" in request.form:
        return SKIP
    values = request.form.getlist("answer")
    return values[0] if len(values) == 1 else ",".join(values)


def _send(rt: Runtime, text: str, **more) -> Handled:
    return handle(rt, Inbound("web", session["web_token"], text, **more), Delivery.SHOWN)


def _advance(rt: Runtime, handled: Handled, provider_id: str | None = None) -> bool:
    """Make these replies the current page; False if the engine did not answer (the
    visitor is sending too fast), which keeps the page and the next provider id fresh."""
    if not handled.replies or handled.rate_limited:
        session["web_tries"] = session.get("web_tries", 0) + 1
        return False
    step = (history.inbound_id(rt, "web", provider_id) if handled.duplicate
            else handled.inbound_id)
    session["web_step"], session["web_tries"] = step, 0
    return True


# Reading what is stored ----------------------------------------------------------------


def _survey(rt: Runtime, slug: str) -> Questionnaire | None:
    """An open survey by its slug; a members' survey (the wellbeing check-in) is not one:
    it goes to assembly members by name, never to whoever has the link."""
    with rt.sessions() as db:
        survey = registry.current(db).get(slug)
    return survey if survey is not None and survey.audience in OPEN_TO else None


def _visitor(rt: Runtime, token: str | None) -> history.ContactSummary | None:
    """The contact behind this browser's token, or None (new, or erased)."""
    return history.contact_summary(rt, "web", token) if token else None


# Rendering -----------------------------------------------------------------------------


def _language(rt: Runtime, survey: Questionnaire | None,
              visitor: history.ContactSummary | None) -> str:
    if visitor is not None and visitor.language:
        return visitor.language
    if survey is not None:
        return survey.language
    wanted = request.args.get("lang")
    offered = rt.catalogs.languages or ["en"]
    return wanted if wanted in offered else request.accept_languages.best_match(offered, "en")


def _words(rt: Runtime, lang: str) -> dict[str, str]:
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
    words = _words(rt, lang)
    if reply.question == "consent":
        return Field("consent", words["consent-question"],
                     [(AGREE, words["agree"]), (DECLINE, words["decline"])],
                     words["consent-hint"] if reply.hint else None)
    # an option's number as a chat would type it; a scale's or an age band's own value
    by_number = reply.question is not None and reply.style == "list"
    options = [(str(n) if by_number else option.id, option.label)
               for n, option in enumerate(reply.options, start=1)]
    question = survey.question(reply.question or "")
    made = Field("checkbox" if reply.multi else "radio", _for_web(rt, lang, reply.text),
                 options, _error(rt, lang, question) if reply.hint else None,
                 reply.note is not None)
    if reply.question is None and options:  # a menu the engine offers between questions
        if all(option.id in rt.catalogs.languages for option in reply.options):
            made.label = words["languages"]
        elif reply.text == rt.catalogs.bot(lang, "delete-confirm"):
            made.label = words["delete-confirm"]
        elif reply.text == rt.catalogs.bot(lang, "restart-confirm"):
            made.label = words["restart-confirm"]
        made.label = made.label or reply.text
    if not options:
        number = question is not None and question.type == "number"
        made.kind = "number" if number else "text"
        if number:
            made.min, made.max = question.min, question.max
    if reply.hint and not options:
        made.value = typed
    return made


def _error(rt: Runtime, lang: str, question: Question | None) -> str:
    """What is wrong with an answer, said for a form ("Enter a number from 0 to 100.")."""
    kind = question.type if question is not None else "text"
    if kind == "number" and question.min is not None and question.max is not None:
        kind = "number-range"
    kind = "choice" if kind == "yesno" else kind
    bounds = {"min": _num(question.min), "max": _num(question.max)} if question else {}
    return rt.catalogs.bot(lang, f"web/hint/{kind}", **bounds)


def _num(value: float | None) -> str:
    return "" if value is None else str(int(value) if float(value).is_integer() else value)


@functools.cache
def _chat_wording() -> ChatWording:
    return ChatWording.load()


@bp.record_once
def _load_wording(state) -> None:
    """Read the chat-wording files when the app is made: a broken one stops start-up."""
    _chat_wording()


def _keywords(rt: Runtime) -> frozenset[str]:
    """Every word a chat user is told to type, in every language: the keywords, yes and
    no, and the surveys' own keywords (folded). Worked out once per request."""
    if "web_keywords" not in g:
        g.web_keywords = _all_keywords(rt)
    return g.web_keywords


def _all_keywords(rt: Runtime) -> frozenset[str]:
    langs = rt.catalogs.languages
    found = set()
    for key in KEYWORDS:
        found |= rt.catalogs.words(f"keywords/{key}", langs)
    for key in ("yes", "no"):
        found |= {rt.catalogs.bot(lang, key).casefold() for lang in langs}
    with rt.sessions() as db:
        found |= {s.keyword.casefold() for s in registry.current(db).values() if s.keyword}
    return frozenset(found)


def _for_web(rt: Runtime, lang: str, text: str) -> str:
    """A survey or bot text without its chat-only wording."""
    return _chat_wording().for_web(text, lang, _keywords(rt))


def _privacy(rt: Runtime, survey: Questionnaire | None, lang: str) -> str | None:
    """The survey's privacy notice: its consent text, as a page shows it."""
    if survey is None or not survey.consent:
        return None
    text = rt.catalogs.text([lang, survey.language], f"{survey.slug}/consent", survey.consent)
    return _for_web(rt, lang, text) or None


def _contact(rt: Runtime, lang: str) -> dict[str, str]:
    """The contact line in pieces, so that the page can isolate the contact's own direction
    (`<bdi>`: an English contact inside an Urdu sentence). HELP_CONTACT, translated where a
    catalogue has it, as HELP gives it; without one, HELP's line naming the organisation."""
    contact = rt.settings.help_contact
    if contact:
        key, name = "web/contact", "contact"
        contact = rt.catalogs.text([lang], "bot/help-contact-value", contact)
    else:
        key, name, contact = "help-org", "org", rt.settings.org_name
    before, _, after = rt.catalogs.bot(lang, key, **{name: "\0"}).partition("\0")
    return {"before": before, "contact": contact, "after": after}


def _progress(rt: Runtime, lang: str, survey: Questionnaire, question_id: str | None,
              answers: dict[str, Any]) -> dict[str, Any] | None:
    """Where this question stands among those that apply so far: the questions without a
    `when`, and those whose `when` the answers given so far meet. The total grows when an
    answer opens a follow-up question."""
    if survey.question(question_id or "") is None:
        return None
    applies = [q.id for q in survey.questions
               if q.when is None or q.id == question_id or q.id in answers
               or conditions.evaluate(q.when, answers)]
    number, total = applies.index(question_id) + 1, len(applies)
    return {"number": number, "total": total, "done": number - 1,
            "text": rt.catalogs.bot(lang, "web/progress", number=number, total=total)}


def _page(rt: Runtime, survey: Questionnaire):
    """The current step of this visitor, as a whole page."""
    visitor = _visitor(rt, session.get("web_token"))
    mark = _screened_out(rt) if visitor is None else None
    language = (mark.language if mark is not None and mark.language
                else _language(rt, survey, visitor))
    typed, replies = history.exchange(rt, "web", session.get("web_step"))
    if mark is not None and (lang := request.args.get("lang")) in survey.languages:
        language = lang  # the page's language links: only the page's text, nothing stored
        replies = [_thank_you(rt, mark, lang)]
    return _render(rt, survey, language, replies, typed, visitor.answers if visitor else {},
                   screened_out=mark is not None)


def _thank_you(rt: Runtime, mark: screened.Mark, lang: str) -> Reply:
    """The screened-out thank-you of `mark`'s survey, in `lang`."""
    with rt.sessions() as db:
        screened_from = registry.current(db).get(mark.survey)
    if screened_from is None:
        return Reply(rt.catalogs.bot(lang, "nothing-to-do"))
    return Reply(rt.catalogs.text([lang, screened_from.language], f"{mark.survey}/screen_out",
                                  screened_from.screen_out or screened_from.outro))


def _render(rt: Runtime, survey: Questionnaire, language: str, replies: list[Reply],
            typed: str = "", answers: dict[str, Any] | None = None,
            screened_out: bool = False):
    """A page of the form. Someone screened out (an under-13) is told, in their language,
    that nothing they said was kept, in place of the survey's privacy notice."""
    asks = [i for i, reply in enumerate(replies) if reply.options or reply.question]
    asked = replies[asks[-1]] if asks else None
    form = _field(rt, language, asked, survey, typed) if asked else None
    said = [_for_web(rt, language, reply.text) for i, reply in enumerate(replies)
            if not asks or i != asks[-1]]
    notice = session.pop("web_notice", None)
    session["web_lang"] = language  # the page's language, for a page shown without a database
    words = _words(rt, language)
    if notice == "slow-down":
        notice = rt.catalogs.bot(language, "slow-down")
    elif notice is not None:
        notice = words.get(notice)
    progress = (_progress(rt, language, survey, asked.question, answers or {})
                if asked is not None else None)
    return render_template(
        "web/page.html", lang=language, dir=direction(language), words=words,
        title=_title(rt, survey, language), said=[text for text in said if text], form=form,
        notice=notice, progress=progress,
        privacy=words["privacy-screened"] if screened_out else _privacy(rt, survey, language),
        contact=_contact(rt, language), languages=_languages(survey, language),
        csrf=session.get("web_csrf", ""), step=session.get("web_step", ""),
        action=url_for(".answer", slug=survey.slug))


def _title(rt: Runtime, survey: Questionnaire, language: str) -> str:
    return rt.catalogs.text([language, survey.language], f"{survey.slug}/title", survey.title)


def _languages(survey: Questionnaire, current: str) -> list[dict[str, object]]:
    """The language switcher: each offered language in its own name, as a plain link."""
    return [{"code": code, "name": language_name(code), "dir": direction(code),
             "href": url_for(".show", slug=survey.slug, lang=code), "current": code == current}
            for code in survey.languages]


def _message(rt: Runtime, survey: Questionnaire | None, key: str, status: int):
    """A short page for a link that leads nowhere (404) or a refused form (400)."""
    language = _language(rt, survey, _visitor(rt, session.get("web_token")))
    words = _words(rt, language)
    page = render_template(
        "web/message.html", lang=language, dir=direction(language), words=words,
        title=words[f"{key}-title"], text=words[key], contact=_contact(rt, language),
        back=url_for(".show", slug=survey.slug) if survey else None)
    return page, status
