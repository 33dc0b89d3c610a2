"""The running service's parts in one place: settings, database, catalogues, clock.

`create_app` builds one Runtime and keeps it in `app.extensions["outreach"]`; the CLI,
the webhooks and the worker all reach storage and the engine through it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from outreach.bot.engine import Env
from outreach.config import Settings
from outreach.store.db import make_engine, session_factory
from outreach.surveys import registry
from outreach.translations import detect
from outreach.translations.catalog import Catalogs

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class Runtime:
    def __init__(self, settings: Settings, clock: Clock | None = None):
        self.settings = settings
        self.clock: Clock = clock or system_clock

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    @cached_property
    def catalogs(self) -> Catalogs:
        return Catalogs.load(self.settings.translations_dir)

    def now(self) -> datetime:
        return self.clock()

    def env(self, session: Session, slug: str | None = None, version: int | None = None) -> Env:
        """The engine's view of the world, with the survey version a conversation is on."""
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
            languages=tuple(dict.fromkeys(["en", *self.catalogs.languages])),
            nudge_after=self.settings.nudge_after,
            expire_after=self.settings.expire_after,
            org=self.settings.org_name,
            help_contact=self.settings.help_contact,
        )
