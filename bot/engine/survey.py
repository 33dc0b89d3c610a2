"""The survey in a conversation: starting it, consent, answers, the next question by its
`when`, finishing, screening out, and what a message says once it is over."""

from __future__ import annotations

from datetime import date

from bot import addresses, answers
from bot.engine.asking import ask, hint
from bot.engine.languages import (
    first_language,
    language_of_word,
    language_request,
    named_language,
    set_language,
)
from bot.engine.members import check_wellbeing
from bot.engine.turn import Message, Turn
from bot.lottery_state import Registered
from bot.state import (
    AnswerRecorded,
    ConsentGiven,
    ConsentRefused,
    EraseRequested,
    ResponseCompleted,
    ResponseExpired,
    ResponseScreenedOut,
    ResponseStarted,
    Run,
)
from surveys import conditions
from surveys.model import REGISTRANTS, Question, Questionnaire
from translations import weekdays

# What a reply asking for a letter's code asks (a web form shows a text box for it).
LETTER_CODE = "letter_code"
NOT_SELECTED = "not_selected"  # a registrant the lottery's close left out (lottery/confirm.py)

# Starting --------------------------------------------------------------------------------


def first_contact(turn: Turn, message: Message) -> bool:
    """A message nothing else took: a first message starts the survey."""
    start_first(turn, message.text, message.incoming.lang_hint)
    return True


def start_first(turn: Turn, text: str, lang_hint: str | None = None) -> None:
    """The starting survey, in the language their first words were in — but a member's
    words that answer nothing we asked are no reason to start the residents' survey."""
    if turn.env.member() is not None:
        if not turn.signposted:
            turn.say(turn.bot("member-unclear"))
        return
    survey = turn.env.start_survey()
    if survey is None:
        turn.say(turn.bot("nothing-to-do"))
        return
    first_language(turn, text, survey, lang_hint)
    if turn.signposted:
        return  # their first words were a disclosure: no cheerful survey intro after it
    start(turn, survey, None)


def switch_to(turn: Turn, survey: Questionnaire, engager: str | None) -> None:
    """Start `survey`, leaving any survey under way as expired (its answers kept)."""
    if turn.run.step == "question":
        turn.effects.append(ResponseExpired())
    start(turn, survey, engager)


def start(turn: Turn, survey: Questionnaire, engager: str | None,
          letter: str | None = None) -> None:
    """A fresh run of `survey`: its intro, then the consent question or the first question.
    The lottery's registration runs only on a letter's code (`letter`): without one, however
    it was reached (its keyword, a link, RESTART once done), the code is asked for."""
    if survey.audience == REGISTRANTS and letter is None:
        ask_letter_code(turn)
        return
    turn.state.run = Run(survey=survey.slug, version=survey.version, engager=engager,
                         active_at=turn.run.active_at,
                         started_at=turn.now.isoformat() if turn.now else None, letter=letter)
    turn.say(turn.text(survey, "intro", survey.intro))
    if survey.consent:
        turn.run.step = "consent"
        turn.say(turn.text(survey, "consent", survey.consent), turn.yes_no(), style="keys",
                 question="consent")
    else:
        begin_questions(turn, survey)


def begin_questions(turn: Turn, survey: Questionnaire) -> None:
    """The response starts (an effect) and the first question that applies is asked."""
    turn.effects.append(ResponseStarted(survey.slug, survey.version,
                                        turn.lang or survey.language, turn.run.engager))
    turn.run.step = "question"
    turn.run.answers = {}
    go_to(turn, survey, next_question(turn, survey, None))


def ask_letter_code(turn: Turn, keep: bool = False) -> None:
    """Ask for the code printed on their letter (their next message is read as one);
    `keep`: a survey under way keeps its place, should that message be an answer."""
    if not keep:
        turn.state.run = Run(active_at=turn.run.active_at)
    turn.run.interrupt = "letter"
    turn.say(turn.bot("register-code-ask"), question=LETTER_CODE)


# Consent and answers ---------------------------------------------------------------------


def on_consent(turn: Turn, message: Message) -> bool:
    """YES or NO (alone, or first: "yes please", "no thanks"), or a language asked for
    ("nie rozumiem" asks for Polish before its "nie" could refuse)."""
    if turn.run.step != "consent":
        return False
    norm, survey = message.norm, turn.survey
    first = answers.first_word(norm)
    yes, no = turn.words("words/yes"), turn.words("words/no")
    if norm in yes or norm == "1":
        consent(turn, survey, True)
    elif norm in no or norm == "2":
        language_of_word(turn, "words/no", norm)
        consent(turn, survey, False)
    elif language_request(turn, message.text):
        pass
    elif first in yes or first in no:
        language_of_word(turn, "words/no", first)
        consent(turn, survey, first in yes)
    else:
        lead = None if turn.signposted else turn.bot("consent-hint")
        turn.say(turn.text(survey, "consent", survey.consent), turn.yes_no(), style="keys",
                 hint=lead, question="consent")
    return True


def consent(turn: Turn, survey: Questionnaire, given: bool) -> None:
    """Consent given (the questions begin) or refused (recorded with its wording; nothing more)."""
    wording = turn.text(survey, "consent", survey.consent)
    lang = turn.lang or survey.language
    if given:
        turn.effects.append(ConsentGiven(survey.slug, survey.version, wording, lang))
        turn.run.consented = True
        begin_questions(turn, survey)
    else:
        turn.effects.append(ConsentRefused(survey.slug, survey.version, wording, lang))
        turn.state.run = Run(step="refused", active_at=turn.run.active_at)
        turn.say(turn.bot("refused"))


def on_answer(turn: Turn, message: Message) -> bool:
    """An answer to the question asked: recorded, then the next question or the end; an
    answer we cannot read (or a language asked for) asks again."""
    if turn.run.step != "question":
        return False
    text = message.text
    survey, question = turn.survey, turn.current_question()
    if question is None:  # the survey changed under us: start again cleanly
        turn.state.run = Run()
        start_first(turn, text)
        return True
    value = answers.parse(question, text, turn.labels(survey, question),
                          turn.words("words/yes"), turn.words("words/no"),
                          turn.now.year if turn.now else None)
    if value is None:
        if not language_request(turn, text):
            ask(turn, question, hint=None if turn.signposted else hint(turn, question))
        return True
    written_in = None
    if question.type == "text":
        known = dict.fromkeys([*survey.languages, *turn.env.languages])
        written_in = turn.env.detect(value, known) or turn.lang or survey.language
    turn.effects.append(AnswerRecorded(question.id, value, answers.clean_text(text),
                                       written_in))
    before = dict(turn.run.answers)
    turn.run.answers[question.id] = value
    check_wellbeing(turn, survey, before, text)
    if question.type == "text" and turn.env.opt_out.mentioned(text):
        turn.stop_hint = turn.bot("stop-hint")  # "Don't contact me…": how to stop, if meant
    reason = survey.screens_out(question, turn.run.answers)
    if reason is not None:
        child = survey.under_13(question, turn.run.answers)
        turn.effects.append(ResponseScreenedOut(survey.slug, reason, turn.run.started_at,
                                                child))
        finish(turn, survey, screen_out_text(turn, survey),
               step="screened" if child else "done")
        return True
    advance(turn, question)
    return True


def advance(turn: Turn, question: Question) -> None:
    """On from `question` to the next that applies, or the end."""
    survey = turn.survey
    go_to(turn, survey, next_question(turn, survey, question.id))


def next_question(turn: Turn, survey: Questionnaire, after: str | None) -> Question | None:
    """The first question after `after` whose `when` holds for the answers so far."""
    ids = [q.id for q in survey.questions]
    start_at = 0 if after is None else ids.index(after) + 1
    for q in survey.questions[start_at:]:
        if q.when is None or conditions.evaluate(q.when, turn.run.answers):
            return q
    return None


def go_to(turn: Turn, survey: Questionnaire, question: Question | None) -> None:
    """Ask `question`; None is the end: completed, and the outro."""
    if question is None:
        if turn.run.letter is not None:  # a lottery registration: the registrant is made
            turn.effects.append(Registered(turn.run.letter, _phone(turn, survey)))
        turn.effects.append(ResponseCompleted())
        finish(turn, survey, turn.text(survey, "outro", survey.outro))
    else:
        turn.run.question = question.id
        ask(turn, question)


def _phone(turn: Turn, survey: Questionnaire) -> str | None:
    """The phone number a registration gave (its `role: phone` answer), in E.164."""
    given = next((turn.run.answers.get(q.id) for q in survey.with_role("phone")), None)
    try:
        return addresses.whole_number(str(given), turn.env.phone_region) if given else None
    except addresses.InvalidAddress:
        return None


def finish(turn: Turn, survey: Questionnaire, text: str, step: str = "done") -> None:
    """Say `text` and leave the run at `step` (done, or screened), its answers cleared."""
    turn.say(text)
    turn.state.run = Run(survey=survey.slug, version=survey.version, step=step,
                         consented=turn.run.consented, active_at=turn.run.active_at)


def screen_out_text(turn: Turn, survey: Questionnaire) -> str:
    """What someone screened out is told (the survey's screen_out, else its outro)."""
    return turn.text(survey, "screen_out", survey.screen_out or survey.outro)


# Once it is over -------------------------------------------------------------------------


def already_done(turn: Turn, message: Message) -> bool:
    """A message once the survey is done: how to go on, in the language they ask for
    if they ask for one; after an engager's log, how to log another chat."""
    if turn.run.step != "done":
        return False
    text = message.text
    lang = named_language(turn, answers.fold(text)) or turn.env.requested(
        text, turn.offered())
    if lang is not None:
        set_language(turn, lang)
    survey = turn.survey
    logged = survey is not None and survey.audience == "engagers"
    if survey is not None and survey.audience == REGISTRANTS and not turn.env.member():
        turn.say(registered_text(turn) or screen_out_text(turn, survey))
        return True
    turn.say(turn.bot("already-logged" if logged else
                      "member-unclear" if turn.env.member() else "already-done"))
    return True


def registered_text(turn: Turn) -> str | None:
    """What a registrant writing again is told: registered, messaged if selected (and when
    registration closes, if a date is set), HELP for questions; once the lottery closed
    without them, that they were not selected. None when they are no registrant (a
    registration that ended under 16): nothing to answer again either way."""
    found = turn.env.registration()
    if found is None:
        return None
    status, closes = found
    if status == NOT_SELECTED:
        return turn.bot("selection/not-selected-no-date")
    if closes:
        return turn.bot("register-done-closes",
                        date=weekdays.day_name(date.fromisoformat(closes), turn.lang))
    return turn.bot("register-done")


def screened_again(turn: Turn, message: Message) -> bool:
    """Someone a survey screened out (an under-13) writing again: thanked again and
    asked nothing, whatever they write (a code or a survey's keyword included). HELP
    still helps; DELETE erases at once (their answers are gone already: there is
    nothing a confirmation would protect)."""
    if turn.run.step != "screened":
        return False
    if turn.signposted:
        return True  # the signposting is the reply; no thank-you after it
    survey, keyword = turn.survey, message.keyword
    if keyword == "help":
        turn.say(turn.help())
    elif keyword == "delete":
        turn.effects.append(EraseRequested())
        turn.say(turn.bot("deleted"))
    elif survey is not None:
        turn.say(screen_out_text(turn, survey))
    else:
        turn.say(turn.bot("nothing-to-do"))
    return True
