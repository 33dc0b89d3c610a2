"""Assembly members in a conversation: CALL, linking a Telegram chat (LINK, LINK CODE, which
chat gets the reminders), YES or NO to a session (RSVPs) and a low wellbeing check-in.

From anyone who is not a member these words are ordinary words: each handler says False
and the next one reads the message. The member is looked up only when such words come.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot import answers, channels
from bot.engine.asking import prompt
from bot.engine.languages import set_language
from bot.engine.turn import Message, Turn
from bot.state import (
    CALL_REQUESTED,
    AlertRaised,
    ChannelChosen,
    ChatLinked,
    Invitation,
    LinkCodeIssued,
    RsvpGiven,
)
from surveys import conditions
from surveys.model import Questionnaire
from translations import weekdays
from translations.catalog import Catalogs

LINK_TRIES = 5  # wrong link codes a chat may give in LINK_TRIES_WINDOW
LINK_TRIES_WINDOW = timedelta(hours=1)


def link_code_text(catalogs: Catalogs, lang: str | None, code: str,
                   bot_username: str | None) -> str:
    """The SMS carrying a member's Telegram link code: with the bot's t.me link when its
    @username is configured (bot/members/linking.py)."""
    bot = (bot_username or "").removeprefix("@")
    if bot:
        return catalogs.bot(lang, "link-code", code=code, bot=f"@{bot}",
                            url=f"https://t.me/{bot}?start=link_{code}")
    return catalogs.bot(lang, "link-code-plain", code=code)


def call_request(turn: Turn, message: Message) -> bool:
    """CALL, or asking to be called in plain words ("please call me",
    translations/<lang>/call.yaml), from an assembly member: an alert for the wellbeing lead,
    and their place kept. From anyone else these are ordinary words (False: carry on)."""
    norm, text = message.norm, message.text
    if not norm or (norm not in turn.words("keywords/call")
                    and not turn.env.call_me.matches(text)) or turn.env.member() is None:
        return False
    turn.effects.append(AlertRaised(
        1, CALL_REQUESTED, answers.clean_text(text), turn.lang,
        turn.run.survey if turn.run.in_progress else None,
        turn.run.question if turn.run.step == "question" else None, "wellbeing"))
    turn.say(turn.bot("call-booked"))
    prompt(turn)
    return True


def link_request(turn: Turn, message: Message) -> bool:
    """LINK from an assembly member (by SMS or WhatsApp): a one-time code for linking
    Telegram. From anyone else LINK is an ordinary word (False: carry on)."""
    norm = message.norm
    if not norm or norm not in turn.words("keywords/link") or turn.env.member() is None:
        return False
    code = turn.env.new_link_code()
    if code is None:
        return False
    turn.effects.append(LinkCodeIssued(code))
    turn.say(link_code_text(turn.env.catalogs, turn.lang, code, turn.env.telegram_bot))
    prompt(turn)
    return True


def link_chat(turn: Turn, message: Message) -> bool:
    """LINK CODE in Telegram (a chat new to us takes Telegram's language first)."""
    msg = message.incoming
    if msg.link is None:
        return False
    if turn.lang is None and msg.lang_hint in turn.env.languages:
        set_language(turn, msg.lang_hint)  # a new chat: Telegram's language
    _link(turn, msg.link)
    return True


def _link(turn: Turn, code: str) -> None:
    """LINK CODE in Telegram: the chat becomes the member's whose live code it is.
    Wrong codes are counted per chat; after LINK_TRIES in an hour, none is tried."""
    me = turn.env.member()
    if not code:  # LINK alone: how to link, or (linked already) where reminders go
        if me is None:
            turn.say(turn.bot("link-how"))
        elif me.channel == "telegram":
            turn.say(turn.bot("link-already"))
        else:
            ask_channel(turn, me.channel, turn.bot("link-already-ask"))
            return
        prompt(turn)
        return
    since = turn.now - LINK_TRIES_WINDOW
    tries = [t for t in turn.state.link_tries if datetime.fromisoformat(t) > since]
    if len(tries) >= LINK_TRIES:
        turn.state.link_tries = tries
        turn.say(turn.bot("link-wait"))
        return
    target = turn.env.link_target(code)
    if target is None:
        turn.state.link_tries = [*tries, turn.now.isoformat()]
        turn.say(turn.bot("link-wrong"))
        return
    if me is not None and me.member != target.member:
        turn.say(turn.bot("link-other"))
        return
    turn.state.link_tries = []
    if target.language and target.language != turn.lang:
        turn.state.contact.language = target.language  # the member's: the roster's
    here = target.channel == "telegram"
    turn.effects.append(ChatLinked(target.member, code, here))
    if here:
        turn.say(turn.bot("linked-here"))
        prompt(turn)
    else:
        ask_channel(turn, target.channel, turn.bot("linked"))


def ask_channel(turn: Turn, channel: str, lead: str) -> None:
    """Ask whether this chat, rather than `channel`, gets the member's reminders."""
    turn.run.interrupt = "channel"
    turn.say(f"{lead} {turn.bot('channel-ask', channel=channels.label(channel))}",
             turn.yes_no(), style="keys")


def confirm_channel(turn: Turn, message: Message) -> bool:
    """YES: this chat gets the member's reminders from now on; NO: they stay where
    they were. Anything else is not an answer to that (False: carry on)."""
    if turn.run.interrupt != "channel":
        return False
    norm = message.norm
    first = answers.first_word(norm)
    yes, no = turn.words("words/yes"), turn.words("words/no")
    turn.run.interrupt = None
    me = turn.env.member()
    if me is None:
        return False
    if norm in yes or first in yes:
        turn.effects.append(ChannelChosen())
        turn.say(turn.bot("channel-here"))
    elif norm in no or first in no:
        turn.say(turn.bot("channel-kept", channel=channels.label(me.channel)))
    else:
        return False
    prompt(turn)
    return True


def rsvp(turn: Turn, message: Message) -> bool:
    """YES or NO to the session a member's latest reminder asked about, or to the day
    they name ("yes saturday"). A survey the member is in the middle of keeps its
    place: a step that takes a yes or no itself (consent, a yes/no or free-text question)
    gets the answer instead."""
    norm = message.norm
    first = answers.first_word(norm)
    yes, no = turn.words("words/yes"), turn.words("words/no")
    answer = ("yes" if norm in yes or first in yes else
              "no" if norm in no or first in no else None)
    question = turn.current_question()
    if answer is None or turn.run.step == "consent" or (
            question is not None and question.type in ("yesno", "text")):
        return False
    pending = turn.env.invitations()
    if not pending:
        return False
    days = weekdays.named_all(norm, (w for ws in answers.joining_words().values()
                                     for w in ws))
    chosen = [pending[0]] if not days else [min(
        (i for i in pending if _weekday(i) == day), key=lambda i: i.starts, default=None)
        for day in days]
    missing = next((day for day, i in zip(days, chosen, strict=False) if i is None), None)
    if missing is not None:  # a day named that no reminder asked about: not recorded
        turn.say(_rsvp_unasked(turn, missing, pending))
    else:
        for invitation in chosen:
            turn.effects.append(RsvpGiven(invitation.session, answer, invitation.starts))
        turn.say(_rsvp_reply(turn, answer, chosen, pending, day_named=bool(days)))
    prompt(turn)
    return True


def _rsvp_unasked(turn: Turn, weekday: int, pending: tuple[Invitation, ...]) -> str:
    """A day named that no reminder asked about: the session that moved from it (and
    to which day), or the days they may answer for."""
    lang = turn.lang
    moved = [i for i in pending if i.was and date.fromisoformat(i.was).weekday() == weekday]
    if len(moved) == 1:
        return turn.bot("rsvp-moved", old=weekdays.weekday_name(weekday, lang),
                        day=weekdays.day_name(date.fromisoformat(moved[0].day), lang),
                        weekday=weekdays.weekday_name(_weekday(moved[0]), lang))
    return turn.bot("rsvp-which-day", weekday=weekdays.weekday_name(weekday, lang),
                    days=weekdays.days_list(sorted(date.fromisoformat(i.day)
                                                   for i in pending), lang))


def _rsvp_reply(turn: Turn, answer: str, chosen: list[Invitation],
                pending: tuple[Invitation, ...], day_named: bool) -> str:
    """Thanks naming the days answered for; without a day named, how to answer for
    another day still to come and not answered yet."""
    text = turn.bot(f"rsvp-{answer}", day=weekdays.days_list(
        [date.fromisoformat(i.day) for i in chosen], turn.lang, style="standard"))
    done = {_weekday(i) for i in chosen}
    other = next((i for i in pending if _weekday(i) not in done and not i.answered), None)
    if day_named or other is None:
        return text
    return f"{text} " + turn.bot("rsvp-other-day",
                                 weekday=weekdays.weekday_name(_weekday(other), turn.lang))


def _weekday(invitation: Invitation) -> int:
    return date.fromisoformat(invitation.day).weekday()


def check_wellbeing(turn: Turn, survey: Questionnaire, before: dict, text: str) -> None:
    """A low check-in score: an alert for the wellbeing lead and the offer of a call,
    once, when the answers first meet the survey's `low` condition."""
    low = turn.env.low_wellbeing.get(survey.slug)
    if low is None or conditions.evaluate(low, before) or not conditions.evaluate(
            low, turn.run.answers):
        return
    words = answers.clean_text(text)
    turn.effects.append(AlertRaised(
        1, "low_score", words, "en" if words.strip().isdigit() else turn.lang,
        survey.slug, turn.run.question, "wellbeing"))
    turn.say(turn.bot("offer-call"))
