"""The conversation engine: (state, event, now, env) -> Sprint. Pure.

No storage, no HTTP, no clock: the caller loads the state, resumes it with an event,
carries out the effects, saves the state, sends the replies and schedules the wait.
Timers come back in as `ReminderDue` / `Expired` events (see bot/scheduler.py).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot import answers, suppress
from bot.optout_phrases import OptOutPhrases
from bot.prompt_packs import PromptPacks
from bot.state import (
    CALL_REQUESTED,
    AlertRaised,
    AnswerRecorded,
    ChannelChosen,
    ChatLinked,
    ConsentGiven,
    ConsentRefused,
    Engaged,
    EraseRequested,
    Event,
    Expired,
    Incoming,
    Invitation,
    LanguageChanged,
    LinkCodeIssued,
    LinkTarget,
    Membership,
    OptedIn,
    OptedOut,
    Option,
    PackSent,
    Person,
    Reach,
    ReminderDue,
    Reply,
    ResponseCompleted,
    ResponseDiscarded,
    ResponseExpired,
    ResponseScreenedOut,
    ResponseStarted,
    RsvpGiven,
    Run,
    Sprint,
    Start,
    State,
    Wait,
)
from surveys import conditions
from surveys.model import Question, Questionnaire
from translations import weekdays
from translations.catalog import Catalogs, language_name, language_names
from translations.texts import BOT

KEYWORDS = ("stop", "start", "help", "lang", "skip", "restart", "delete")
ENGAGER_KEYWORDS = ("prompts", "log", "stats")  # peer engagers' own; others' ordinary words
ENGAGER_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# New codes leave out the letters that read as digits (S/5, Z/2, B/8) as well as 0/O, 1/I;
# a code typed with one of them is read with the digit.
NEW_CODE_CHARS = "ACDEFGHJKLMNPQRTUVWXY23456789"
_CONFUSED = str.maketrans("SZB", "528")
LINK_TRIES = 5  # wrong link codes a chat may give in LINK_TRIES_WINDOW
LINK_TRIES_WINDOW = timedelta(hours=1)
# Opted out, only START / UNSTOP (keywords/start, in any language) opt back in, and YES
# exactly: Twilio's own rejoin set (START, UNSTOP, YES), which unblocks the number on its
# side whatever we do. Any other yes-word ("ok", "sure", "tak") answers nothing: silence.
REJOIN_WORD = "yes"
LINGUA_FRANCA = "en"  # "Stop please" from a Polish speaker: their language stays theirs


def _no_detection(text: str, offered: Iterable[str]) -> str | None:
    return None


def _no_request(text: str, offered: Iterable[str]) -> str | None:
    return None


def _no_engagers(code: str) -> bool:
    return False


def _not_an_engager() -> Engaged | None:
    return None


def _no_reach(code: str) -> Reach:
    return Reach()


def _not_a_member() -> Membership | None:
    return None


def _no_invitations() -> tuple[Invitation, ...]:
    return ()


def _weekday(invitation: Invitation) -> int:
    return date.fromisoformat(invitation.day).weekday()


def _no_link_target(code: str) -> LinkTarget | None:
    return None


def _no_link_code() -> str | None:
    return None


@dataclass
class Env:
    """What the engine may consult: surveys, catalogues and settings, all plain data."""

    surveys: Mapping[str, Questionnaire]
    catalogs: Catalogs = field(default_factory=Catalogs)
    default_survey: str | None = None
    versions: Mapping[tuple[str, int], Questionnaire] = field(default_factory=dict)
    detect: Callable[[str, Iterable[str]], str | None] = _no_detection
    # A message that only asks for a language ("po polsku", "Türkçe lütfen"): that language.
    requested: Callable[[str, Iterable[str]], str | None] = _no_request
    languages: tuple[str, ...] = ("en",)
    nudge_after: timedelta = timedelta(hours=24)
    expire_after: timedelta = timedelta(days=3)
    org: str = "the council"
    help_contact: str | None = None  # HELP_CONTACT; without it HELP names only the org
    safeguarding_line: str | None = None  # SAFEGUARDING_LINE, added to signposting
    opt_out: OptOutPhrases = field(default_factory=OptOutPhrases)
    call_me: OptOutPhrases = field(default_factory=OptOutPhrases)  # bot/call: "call me"
    # Peer engagers, looked up only when asked (a code given, an engager's keyword sent):
    # whether a code is an active engager's, the person writing as an engager, their reach.
    engager_code: Callable[[str], bool] = _no_engagers
    engager: Callable[[], Engaged | None] = _not_an_engager
    reach: Callable[[str], Reach] = _no_reach
    prompts: PromptPacks = field(default_factory=PromptPacks)
    # Assembly members, looked up only when asked (CALL, a YES or NO, words of distress):
    # the person writing as a member, and the sessions their reminders told them of (not
    # begun; the latest reminder's first).
    member: Callable[[], Membership | None] = _not_a_member
    invitations: Callable[[], tuple[Invitation, ...]] = _no_invitations
    # Linking a member's Telegram chat (bot/members/linking.py): the member whose live
    # one-time code this is, a fresh unused code, and the bot's @username for the SMS.
    link_target: Callable[[str], LinkTarget | None] = _no_link_target
    new_link_code: Callable[[], str | None] = _no_link_code
    telegram_bot: str | None = None
    # Per survey (bot/members/rules.yaml): answers that raise a wellbeing alert and offer
    # a call, and a nudge later than `nudge_after` (the members' check-in: 48 hours).
    low_wellbeing: Mapping[str, conditions.Condition] = field(default_factory=dict)
    nudges: Mapping[str, timedelta] = field(default_factory=dict)

    def survey(self, slug: str | None, version: int | None = None) -> Questionnaire | None:
        if slug is None:
            return None
        current = self.surveys.get(slug)
        if version is None or (current is not None and current.version == version):
            return current
        return self.versions.get((slug, version), current)

    def start_survey(self) -> Questionnaire | None:
        """The survey a first message starts: DEFAULT_SURVEY, else the residents' one."""
        if self.default_survey in self.surveys:
            return self.surveys[self.default_survey]
        residents = [s for s in self.surveys.values() if s.audience == "residents"]
        return residents[0] if len(residents) == 1 else None

    def audience_survey(self, audience: str) -> Questionnaire | None:
        return next((s for s in self.surveys.values() if s.audience == audience), None)


def resume(state: State, event: Event, now: datetime, env: Env) -> Sprint:
    """Resume a conversation with one event; the input state is not modified."""
    turn = _Turn(copy.deepcopy(state), now, env)
    if isinstance(event, Incoming):
        turn.state.run.active_at = now.isoformat()
        turn.on_message(event)
    elif isinstance(event, ReminderDue):
        turn.on_reminder()
    elif isinstance(event, Expired):
        turn.on_expired()
    return Sprint(turn.state, turn.replies, turn.effects, turn.wait())


def prompt(state: State, env: Env) -> list[Reply]:
    """The replies that ask again what the conversation is waiting for; changes nothing."""
    turn = _Turn(copy.deepcopy(state), None, env)
    turn.prompt()
    return turn.replies


def link_code_text(catalogs: Catalogs, lang: str | None, code: str,
                   bot_username: str | None) -> str:
    """The SMS carrying a member's Telegram link code: with the bot's t.me link when its
    @username is configured (bot/members/linking.py)."""
    bot = (bot_username or "").removeprefix("@")
    if bot:
        return catalogs.bot(lang, "link-code", code=code, bot=f"@{bot}",
                            url=f"https://t.me/{bot}?start=link_{code}")
    return catalogs.bot(lang, "link-code-plain", code=code)


def is_engager_code(word: str) -> bool:
    """Engager codes are 4-10 characters from an unambiguous alphabet, with a digit."""
    return (4 <= len(word) <= 10 and all(ch in ENGAGER_CODE_CHARS for ch in word)
            and any(ch.isdigit() for ch in word))


class _Turn:
    def __init__(self, state: State, now: datetime | None, env: Env):
        self.state, self.now, self.env = state, now, env
        self.replies: list[Reply] = []
        self.effects: list = []
        self.signposted = False  # this message was signposted: no "please reply with…"
        self.stop_hint: str | None = None  # shown before the next thing we say

    # Helpers -------------------------------------------------------------------------

    @property
    def run(self) -> Run:
        return self.state.run

    @property
    def lang(self) -> str | None:
        return self.state.contact.language

    @property
    def survey(self) -> Questionnaire | None:
        return self.env.survey(self.run.survey, self.run.version)

    def langs(self) -> list[str | None]:
        survey = self.survey
        return [self.lang, survey.language if survey else None]

    def offered(self) -> tuple[str, ...]:
        """The survey's languages in its order; outside a survey, the starting survey's."""
        survey = self.survey or self.env.start_survey()
        return survey.languages if survey else self.env.languages

    def bot(self, key: str, **values: object) -> str:
        return self.env.catalogs.bot(self.lang, key, org=self.env.org, **values)

    def help(self) -> str:
        """HELP, with the configured contact (translated where a catalogue has it)."""
        contact = self.env.help_contact
        if not contact:
            return f"{self.bot('help')} {self.bot('help-org')}"
        contact = self.env.catalogs.text([self.lang], "bot/help-contact-value", contact)
        return f"{self.bot('help')} {self.bot('help-contact', contact=contact)}"

    def text(self, survey: Questionnaire, context: str, source: str) -> str:
        """A survey's text in their language; `{org}` in it is OUTREACH_ORG_NAME."""
        return self.env.catalogs.text([self.lang, survey.language], f"{survey.slug}/{context}",
                                      source).replace("{org}", self.env.org)

    def say(self, text: str, options: tuple[Option, ...] = (), style: str = "list",
            multi: bool = False, **more) -> None:
        if self.stop_hint and not more.get("hint"):
            more["hint"], self.stop_hint = self.stop_hint, None
        self.replies.append(Reply(text, options, style, multi, **more))

    def words(self, key: str) -> frozenset[str]:
        return self.env.catalogs.words(key, [self.lang, *self.offered()], answers.fold)

    def yes_no(self) -> tuple[Option, Option]:
        return Option("yes", self.bot("yes")), Option("no", self.bot("no"))

    def keyword(self, norm: str) -> str | None:
        for key in KEYWORDS:
            if norm in self.words(f"keywords/{key}"):
                return key
        return None

    def wait(self) -> Wait | None:
        if not self.run.in_progress or self.state.contact.opted_out or not self.run.active_at:
            return None
        active = datetime.fromisoformat(self.run.active_at)
        after = self.env.nudges.get(self.run.survey or "", self.env.nudge_after)
        nudge = None if self.run.nudged else active + after
        # A late nudge (a check-in's 48 hours) still comes before the survey expires.
        expire = active + max(self.env.expire_after, after + timedelta(days=1))
        return Wait(nudge_at=nudge, expire_at=expire)

    # Events --------------------------------------------------------------------------

    def on_message(self, msg: Incoming) -> None:
        if msg.concern is not None:
            self.signpost(msg)  # first, whatever else this message is; then carry on
        norm = answers.fold(msg.text)
        keyword = self.keyword(norm) if norm else None
        if self.state.contact.opted_out:
            self.while_opted_out(norm, keyword)
        elif self.opts_out(norm, keyword, msg.text):
            self.effects.append(OptedOut())
            self.state.contact.opted_out = True
            self.run.interrupt = None
            self.say(self.bot("stopped"))
        elif self.run.step == "screened":
            self.screened_again(keyword)
        elif msg.link is not None:
            if self.lang is None and msg.lang_hint in self.env.languages:
                self.set_language(msg.lang_hint)  # a new chat: Telegram's language
            self.link_chat(msg.link)
        elif msg.start is not None:
            self.start_explicit(msg)
        elif msg.media:
            self.say(self.bot("media"))
            self.prompt()
        elif self.run.interrupt == "language" and self.pick_language(norm, keyword):
            pass
        elif self.run.interrupt == "delete" and self.confirm_delete(norm, keyword):
            pass
        elif self.run.interrupt == "restart" and self.confirm_restart(norm, keyword):
            pass
        elif self.run.interrupt == "channel" and self.confirm_channel(norm):
            pass
        elif keyword is not None and keyword != "start":
            self.run.interrupt = None
            self.on_keyword(keyword)
        elif self.engager_keyword(norm):
            pass
        elif self.call_request(norm, msg.text):
            pass
        elif self.link_request(norm):
            pass
        elif self.rsvp(norm):
            pass
        elif self.survey_keyword(msg.text):
            pass
        elif self.run.step == "consent":
            self.on_consent(norm, msg.text)
        elif self.run.step == "question":
            self.on_answer(msg.text)
        elif self.run.step == "done":
            self.already_done(msg.text)
        else:
            self.first_contact(msg)

    def on_reminder(self) -> None:
        if self.run.in_progress and not self.run.nudged and not self.state.contact.opted_out:
            self.run.nudged = True
            self.prompt(lead=self.bot("nudge"))

    def on_expired(self) -> None:
        if self.run.in_progress:
            if self.run.step == "question":
                self.effects.append(ResponseExpired())
            self.state.run = Run()

    # Safeguarding --------------------------------------------------------------------

    def signpost(self, msg: Incoming) -> None:
        """Where to get help now, in their language, and an alert for a person to read.
        Even after STOP: this answers what they just wrote, and a person must see it."""
        text = self.bot("signpost")
        if self.env.safeguarding_line:
            line = self.env.catalogs.text([self.lang], "bot/safeguarding-line-value",
                                          self.env.safeguarding_line)
            text = f"{text} {self.bot('signpost-line', line=line)}"
        self.say(text)
        if msg.concern.severity >= 3:  # someone may be hurt now: the Silent Solution too
            self.say(self.bot("signpost-silent"))
        self.signposted = True
        # An assembly member's words go to the wellbeing lead, with the offer of a call.
        member = self.env.member() is not None
        if member:
            self.say(self.bot("offer-call"))
        elif self.from_engager():  # perhaps a friend's words, relayed: their lead must hear
            self.say(self.bot("signpost-engager"))
        survey = self.survey
        # Their own language or English, as people write; anything if we know neither.
        known = ([self.lang, "en"] if self.lang else
                 dict.fromkeys([*(survey.languages if survey else ()), *self.env.languages]))
        question = self.run.question if self.run.step == "question" else (
            "consent" if self.run.step == "consent" else None)
        self.effects.append(AlertRaised(
            msg.concern.severity, msg.concern.category, answers.clean_text(msg.text),
            self.env.detect(msg.text, known) or self.lang,
            self.run.survey if self.run.in_progress else None, question,
            "wellbeing" if member else "safeguarding"))

    # Opt-out and keywords ------------------------------------------------------------

    def while_opted_out(self, norm: str, keyword: str | None) -> None:
        if keyword == "start" or norm == REJOIN_WORD:
            self.effects.append(OptedIn())
            self.state.contact.opted_out = False
            self.say(self.bot(self.started()))
            self.prompt()
        elif keyword == "help":
            self.say(self.help())
        # Anything else: silence, as promised when they opted out.

    def opts_out(self, norm: str, keyword: str | None, text: str) -> bool:
        """STOP in any language, or plain words from the phrase files (a slip of STOP only
        when the word answers nothing). The language it was said in becomes theirs, as a
        request for a language would, so the confirmation is in it — unless it is English,
        which anyone may use for STOP ("stop please", "remove me"): then theirs stays."""
        prefer = [self.lang, *self.offered()]
        if keyword == "stop":
            lang = next((lang for lang in prefer if lang and norm in self.env.catalogs.words(
                "keywords/stop", [lang], answers.fold)), None)
        else:
            lang = self.env.opt_out.language(text, prefer)
            if lang is None or self.answers_something(norm):
                return False
        self.words_language(lang)
        return True

    def words_language(self, lang: str | None) -> None:
        """The language a person's words were in becomes theirs — unless it is English,
        which anyone uses for a keyword ("stop please", "no"), and theirs is known."""
        if lang in self.env.languages and (self.lang is None or lang != LINGUA_FRANCA):
            self.set_language(lang)

    def answers_something(self, norm: str) -> bool:
        """A yes or no in any offered language, or a choice of the question asked."""
        if norm in self.words("words/yes") or norm in self.words("words/no"):
            return True
        question = self.current_question()
        return question is not None and any(
            norm == answers.fold(label) for labels in self.labels(self.survey, question).values()
            for label in labels)

    def on_keyword(self, keyword: str) -> None:
        if keyword == "help":
            self.say(self.help())
            if self.env.engager() is not None:  # their own words too
                self.say(self.bot("help-engager"))
            self.prompt()
        elif keyword == "lang":
            self.run.interrupt = "language"
            self.say(self.bot("choose-language"), self.language_options())
        elif keyword == "skip":
            self.skip()
        elif keyword == "restart" and self.run.step == "question" and self.run.answers:
            self.run.interrupt = "restart"  # answers would be lost: ask first
            self.say(self.bot("restart-confirm"), self.yes_no(), style="keys")
        elif keyword == "restart":
            self.restart()
        elif keyword == "delete":
            self.run.interrupt = "delete"
            self.say(self.bot("delete-confirm"), self.yes_no(), style="keys")

    def language_options(self) -> tuple[Option, ...]:
        return tuple(Option(lang, language_name(lang)) for lang in self.offered())

    def pick_language(self, norm: str, keyword: str | None) -> bool:
        options = self.language_options()
        chosen = None
        if norm.isdigit() and 1 <= int(norm) <= len(options):
            chosen = options[int(norm) - 1].id
        for option in options:  # its number, or its code
            if norm == option.id:
                chosen = option.id
        chosen = chosen or self.named_language(norm)
        if chosen is None:
            if keyword is not None:
                return False  # another keyword: handle it instead
            self.say(self.bot("language-hint"), options)
            return True
        self.run.interrupt = None
        self.set_language(chosen)
        self.say(self.bot("language-set"))
        self.prompt()
        return True

    def named_language(self, norm: str) -> str | None:
        """The offered language whose name this is, in itself, English or theirs."""
        for lang in self.offered():
            if norm in {answers.fold(name) for name in language_names(lang, "en", self.lang)}:
                return lang
        return None

    def language_request(self, text: str) -> bool:
        """A message that only asks for a language (its name, "po polsku", "Türkçe
        lütfen"), where it cannot be an answer: that language from now on, and the step
        asked again in it. False if the message is something else."""
        lang = self.named_language(answers.fold(text)) or self.env.requested(
            text, self.offered())
        if lang is None:
            return False
        self.set_language(lang)
        self.say(self.bot("language-set"))
        self.prompt()
        return True

    def set_language(self, lang: str) -> None:
        if lang != self.state.contact.language:
            self.state.contact.language = lang
            self.effects.append(LanguageChanged(lang))

    def confirm_delete(self, norm: str, keyword: str | None) -> bool:
        first = answers.first_word(norm)
        if norm in self.words("words/yes") or first in self.words("words/yes"):
            self.effects.append(EraseRequested())
            self.say(self.bot("deleted"))
            self.state = State(contact=Person(language=self.lang))
            return True
        if keyword is not None and keyword != "delete":
            return False
        self.run.interrupt = None
        self.say(self.bot("delete-kept"))
        self.prompt()
        return True

    def confirm_restart(self, norm: str, keyword: str | None) -> bool:
        first = answers.first_word(norm)
        if keyword is not None and keyword != "restart":
            return False
        self.run.interrupt = None
        if norm in self.words("words/yes") or first in self.words("words/yes"):
            self.restart()
        else:  # NO, or anything else: nothing is lost
            self.say(self.bot("restart-kept"))
            self.prompt()
        return True

    def started(self) -> str:
        """What opting back in leads to: carrying on, nothing (done), or a new start."""
        if self.run.in_progress:
            return "started"
        return "started-done" if self.run.step == "done" else "started-new"

    def skip(self) -> None:
        question = self.current_question()
        if question is None:
            self.say(self.bot("nothing-to-do"))
        elif not question.optional:
            self.say(self.bot("cannot-skip"))
            self.ask(question)
        else:
            self.advance(question)

    def restart(self) -> None:
        survey = self.survey or self.env.start_survey()
        if survey is None:
            self.say(self.bot("nothing-to-do"))
            return
        if self.run.step == "question":
            self.effects.append(ResponseDiscarded())
        consented, engager = self.run.consented, self.run.engager
        self.say(self.bot("restarting"))
        if consented and self.run.survey == survey.slug:
            self.state.run = Run(survey=survey.slug, version=survey.version, engager=engager,
                                 consented=True, active_at=self.run.active_at,
                                 started_at=self.run.started_at)
            self.begin_questions(survey)
        else:
            self.start(survey, engager)

    # Peer engagers -------------------------------------------------------------------

    def engager_keyword(self, norm: str) -> bool:
        """PROMPTS, LOG or STATS from a peer engager. The engager is looked up only for
        these words; from anyone else they are ordinary words (False: carry on)."""
        key = self.engager_key(norm)
        me = self.env.engager() if key is not None else None
        if me is None:
            return False
        self.run.interrupt = None
        if me.paused and self.logging():  # a log begun before the pause may be finished
            self.prompt(lead=self.bot("engager-paused-log"))
        elif me.paused:
            self.say(self.bot("engager-paused"))
            self.prompt()
        elif key == "prompts":
            week = self.env.prompts.current_week(self.now)
            self.say(self.env.prompts.message(self.env.catalogs, self.lang, week))
            self.effects.append(PackSent(me.code, week))
            self.prompt()
        elif key == "stats":
            reach = self.env.reach(me.code)
            self.say(self.bot("stats", started=self.count(reach.started),
                              finished=self.count(reach.finished),
                              conversations=self.count(reach.conversations),
                              people=self.count(reach.people)))
            self.prompt()
        else:
            self.log_conversation(me)
        return True

    def engager_key(self, norm: str) -> str | None:
        """PROMPTS, LOG or STATS, alone or with polite words ("stats please", "my stats")."""
        if not norm:
            return None
        polite = self.words("words/please")
        bare = " ".join(word for word in re.findall(r"\w+", norm) if word not in polite)
        return next((k for k in ENGAGER_KEYWORDS
                     if {norm, bare} & self.words(f"keywords/{k}")), None)

    def logging(self) -> bool:
        """Whether this conversation is an engager's log of a chat, under way."""
        survey = self.survey
        return self.run.in_progress and survey is not None and survey.audience == "engagers"

    def from_engager(self) -> bool:
        """Whether a peer engager is writing (in a log of a chat, or known by their phone)."""
        survey = self.survey
        return (survey is not None and survey.audience == "engagers"
                or self.env.engager() is not None)

    def count(self, n: int) -> str:
        """A reach count as told to an engager: under 5 it is only "fewer than 5"."""
        return self.bot("fewer-than-5") if n < suppress.THRESHOLD else str(n)

    def log_conversation(self, me: Engaged) -> None:
        survey = self.env.audience_survey("engagers")
        if survey is None:
            self.say(self.bot("nothing-to-do"))
            return
        self.switch_to(survey, me.code)  # repeatable: each LOG is a new record

    def active_code(self, code: str | None) -> str | None:
        """An engager's code if it is an active one (an S typed for a 5, a Z for a 2 or a B
        for an 8 forgiven); else None: the person still takes part, unattributed, and is
        told nothing about the code."""
        if not code:
            return None
        for candidate in dict.fromkeys([code, code.translate(_CONFUSED)]):
            if self.env.engager_code(candidate):
                return candidate
        return None

    # Assembly members ----------------------------------------------------------------

    def call_request(self, norm: str, text: str) -> bool:
        """CALL, or asking to be called in plain words (bot/call: "please call me"), from
        an assembly member: an alert for the wellbeing lead, and their place kept. From
        anyone else these are ordinary words (False: carry on)."""
        if not norm or (norm not in self.words("keywords/call")
                        and not self.env.call_me.matches(text)) or self.env.member() is None:
            return False
        self.effects.append(AlertRaised(
            1, CALL_REQUESTED, answers.clean_text(text), self.lang,
            self.run.survey if self.run.in_progress else None,
            self.run.question if self.run.step == "question" else None, "wellbeing"))
        self.say(self.bot("call-booked"))
        self.prompt()
        return True

    def link_request(self, norm: str) -> bool:
        """LINK from an assembly member (by SMS or WhatsApp): a one-time code for linking
        Telegram. From anyone else LINK is an ordinary word (False: carry on)."""
        if not norm or norm not in self.words("keywords/link") or self.env.member() is None:
            return False
        code = self.env.new_link_code()
        if code is None:
            return False
        self.effects.append(LinkCodeIssued(code))
        self.say(link_code_text(self.env.catalogs, self.lang, code, self.env.telegram_bot))
        self.prompt()
        return True

    def link_chat(self, code: str) -> None:
        """LINK CODE in Telegram: the chat becomes the member's whose live code it is.
        Wrong codes are counted per chat; after LINK_TRIES in an hour, none is tried."""
        me = self.env.member()
        if not code:  # LINK alone: how to link, or (linked already) where reminders go
            if me is None:
                self.say(self.bot("link-how"))
            elif me.channel == "telegram":
                self.say(self.bot("link-already"))
            else:
                self.ask_channel(me.channel, self.bot("link-already-ask"))
                return
            self.prompt()
            return
        since = self.now - LINK_TRIES_WINDOW
        tries = [t for t in self.state.link_tries if datetime.fromisoformat(t) > since]
        if len(tries) >= LINK_TRIES:
            self.state.link_tries = tries
            self.say(self.bot("link-wait"))
            return
        target = self.env.link_target(code)
        if target is None:
            self.state.link_tries = [*tries, self.now.isoformat()]
            self.say(self.bot("link-wrong"))
            return
        if me is not None and me.member != target.member:
            self.say(self.bot("link-other"))
            return
        self.state.link_tries = []
        if target.language and target.language != self.lang:
            self.state.contact.language = target.language  # the member's: the roster's
        here = target.channel == "telegram"
        self.effects.append(ChatLinked(target.member, code, here))
        if here:
            self.say(self.bot("linked-here"))
            self.prompt()
        else:
            self.ask_channel(target.channel, self.bot("linked"))

    def ask_channel(self, channel: str, lead: str) -> None:
        self.run.interrupt = "channel"
        self.say(f"{lead} {self.bot('channel-ask', channel=_CHANNEL_NAMES[channel])}",
                 self.yes_no(), style="keys")

    def confirm_channel(self, norm: str) -> bool:
        """YES: this chat gets the member's reminders from now on; NO: they stay where
        they were. Anything else is not an answer to that (False: carry on)."""
        first = answers.first_word(norm)
        yes, no = self.words("words/yes"), self.words("words/no")
        self.run.interrupt = None
        me = self.env.member()
        if me is None:
            return False
        if norm in yes or first in yes:
            self.effects.append(ChannelChosen())
            self.say(self.bot("channel-here"))
        elif norm in no or first in no:
            self.say(self.bot("channel-kept", channel=_CHANNEL_NAMES.get(me.channel,
                                                                         me.channel)))
        else:
            return False
        self.prompt()
        return True

    def rsvp(self, norm: str) -> bool:
        """YES or NO to the session a member's latest reminder asked about, or to the day
        they name ("yes saturday"). A survey the member is in the middle of keeps its
        place: a step that takes a yes or no itself (consent, a yes/no or free-text question)
        gets the answer instead."""
        first = answers.first_word(norm)
        yes, no = self.words("words/yes"), self.words("words/no")
        answer = ("yes" if norm in yes or first in yes else
                  "no" if norm in no or first in no else None)
        question = self.current_question()
        if answer is None or self.run.step == "consent" or (
                question is not None and question.type in ("yesno", "text")):
            return False
        pending = self.env.invitations()
        if not pending:
            return False
        days = weekdays.named_all(norm, (w for ws in answers.joining_words().values()
                                         for w in ws))
        chosen = [pending[0]] if not days else [min(
            (i for i in pending if _weekday(i) == day), key=lambda i: i.starts, default=None)
            for day in days]
        missing = next((day for day, i in zip(days, chosen, strict=False) if i is None), None)
        if missing is not None:  # a day named that no reminder asked about: not recorded
            self.say(self.rsvp_unasked(missing, pending))
        else:
            for invitation in chosen:
                self.effects.append(RsvpGiven(invitation.session, answer, invitation.starts))
            self.say(self.rsvp_reply(answer, chosen, pending, day_named=bool(days)))
        self.prompt()
        return True

    def rsvp_unasked(self, weekday: int, pending: tuple[Invitation, ...]) -> str:
        """A day named that no reminder asked about: the session that moved from it (and
        to which day), or the days they may answer for."""
        moved = [i for i in pending if i.was and date.fromisoformat(i.was).weekday() == weekday]
        if len(moved) == 1:
            return self.bot("rsvp-moved", old=weekdays.weekday_name(weekday, self.lang),
                            day=weekdays.day_name(date.fromisoformat(moved[0].day), self.lang),
                            weekday=weekdays.weekday_name(_weekday(moved[0]), self.lang))
        return self.bot("rsvp-which-day", weekday=weekdays.weekday_name(weekday, self.lang),
                        days=weekdays.days_list(sorted(date.fromisoformat(i.day)
                                                       for i in pending), self.lang))

    def rsvp_reply(self, answer: str, chosen: list[Invitation],
                   pending: tuple[Invitation, ...], day_named: bool) -> str:
        """Thanks naming the days answered for; without a day named, how to answer for
        another day still to come and not answered yet."""
        text = self.bot(f"rsvp-{answer}", day=weekdays.days_list(
            [date.fromisoformat(i.day) for i in chosen], self.lang, style="standard"))
        done = {_weekday(i) for i in chosen}
        other = next((i for i in pending if _weekday(i) not in done and not i.answered), None)
        if day_named or other is None:
            return text
        return f"{text} " + self.bot("rsvp-other-day",
                                     weekday=weekdays.weekday_name(_weekday(other), self.lang))

    def check_wellbeing(self, survey: Questionnaire, before: dict, text: str) -> None:
        """A low check-in score: an alert for the wellbeing lead and the offer of a call,
        once, when the answers first meet the survey's `low` condition."""
        low = self.env.low_wellbeing.get(survey.slug)
        if low is None or conditions.evaluate(low, before) or not conditions.evaluate(
                low, self.run.answers):
            return
        words = answers.clean_text(text)
        self.effects.append(AlertRaised(
            1, "low_score", words, "en" if words.strip().isdigit() else self.lang,
            survey.slug, self.run.question, "wellbeing"))
        self.say(self.bot("offer-call"))

    # Starting ------------------------------------------------------------------------

    def survey_keyword(self, text: str) -> bool:
        """`SAFETY`, or `YOUTH CODE` with an engager's code, starts that survey — typed as
        people type it ("Youth: Y5VD Y5.", "youth code Y5VDY5"); a first message that is
        only an active engager's code starts the youth survey too."""
        words = re.sub(r"[^\w]+", " ", text.upper()).split()
        if not words:
            return False
        question = self.current_question()
        if question is not None and question.type == "text":
            return False  # "Safety" answering a free-text question is an answer
        survey = next((s for s in self.env.surveys.values() if s.keyword == words[0]), None)
        if survey is None:
            return self.bare_code(words)
        rest = words[2:] if words[1:2] == ["CODE"] and len(words) > 2 else words[1:]
        code = "".join(rest)
        if rest and (len(rest) > 3 or not is_engager_code(code)):
            return False
        engager = self.active_code(code or None)
        if self.run.in_progress and self.run.survey == survey.slug and engager is None:
            self.prompt()  # already on it: carry on where they were
            return True
        self.first_language(text, survey)
        self.switch_to(survey, engager)
        return True

    def bare_code(self, words: list[str]) -> bool:
        """A new person's first message that is only an active code (a friend sent just
        the code): the youth survey, attributed."""
        code = "".join(words)
        if self.run.step != "idle" or len(words) > 3 or not is_engager_code(code):
            return False
        engager, survey = self.active_code(code), self.env.audience_survey("youth")
        if engager is None or survey is None:
            return False
        self.first_language("", survey)
        self.switch_to(survey, engager)
        return True

    def start_explicit(self, msg: Incoming) -> None:
        start: Start = msg.start  # type: ignore[assignment]
        if start.survey is None and start.engager is None and self.run.in_progress:
            self.prompt()  # a bare /start (Telegram's Restart button) mid-survey: carry on
            return
        if start.survey:
            survey = self.env.surveys.get(start.survey)
        elif start.engager:
            survey = self.env.audience_survey("youth")
        else:
            survey = self.env.start_survey()
        if survey is None:
            self.say(self.bot("nothing-to-do"))
            return
        engager = self.active_code(start.engager)
        if (self.run.in_progress and self.run.survey == survey.slug
                and engager in (None, self.run.engager)):
            self.prompt()
            return
        self.first_language(msg.text, survey, msg.lang_hint)
        self.switch_to(survey, engager)

    def first_contact(self, msg: Incoming) -> None:
        if self.env.member() is not None:  # a member's words that answer nothing we asked:
            if not self.signposted:       # not a reason to start the residents' survey
                self.say(self.bot("member-unclear"))
            return
        survey = self.env.start_survey()
        if survey is None:
            self.say(self.bot("nothing-to-do"))
            return
        self.first_language(msg.text, survey, msg.lang_hint)
        if self.signposted:
            return  # their first words were a disclosure: no cheerful survey intro after it
        self.start(survey, None)

    def first_language(self, text: str, survey: Questionnaire, hint: str | None = None) -> None:
        """On first contact only: a confident guess from what the person wrote (it beats a
        phone set to English), else the channel's hint, else the survey's language."""
        if self.state.contact.language is not None:
            return
        guess = self.env.detect(text, survey.languages) if text else None
        hinted = hint if hint in survey.languages else None
        self.set_language(guess or hinted or survey.language)

    def switch_to(self, survey: Questionnaire, engager: str | None) -> None:
        if self.run.step == "question":
            self.effects.append(ResponseExpired())
        self.start(survey, engager)

    def start(self, survey: Questionnaire, engager: str | None) -> None:
        self.state.run = Run(survey=survey.slug, version=survey.version, engager=engager,
                             active_at=self.run.active_at,
                             started_at=self.now.isoformat() if self.now else None)
        self.say(self.text(survey, "intro", survey.intro))
        if survey.consent:
            self.run.step = "consent"
            self.say(self.text(survey, "consent", survey.consent), self.yes_no(), style="keys",
                     question="consent")
        else:
            self.begin_questions(survey)

    def begin_questions(self, survey: Questionnaire) -> None:
        self.effects.append(ResponseStarted(survey.slug, survey.version,
                                            self.lang or survey.language, self.run.engager))
        self.run.step = "question"
        self.run.answers = {}
        self.go_to(survey, self.next_question(survey, None))

    # Consent and answers -------------------------------------------------------------

    def on_consent(self, norm: str, text: str) -> None:
        """YES or NO (alone, or first: "yes please", "no thanks"), or a language asked for
        ("nie rozumiem" asks for Polish before its "nie" could refuse)."""
        survey = self.survey
        first = answers.first_word(norm)
        yes, no = self.words("words/yes"), self.words("words/no")
        if norm in yes or norm == "1":
            self.consent(survey, True)
        elif norm in no or norm == "2":
            self.language_of_word("words/no", norm)
            self.consent(survey, False)
        elif self.language_request(text):
            pass
        elif first in yes or first in no:
            self.language_of_word("words/no", first)
            self.consent(survey, first in yes)
        else:
            hint = None if self.signposted else self.bot("consent-hint")
            self.say(self.text(survey, "consent", survey.consent), self.yes_no(), style="keys",
                     hint=hint, question="consent")

    def language_of_word(self, key: str, word: str) -> None:
        """A word of one offered language only ("nie", "hayır"): that language becomes
        theirs, as opt-out words do, so the reply is in it."""
        owners = [lang for lang in self.offered() if word in {
            answers.fold(w) for w in self.env.catalogs.text([lang], f"bot/{key}",
                                                            BOT[key]).split()}]
        if len(owners) == 1:
            self.words_language(owners[0])

    def consent(self, survey: Questionnaire, given: bool) -> None:
        wording = self.text(survey, "consent", survey.consent)
        lang = self.lang or survey.language
        if given:
            self.effects.append(ConsentGiven(survey.slug, survey.version, wording, lang))
            self.run.consented = True
            self.begin_questions(survey)
        else:
            self.effects.append(ConsentRefused(survey.slug, survey.version, wording, lang))
            self.state.run = Run(step="refused", active_at=self.run.active_at)
            self.say(self.bot("refused"))

    def current_question(self) -> Question | None:
        survey = self.survey
        if self.run.step != "question" or survey is None:
            return None
        return survey.question(self.run.question or "")

    def labels(self, survey: Questionnaire, question: Question) -> dict[str, list[str]]:
        return {c.id: [c.text, self.text(survey, f"{question.id}/{c.id}", c.text)]
                for c in question.choices}

    def on_answer(self, text: str) -> None:
        survey, question = self.survey, self.current_question()
        if question is None:  # the survey changed under us: start again cleanly
            self.state.run = Run()
            self.first_contact(Incoming(text))
            return
        value = answers.parse(question, text, self.labels(survey, question),
                              self.words("words/yes"), self.words("words/no"),
                              self.now.year if self.now else None)
        if value is None:
            if not self.language_request(text):
                self.ask(question, hint=None if self.signposted else self.hint(question))
            return
        written_in = None
        if question.type == "text":
            known = dict.fromkeys([*survey.languages, *self.env.languages])
            written_in = self.env.detect(value, known) or self.lang or survey.language
        self.effects.append(AnswerRecorded(question.id, value, answers.clean_text(text),
                                           written_in))
        before = dict(self.run.answers)
        self.run.answers[question.id] = value
        self.check_wellbeing(survey, before, text)
        if question.type == "text" and self.env.opt_out.mentioned(text):
            self.stop_hint = self.bot("stop-hint")  # "Don't contact me…": how to stop, if meant
        reason = survey.screens_out(question, self.run.answers)
        if reason is not None:
            child = survey.under_13(question, self.run.answers)
            self.effects.append(ResponseScreenedOut(survey.slug, reason, self.run.started_at,
                                                    child))
            self.finish(survey, self.screen_out_text(survey),
                        step="screened" if child else "done")
            return
        self.advance(question)

    def hint(self, question: Question) -> str:
        if question.role == "age" and question.type == "choice":
            return self.bot("hint/age")
        if question.type == "scale":
            return self.bot("hint/scale", min=question.min, max=question.max)
        if question.type == "number":
            if question.min is not None and question.max is not None:
                return self.bot("hint/number-range", min=_num(question.min),
                                max=_num(question.max))
            return self.bot("hint/number")
        return self.bot(f"hint/{question.type}")

    def advance(self, question: Question) -> None:
        survey = self.survey
        self.go_to(survey, self.next_question(survey, question.id))

    def next_question(self, survey: Questionnaire, after: str | None) -> Question | None:
        ids = [q.id for q in survey.questions]
        start = 0 if after is None else ids.index(after) + 1
        for q in survey.questions[start:]:
            if q.when is None or conditions.evaluate(q.when, self.run.answers):
                return q
        return None

    def go_to(self, survey: Questionnaire, question: Question | None) -> None:
        if question is None:
            self.effects.append(ResponseCompleted())
            self.finish(survey, self.text(survey, "outro", survey.outro))
        else:
            self.run.question = question.id
            self.ask(question)

    def finish(self, survey: Questionnaire, text: str, step: str = "done") -> None:
        self.say(text)
        self.state.run = Run(survey=survey.slug, version=survey.version, step=step,
                             consented=self.run.consented, active_at=self.run.active_at)

    def screen_out_text(self, survey: Questionnaire) -> str:
        return self.text(survey, "screen_out", survey.screen_out or survey.outro)

    def already_done(self, text: str) -> None:
        """A message once the survey is done: how to go on, in the language they ask for
        if they ask for one; after an engager's log, how to log another chat."""
        lang = self.named_language(answers.fold(text)) or self.env.requested(
            text, self.offered())
        if lang is not None:
            self.set_language(lang)
        survey = self.survey
        logged = survey is not None and survey.audience == "engagers"
        self.say(self.bot("already-logged" if logged else
                          "member-unclear" if self.env.member() else "already-done"))

    def screened_again(self, keyword: str | None) -> None:
        """Someone a survey screened out (an under-13) writing again: thanked again and
        asked nothing, whatever they write (a code or a survey's keyword included). HELP
        still helps; DELETE erases at once (their answers are gone already: there is
        nothing a confirmation would protect)."""
        if self.signposted:
            return  # the signposting is the reply; no thank-you after it
        survey = self.survey
        if keyword == "help":
            self.say(self.help())
        elif keyword == "delete":
            self.effects.append(EraseRequested())
            self.say(self.bot("deleted"))
        elif survey is not None:
            self.say(self.screen_out_text(survey))
        else:
            self.say(self.bot("nothing-to-do"))

    # Prompts -------------------------------------------------------------------------

    def prompt(self, lead: str | None = None) -> None:
        """Ask again whatever we are waiting for (after HELP, a language change, a nudge)."""
        survey = self.survey
        if self.run.step == "consent" and survey is not None:
            self.say(self.text(survey, "consent", survey.consent), self.yes_no(), style="keys",
                     hint=lead, question="consent")
        elif (question := self.current_question()) is not None:
            self.ask(question, hint=lead)

    def ask(self, question: Question, hint: str | None = None) -> None:
        survey = self.survey
        text = self.text(survey, question.id, question.text)
        more = {"hint": hint, "question": question.id,
                "note": self.bot("optional") if question.optional else None}
        if question.type in ("choice", "multi"):
            options = tuple(Option(c.id, self.text(survey, f"{question.id}/{c.id}", c.text))
                            for c in question.choices)
            if question.role == "age":  # a typed number is an age: no numbered options
                more.update(style="words", how=self.bot("hint/age-how"))
            self.say(text, options, multi=question.type == "multi", **more)
        elif question.type == "yesno":
            self.say(text, self.yes_no(), **more)
        elif question.type == "scale":
            options = tuple(Option(str(i), str(i))
                            for i in range(int(question.min), int(question.max) + 1))
            self.say(text, options, style="keys", **more)
        else:
            self.say(text, **more)


_CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram"}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
