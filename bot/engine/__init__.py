"""The conversation engine: (state, event, now, env) -> Sprint. Pure.

No storage, no HTTP, no clock: the caller loads the state, resumes it with an event,
carries out the effects, saves the state, sends the replies and schedules the wait.
Timers come back in as `ReminderDue` / `Expired` events (see bot/scheduler.py).

One module per concern (survey, keywords, languages, engagers, members, starting,
signposting, registration, confirming), each a set of handlers taking the `Turn`
(turn.py). A message goes to the handlers in `HANDLERS`' order; the first that takes it
(returns True) answers it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from bot import answers
from bot.engine import (
    asking,
    confirming,
    engagers,
    keywords,
    languages,
    members,
    registration,
    signposting,
    starting,
    survey,
)
from bot.engine.engagers import (
    ENGAGER_CODE_CHARS,
    ENGAGER_KEYWORDS,
    NEW_CODE_CHARS,
    is_engager_code,
)
from bot.engine.env import Env
from bot.engine.keywords import KEYWORDS
from bot.engine.members import link_code_text
from bot.engine.turn import Message, Turn
from bot.state import (
    Event,
    Expired,
    Incoming,
    ReminderDue,
    Reply,
    ResponseExpired,
    Run,
    Sprint,
    State,
)

__all__ = ["ENGAGER_CODE_CHARS", "ENGAGER_KEYWORDS", "HANDLERS", "KEYWORDS", "NEW_CODE_CHARS",
           "Env", "is_engager_code", "link_code_text", "prompt", "resume"]

Handler = Callable[[Turn, Message], bool]

# Who reads a message, in order; the first to return True answers it. Safeguarding's
# signposting comes before all of them (see `_on_message`).
HANDLERS: tuple[Handler, ...] = (
    keywords.while_opted_out,    # opted out: START or YES, HELP; else silence
    keywords.opt_out,            # STOP, or plain words asking to stop
    survey.screened_again,       # screened out (an under-13): thanked again, nothing asked
    members.link_chat,           # LINK CODE in Telegram
    starting.start_link,         # a channel's start (Telegram's /start, a web form)
    asking.media,                # a picture or voice note
    languages.pick_language,     # the answer to LANG's menu
    keywords.confirm_delete,     # the answer to DELETE's question
    keywords.confirm_restart,    # the answer to RESTART's question
    members.confirm_channel,     # which chat gets a member's reminders
    keywords.keyword,            # HELP, LANG, SKIP, RESTART, DELETE
    engagers.engager_keyword,    # PROMPTS, LOG, STATS from a peer engager
    members.call_request,        # CALL from a member
    members.link_request,        # LINK from a member
    confirming.answer,           # YES or NO from a registrant the lottery selected
    members.rsvp,                # YES or NO to a member's session
    registration.register,       # REGISTER CODE, or a letter's bare code
    starting.survey_keyword,     # SAFETY, YOUTH CODE ..., an engager's bare code
    survey.on_consent,           # the answer to the consent question
    survey.on_answer,            # the answer to the question asked
    survey.already_done,         # a message once the survey is done
    survey.first_contact,        # anything else: the survey starts
)


def resume(state: State, event: Event, now: datetime, env: Env) -> Sprint:
    """Resume a conversation with one event; the input state is not modified."""
    turn = Turn(copy.deepcopy(state), now, env)
    if isinstance(event, Incoming):
        turn.state.run.active_at = now.isoformat()
        _on_message(turn, event)
    elif isinstance(event, ReminderDue):
        _on_reminder(turn)
    elif isinstance(event, Expired):
        _on_expired(turn)
    return Sprint(turn.state, turn.replies, turn.effects, turn.wait())


def prompt(state: State, env: Env) -> list[Reply]:
    """The replies that ask again what the conversation is waiting for; changes nothing."""
    turn = Turn(copy.deepcopy(state), None, env)
    asking.prompt(turn)
    return turn.replies


def _on_message(turn: Turn, msg: Incoming) -> None:
    if msg.concern is not None:
        signposting.signpost(turn, msg)  # first, whatever else this message is; then carry on
    norm = answers.fold(msg.text)
    message = Message(msg, norm, keywords.keyword_in(turn, norm) if norm else None)
    for handler in HANDLERS:
        if handler(turn, message):
            return


def _on_reminder(turn: Turn) -> None:
    if turn.run.in_progress and not turn.run.nudged and not turn.state.contact.opted_out:
        turn.run.nudged = True
        asking.prompt(turn, lead=turn.bot("nudge"))


def _on_expired(turn: Turn) -> None:
    if turn.run.in_progress:
        if turn.run.step == "question":
            turn.effects.append(ResponseExpired())
        turn.state.run = Run()
