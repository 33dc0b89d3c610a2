"""Registering for the civic lottery with a letter's code: REGISTER CODE (SMS, WhatsApp,
Telegram), a first message that is only a code, Telegram's /start CODE and the web form's
?code=. Only a letter's code opens the registration survey (audience `registrants`).

The code is looked up through the Env (`letter_code`, bot/registrants.py): open starts the
registration with the code carried in the run (`Run.letter`; completing it makes the
registrant); used, closed, full, registered (this person already is) and unknown each get
their own reply, which says nothing more about the code than that. Every refused code
counts against the conversation: after LETTER_TRIES in an hour, none is looked up.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot import addresses, answers, letter_codes
from bot.engine.asking import ask, prompt
from bot.engine.languages import first_language, named_language, set_language, words_language
from bot.engine.survey import LETTER_CODE, ask_letter_code, screen_out_text, start
from bot.engine.turn import Message, Turn
from bot.state import ResponseExpired
from surveys.model import REGISTRANTS, Questionnaire
from translations import weekdays

LETTER_TRIES = 5  # refused codes a conversation may give in LETTER_TRIES_WINDOW
LETTER_TRIES_WINDOW = timedelta(hours=1)
# What each refused status is told (bot texts); "open" starts the registration.
REFUSED = {"used": "register-code-used", "closed": "register-closed",
           "full": "register-code-full", "registered": "register-already",
           "unknown": "register-code-unknown"}
AGE_CHECK = "age"  # the interrupt while "Is 3 your age?" waits for its answer
ASK_AGAIN = ("unknown", "used", "full")  # another code may follow: it is asked for
_BARE_STEPS = ("idle", "done")  # where a short message with a code in it is read as one
SHORT_MESSAGE = 12  # words: a longer message with a code in it is not taken as registering


def register(turn: Turn, message: Message) -> bool:
    """A letter's code (a start carrying one, REGISTER CODE, a bare code, the answer to
    "which code?") or REGISTER alone; and, during a registration, a phone number that
    cannot be one asked again. Anything else: False (carry on)."""
    survey = turn.env.audience_survey(REGISTRANTS)
    if survey is None:
        return False
    msg = message.incoming
    if msg.start is not None and msg.start.letter is not None:
        return _with_code(turn, survey, msg.start.letter, msg.lang_hint)
    if _bad_phone(turn, message) or _age_check(turn, message):
        return True
    words = re.sub(r"[^\w]+", " ", message.text.upper()).split()
    if words and words[0] == survey.keyword and not _answers_text(turn):
        if len(words) == 1:
            first_language(turn, "", survey, msg.lang_hint)
            ask_letter_code(turn, keep=turn.run.in_progress)
            return True
        after = re.sub(r"^\W*\w+\W*", "", message.text, count=1)  # what follows the keyword
        code = letter_codes.read(after) or letter_codes.find(after)
        if code is not None and letter_codes.read(after) is None:  # words beside the code
            _words_around(turn, survey, letter_codes.without(after, code), msg.lang_hint)
        return _with_code(turn, survey, code, msg.lang_hint)
    if turn.run.interrupt == "letter":
        turn.run.interrupt = None
        code = letter_codes.read(message.text)
        if code is None and (turn.run.in_progress or _other_keyword(turn, words)):
            return False  # an answer to the survey under way, or another survey's keyword
        return _with_code(turn, survey, code, msg.lang_hint)
    code = _code_in(turn, message.text, words)
    if code is not None:
        _words_around(turn, survey, letter_codes.without(message.text, code), msg.lang_hint)
        return _with_code(turn, survey, code, msg.lang_hint)
    return False


def _code_in(turn: Turn, text: str, words: list[str]) -> str | None:
    """A letter's code in a short message ("Dzień dobry, chcę się zarejestrować E9C-DH4-NYR",
    "EMR-E2F-EUP po polsku") from someone on no survey or done with one; during another
    survey, only a message that is the code alone and cannot answer the question asked."""
    if turn.run.step in _BARE_STEPS and 0 < len(words) <= 3:
        code = letter_codes.read(" ".join(words))  # only a code, however typed
        if code is not None:
            return code
    if turn.run.step in _BARE_STEPS and 0 < len(words) <= SHORT_MESSAGE:
        return letter_codes.find(text)
    question = turn.current_question()
    if (turn.run.step == "question" and turn.run.letter is None and question is not None
            and question.type != "text"):
        return letter_codes.read(text)
    return None


def _words_around(turn: Turn, survey: Questionnaire, rest: str, hint: str | None) -> None:
    """The language of the words around a code: one asked for by name ("po polsku"), else
    on first contact the one they wrote in, else (known already) a confident other one."""
    if not rest.strip():
        return
    lang = named_language(turn, answers.fold(rest)) or turn.env.requested(rest,
                                                                          survey.languages)
    if lang in survey.languages:
        set_language(turn, lang)
    elif turn.state.contact.language is None:
        first_language(turn, rest, survey, hint)
    else:
        words_language(turn, turn.env.detect(rest, survey.languages))


def _with_code(turn: Turn, survey: Questionnaire, code: str | None,
               hint: str | None = None) -> bool:
    """Look the code up (unless too many were refused lately) and start the registration
    or say why not. A registration this conversation ended under 16 is not retried with
    another code (the thank-you says to reply HELP if the age was a mistake)."""
    first_language(turn, "", survey, hint)
    if (turn.run.survey == survey.slug and turn.run.step == "done"
            and turn.env.registration() is None):
        turn.say(screen_out_text(turn, survey))
        return True
    since = turn.now - LETTER_TRIES_WINDOW
    tries = [t for t in turn.state.letter_tries if datetime.fromisoformat(t) > since]
    if len(tries) >= LETTER_TRIES:
        turn.state.letter_tries = tries
        turn.say(turn.bot("register-code-wait"))
        return True
    found = turn.env.letter_code(code) if code is not None else None
    status = found.status if found is not None else "unknown"
    if status == "open":
        turn.state.letter_tries = tries
        if turn.run.in_progress and turn.run.letter == code:
            prompt(turn)  # the same code again, part way through: carry on
        else:
            if turn.run.step == "question":
                turn.effects.append(ResponseExpired())
            start(turn, survey, None, code)
        return True
    turn.state.letter_tries = [*tries, turn.now.isoformat()]
    said = _refusal(turn, REFUSED.get(status, REFUSED["unknown"]), found)
    if turn.run.in_progress:
        turn.say(said)
        prompt(turn)
    elif status in ASK_AGAIN:  # their next message is read as a code too
        turn.run.interrupt = "letter"
        turn.say(said, question=LETTER_CODE)
    else:
        turn.say(said)
    return True


def _refusal(turn: Turn, key: str, found) -> str:
    """A refused code's reply; a closed one names the day registration closed."""
    if key == REFUSED["closed"] and found is not None and found.closes:
        return turn.bot(key, date=weekdays.day_name(date.fromisoformat(found.closes),
                                                    turn.lang))
    if key == REFUSED["closed"]:
        return turn.bot("register-closed-now")
    return turn.bot(key)


def _bad_phone(turn: Turn, message: Message) -> bool:
    """During a registration, an answer to the phone question (`role: phone`) that is no
    whole phone number: asked again (keywords were taken before this)."""
    question = turn.current_question()
    if turn.run.letter is None or question is None or question.role != "phone":
        return False
    try:
        number = addresses.whole_number(message.text, turn.env.phone_region)
    except addresses.InvalidAddress:
        ask(turn, question, hint=turn.bot("hint/phone"))
        return True
    if not addresses.mobile(number):  # the lottery's messages come by text: no landline
        ask(turn, question, hint=turn.bot("register-phone-mobile"))
        return True
    return False


def _age_check(turn: Turn, message: Message) -> bool:
    """During a registration, a bare number at the age question that could be an option's
    place in the list (1 to their count) and is under the survey's youngest age: asked
    once whether it is their age; the next answer is taken as it comes (under age again
    screens out as any would)."""
    question = turn.current_question()
    if turn.run.letter is None or question is None or question.role != "age":
        return False
    if turn.run.interrupt == AGE_CHECK:
        turn.run.interrupt = None
        return False
    typed = message.text.strip()
    if not typed.isdigit() or question.type != "choice":
        return False
    age, youngest = int(typed), turn.survey.ages[0]
    if 1 <= age <= len(question.choices) and age < youngest:
        turn.run.interrupt = AGE_CHECK
        turn.say(turn.bot("register-age-check", age=age), question=question.id)
        return True
    return False


def _answers_text(turn: Turn) -> bool:
    """Whether the question asked takes free text ("Register" may be an answer to it)."""
    question = turn.current_question()
    return question is not None and question.type == "text"


def _other_keyword(turn: Turn, words: list[str]) -> bool:
    return bool(words) and any(s.keyword == words[0] for s in turn.env.surveys.values())
