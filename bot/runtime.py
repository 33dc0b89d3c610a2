"""The running service's parts in one place: settings, database, catalogues, clock, senders.

`create_app` builds one Runtime and keeps it in `app.extensions["outreach"]`; the CLI,
the webhooks and the worker all reach storage and the engine through it (`current()` inside
a request or command). The channels' senders are handed in by the app, so the bot never
imports the channels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import call_phrases, channels
from bot.config import Settings
from bot.delivery import ConsoleSender, Sender
from bot.engine import Env
from bot.members.rules import Rules
from bot.optout_phrases import OptOutPhrases
from bot.prompt_packs import PromptPacks
from bot.safeguarding import detect as safeguarding
from bot.safeguarding.detect import Detector
from store.db import make_engine, session_factory
from surveys import registry
from translations import detect
from translations.catalog import Catalogs

Clock = Callable[[], datetime]
# Builds the worker's senders, one per channel, from the settings and the worker's clock.
SenderFactory = Callable[[Settings, Clock], Mapping[str, Sender]]


def system_clock() -> datetime:
    return datetime.now(UTC)


def console_senders(_settings: Settings, _clock: Clock) -> dict[str, Sender]:
    """No channels wired in: every message is logged, nothing is sent."""
    return {channel.name: ConsoleSender(channel.name) for channel in channels.PUSHED}


def current() -> Runtime:
    """The Runtime of the current app (inside a request or a command)."""
    return current_app.extensions["outreach"]


class Runtime:
    def __init__(self, settings: Settings, clock: Clock | None = None,
                 senders: SenderFactory = console_senders):
        self.settings = settings
        self.clock: Clock = clock or system_clock
        self._senders = senders

    def senders(self, clock: Clock | None = None) -> Mapping[str, Sender]:
        """A sender per channel for the worker (`clock`: the worker's now); close them after."""
        return self._senders(self.settings, clock or self.clock)


    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @cached_property
    def catalogs(self) -> Catalogs:
        return Catalogs.load(self.settings.translations_dir)

    @cached_property
    def opt_out(self) -> OptOutPhrases:
        return OptOutPhrases.load()

    @cached_property
    def call_me(self) -> OptOutPhrases:
        return call_phrases.load()

    @cached_property
    def safeguarding(self) -> Detector:
        """Finds words that suggest someone is at risk (the reviewed pattern files)."""
        return safeguarding.shared()

    @property
    def leads(self) -> dict[str, tuple[str, str] | None]:
        """Who is told at once that an alert waits, per kind of alert."""
        return {"safeguarding": self.settings.safeguarding_lead,
                "wellbeing": self.settings.wellbeing_lead or self.settings.safeguarding_lead}

    @cached_property
    def member_rules(self) -> Rules:
        """When members hear from the bot (bot/members/rules.yaml), checked once."""
        return Rules.load(tz=self.settings.timezone)

    @cached_property
    def prompts(self) -> PromptPacks:
        return PromptPacks.load(starts=self.settings.engagement_start,
                                timezone=self.settings.timezone)

    def now(self) -> datetime:
        return self.clock()

    @cached_property
    def _check_in(self) -> dict[str, Any]:
        """The members' check-in, as the engine sees it: its low answers and its nudge."""
        check_in = self.member_rules.check_in
        low = check_in.low_condition
        return {"low_wellbeing": {check_in.survey: low} if low is not None else {},
                "nudges": {check_in.survey: check_in.nudge_after}}

    def env(self, session: Session, slug: str | None = None, version: int | None = None,
            **lookups: Any) -> Env:
        """The engine's view of the world, with the survey version a conversation is on;
        `lookups`: the person's own (peer engagers: bot/youth.py `lookups`)."""
        surveys = registry.current(session)
        versions = {}
        if slug and version and (slug not in surveys or surveys[slug].version != version):
            older = registry.get(session, slug, version)
            if older is not None:
                versions[(slug, version)] = older
        return Env(
            surveys=surveys,
            catalogs=self.catalogs,
            default_survey=self.settings.default_survey,
            versions=versions,
            detect=detect.detect,
            requested=detect.requested,
            languages=self.catalogs.offered,
            nudge_after=self.settings.nudge_after,
            expire_after=self.settings.expire_after,
            org=self.settings.org_name,
            help_contact=self.settings.help_contact,
            safeguarding_line=self.settings.safeguarding_line,
            opt_out=self.opt_out, call_me=self.call_me,
            prompts=self.prompts,
            telegram_bot=self.settings.telegram_bot_username,
            **self._check_in,
            **lookups,
        )
