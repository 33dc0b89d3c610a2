"""One turn of a conversation (`Turn`): the state being changed, the replies and effects so
far, and the helpers every concern uses (its survey, their words, saying something).

A turn is made for one event and thrown away; the concerns' handlers take it as their first
argument. `Message` is an incoming message as the handlers read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import answers
from bot.engine.env import Env
from bot.state import Incoming, Option, Reply, Run, State, Wait
from surveys.model import REGISTRANTS, Question, Questionnaire


@dataclass(frozen=True)
class Message:
    """An incoming message: as sent, folded for matching, and the keyword it is (if any)."""

    incoming: Incoming
    norm: str
    keyword: str | None

    @property
    def text(self) -> str:
        return self.incoming.text


class Turn:
    """The state of one resume and the helpers to read and answer it."""

    def __init__(self, state: State, now: datetime | None, env: Env):
        self.state, self.now, self.env = state, now, env
        self.replies: list[Reply] = []
        self.effects: list = []
        self.signposted = False  # this message was signposted: no "please reply with…"
        self.stop_hint: str | None = None  # shown before the next thing we say

    @property
    def run(self) -> Run:
        return self.state.run

    @property
    def lang(self) -> str | None:
        return self.state.contact.language

    @property
    def survey(self) -> Questionnaire | None:
        return self.env.survey(self.run.survey, self.run.version)

    def offered(self) -> tuple[str, ...]:
        """The survey's languages in its order; outside a survey, the starting survey's."""
        survey = self.survey or self.env.start_survey()
        return survey.languages if survey else self.env.languages

    def bot(self, key: str, **values: object) -> str:
        """The bot's own text `key` in their language, `{org}` filled in."""
        return self.env.catalogs.bot(self.lang, key, org=self.env.org, **values)

    def help(self) -> str:
        """HELP, with the configured contact (translated where a catalogue has it)."""
        contact = self.env.help_contact
        what = self.bot(self._help_key())
        if not contact:
            return f"{what} {self.bot('help-org')}"
        contact = self.env.catalogs.text([self.lang], "bot/help-contact-value", contact)
        return f"{what} {self.bot('help-contact', contact=contact)}"

    def _help_key(self) -> str:
        """HELP's words: the lottery's while registering (or asked for a letter's code, or
        registered), else the survey's."""
        survey = self.survey
        if self.run.interrupt == "letter" or (survey is not None
                                               and survey.audience == REGISTRANTS):
            return "register-help"
        return "help"

    def text(self, survey: Questionnaire, context: str, source: str) -> str:
        """A survey's text in their language; `{org}` in it is OUTREACH_ORG_NAME."""
        return self.env.catalogs.text([self.lang, survey.language], f"{survey.slug}/{context}",
                                      source).replace("{org}", self.env.org)

    def say(self, text: str, options: tuple[Option, ...] = (), style: str = "list",
            multi: bool = False, **more) -> None:
        """A reply (with a STOP hint waiting, if any, shown with it)."""
        if self.stop_hint and not more.get("hint"):
            more["hint"], self.stop_hint = self.stop_hint, None
        self.replies.append(Reply(text, options, style, multi, **more))

    def words(self, key: str) -> frozenset[str]:
        """A word list (yes, no, a keyword) in their and every offered language, folded."""
        return self.env.catalogs.words(key, [self.lang, *self.offered()], answers.fold)

    def yes_no(self) -> tuple[Option, Option]:
        """YES and NO as options, in their language."""
        return Option("yes", self.bot("yes")), Option("no", self.bot("no"))

    def current_question(self) -> Question | None:
        """The question asked, if the run is at a question."""
        survey = self.survey
        if self.run.step != "question" or survey is None:
            return None
        return survey.question(self.run.question or "")

    def labels(self, survey: Questionnaire, question: Question) -> dict[str, list[str]]:
        """Each choice's labels: the survey's own and in their language."""
        return {c.id: [c.text, self.text(survey, f"{question.id}/{c.id}", c.text)]
                for c in question.choices}

    def wait(self) -> Wait | None:
        """When to nudge and when to expire a survey under way; None when nothing waits."""
        if not self.run.in_progress or self.state.contact.opted_out or not self.run.active_at:
            return None
        active = datetime.fromisoformat(self.run.active_at)
        after = self.env.nudges.get(self.run.survey or "", self.env.nudge_after)
        nudge = None if self.run.nudged else active + after
        # A late nudge (a check-in's 48 hours) still comes before the survey expires.
        expire = active + max(self.env.expire_after, after + timedelta(days=1))
        return Wait(nudge_at=nudge, expire_at=expire)
