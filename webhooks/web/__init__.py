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

Here: the routes and the pages they choose. `visitor` holds the cookie and the messages a
form is, `page` renders a step, `wording` strips the chat-only wording.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from sqlalchemy.exc import SQLAlchemyError

from bot import history, screened, spool
from bot.conversations import handle, preview
from bot.messages import Delivery
from bot.runtime import Runtime, current
from bot.spool import Spool
from bot.state import Reply, Start
from surveys import registry
from surveys.model import Questionnaire
from translations.catalog import language_name
from webhooks.web import page, visitor
from webhooks.web.visitor import LANG, NEW, OPEN_TO
from webhooks.web.wording import chat_wording

# The templates sit beside the other channels' in webhooks/templates/.
bp = Blueprint("web", __name__, template_folder="../templates")


@bp.record_once
def _load_wording(state) -> None:
    """Read the chat-wording files when the app is made: a broken one stops start-up."""
    chat_wording()


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
    listed = [{"title": page.title(rt, s, lang), "href": url_for(
        ".show", slug=s.slug, lang=lang if lang in s.languages else s.language)}
        for s in surveys]
    languages = [{"code": code, "name": language_name(code), "dir": page.direction(code),
                  "href": url_for(".index", lang=code), "current": code == lang}
                 for code in offered]
    words = page.words(rt, lang)
    return render_template(
        "web/index.html", lang=lang, dir=page.direction(lang), words=words,
        title=words["surveys-title"], surveys=listed, languages=languages,
        contact=page.contact(rt, lang))


@bp.get("/s/<slug>")
def show(slug: str):
    """Show the first page, start another survey, change the language, or show the current
    step again."""
    rt = current()
    if session.get("web_spooled") and not visitor.replayed(rt):
        return _kept(rt)  # before any query: this page is shown while the database is down
    survey = visitor.survey(rt, slug)
    if survey is None:
        return _message(rt, None, "not-found", 404)
    lang = request.args.get("lang")
    lang = lang if lang in survey.languages else None
    ref = visitor.engager_code(request.args.get("ref"))
    letter = visitor.letter_code(request.args.get("code"))
    person = visitor.visitor(rt, session.get("web_token"))
    if person is None and not visitor.screened_out(rt):
        if letter is None and lang and session.get("web_slug") == slug:
            letter = session.get("web_letter")  # a language link: the letter's code stays
        return _first_page(rt, survey, lang, ref, letter)
    if person is not None and lang and lang != person.language:
        visitor.send(rt, LANG)
        visitor.advance(rt, visitor.send(rt, lang))
    if (session.get("web_slug") != slug or "web_step" not in session
            or (ref and ref != session.get("web_ref"))
            or (letter and letter != session.get("web_letter"))):
        hint = lang or request.accept_languages.best_match(survey.languages)
        session["web_slug"], session["web_ref"] = slug, ref
        _letter(letter)
        visitor.advance(rt, visitor.send(rt, "", lang_hint=hint,
                                         start=Start(survey=slug, engager=ref, letter=letter)))
    return _page(rt, survey)


@bp.post("/s/<slug>")
def answer(slug: str):
    """Hand the answer to the engine, then show the next step (post/redirect/get); while
    the database is unreachable, keep it in the spool and say so."""
    rt = current()
    try:
        return _answer(rt, slug)
    except SQLAlchemyError as exc:
        if (not spool.unreachable(exc) or not visitor.csrf_ok()
                or not visitor.current_form(slug)):
            raise
        visitor.keep(rt, visitor.inbounds())
        return _kept(rt)


def _answer(rt: Runtime, slug: str):
    survey = visitor.survey(rt, slug)
    if survey is None:
        return _message(rt, None, "not-found", 404)
    if not visitor.csrf_ok():
        return _message(rt, survey, "bad-request", 400)
    if not visitor.current_form(slug):
        session["web_notice"] = "stale"  # back to where they are, nothing stored
        return redirect(url_for(".show", slug=session.get("web_slug") or slug), 303)
    inbounds = visitor.inbounds()
    if Spool.of(rt.settings).holds(inbounds[0]):  # an earlier answer waits there: so does this
        visitor.keep(rt, inbounds)
        return _kept(rt)
    before = visitor.visitor(rt, session["web_token"])
    *start, sent = inbounds
    for first in start:  # their first answer: the survey starts now, as the page showed
        visitor.advance(rt, handle(rt, first, Delivery.SHOWN), first.provider_id)
    handled = handle(rt, sent, Delivery.SHOWN)
    if not visitor.advance(rt, handled, sent.provider_id):
        session["web_notice"] = "slow-down"
    person = visitor.visitor(rt, session["web_token"])
    if person is None and not visitor.screened_out(rt):  # DELETE: say so, forget the browser
        language = page.language(rt, survey, before)
        visitor.forget()
        return page.render(rt, survey, language, handled.replies)
    if person is None:  # screened out (an under-13): the token stays, to be thanked again
        return redirect(url_for(".show", slug=slug), 303)
    now_on = visitor.survey(rt, person.survey) if person.survey else None
    session["web_slug"] = now_on.slug if now_on else slug  # a keyword may switch surveys
    return redirect(url_for(".show", slug=session["web_slug"]), 303)


# The pages a route chooses -------------------------------------------------------------


def _first_page(rt: Runtime, survey: Questionnaire, lang: str | None, ref: str | None,
                letter: str | None = None):
    """The first page for a visitor who has sent nothing: worked out from the survey alone
    (and, for a letter's code, whether it is open), nothing stored. What it started with
    is kept in the cookie, for their first POST."""
    if "web_token" not in session or session.get("web_step") != NEW:
        visitor.new_visitor()
    if (session.get("web_slug") != survey.slug or (ref and ref != session.get("web_ref"))
            or letter != session.get("web_letter")):
        session["web_slug"], session["web_ref"] = survey.slug, ref
        _letter(letter)
    session["web_step"], session["web_tries"] = NEW, 0
    hint = (lang or session.get("web_lang")
            or request.accept_languages.best_match(survey.languages))
    replies, language = preview(rt, visitor.start(hint))
    return page.render(rt, survey, language or survey.language, replies)


def _letter(code: str | None) -> None:
    """Keep a letter's code (?code=) in the cookie for the form's first POST; only then."""
    if code is None:
        session.pop("web_letter", None)
    else:
        session["web_letter"] = code


def _page(rt: Runtime, survey: Questionnaire):
    """The current step of this visitor, as a whole page."""
    person = visitor.visitor(rt, session.get("web_token"))
    mark = visitor.screened_out(rt) if person is None else None
    language = (mark.language if mark is not None and mark.language
                else page.language(rt, survey, person))
    typed, replies = history.exchange(rt, "web", session.get("web_step"))
    if mark is not None and (lang := request.args.get("lang")) in survey.languages:
        language = lang  # the page's language links: only the page's text, nothing stored
        replies = [_thank_you(rt, mark, lang)]
    return page.render(rt, survey, language, replies, typed,
                       person.answers if person else {}, screened_out=mark is not None)


def _thank_you(rt: Runtime, mark: screened.Mark, lang: str) -> Reply:
    """The screened-out thank-you of `mark`'s survey, in `lang`."""
    with rt.sessions() as db:
        screened_from = registry.current(db).get(mark.survey)
    if screened_from is None:
        return Reply(rt.catalogs.bot(lang, "nothing-to-do"))
    return Reply(rt.catalogs.text([lang, screened_from.language], f"{mark.survey}/screen_out",
                                  screened_from.screen_out or screened_from.outro))


def _kept(rt: Runtime):
    """The page saying the answer is kept, in `?lang=` or the form's language; it needs
    no database."""
    wanted = request.args.get("lang")
    language = (wanted if wanted in rt.catalogs.languages
                else session.get("web_lang") or "en")
    return page.message(rt, language, "kept")


def _message(rt: Runtime, survey: Questionnaire | None, key: str, status: int):
    """A short page for a link that leads nowhere (404) or a refused form (400)."""
    language = page.language(rt, survey, visitor.visitor(rt, session.get("web_token")))
    back = url_for(".show", slug=survey.slug) if survey else None
    return page.message(rt, language, key, back), status
