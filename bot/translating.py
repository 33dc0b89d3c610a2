"""The worker's translation job: free-text answers and alerts into English, for staff.

Answers and alerts are stored as written; their English translation is filled in later by
the worker (`translation_status` pending -> done, or failed when the language cannot be
translated). Alerts go first: a safeguarding lead is waiting to read them.
A translator that is down, slow or rate-limited leaves answers pending and the worker
tries again later: no answer is ever lost or changed by a failure. Each call has a timeout
(translations/translate.py); after a failure the job pauses (PAUSE) and then retries the
same rows, indefinitely, until they translate or the service says they never will.
The same words in the same language are translated once: later copies take the stored
English (`translated_before`). Each translation records its provider and time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.runtime import Runtime
from store.db import transaction
from store.models import Alert, Answer
from translations.translate import TranslationFailed, Translator, Untranslatable

log = logging.getLogger(__name__)

PAUSE = timedelta(minutes=5)


@dataclass(frozen=True)
class Translated:
    """Where a kind of row keeps its words, their language and their English."""

    model: type
    text: str
    language: str
    english: str


# In the order they are translated: alerts before answers.
KINDS = (Translated(Alert, "text", "language", "text_en"),
         Translated(Answer, "raw_text", "text_language", "translation_en"))


class PendingTranslations:
    """The worker's translation job: a few pending answers a round, paused after a failure."""

    def __init__(self, rt: Runtime, translator: Translator | None, batch: int = 20):
        self.rt, self.translator, self.batch = rt, translator, batch
        self.paused_until: datetime | None = None

    def run(self, now: datetime) -> int:
        """Translate what is pending; returns how many rows were settled."""
        if self.translator is None or (self.paused_until and now < self.paused_until):
            return 0
        settled = 0
        for kind in KINDS:
            settled += self._run(kind, now)
            if self.paused_until and now < self.paused_until:
                break
        return settled

    @property
    def provider(self) -> str:
        """The translating service's name, recorded with each translation it makes."""
        return getattr(self.translator, "name", type(self.translator).__name__.lower())

    def _run(self, kind: Translated, now: datetime) -> int:
        model = kind.model
        with self.rt.sessions() as session:
            pending = session.execute(
                select(model.id, getattr(model, kind.text), getattr(model, kind.language))
                .where(model.translation_status == "pending").order_by(model.id)
                .limit(self.batch)).all()
            known = translated_before(session, {(text, lang) for _, text, lang in pending})
        settled = 0
        for row_id, text, language in pending:
            key = (text, language)
            if key in known:  # the same words in the same language: translated once
                (english, provider), status = known[key], "done"
            else:
                try:
                    english = self.translator.translate(text, language or "auto")
                    status, provider = "done", self.provider
                    known[key] = (english, provider)
                except Untranslatable as exc:
                    log.warning("%s %s cannot be translated: %s", model.__tablename__, row_id,
                                exc)
                    english, status, provider = None, "failed", self.provider
                except TranslationFailed as exc:
                    log.warning("translation unavailable (%s); pausing %s", exc, PAUSE)
                    self.paused_until = now + PAUSE
                    break
            settled += self._store(kind, row_id, text, Outcome(english, status, provider), now)
        return settled

    def _store(self, kind: Translated, row_id: int, text: str, outcome: Outcome,
               now: datetime) -> int:
        with transaction(self.rt.sessions) as session:
            row = session.get(kind.model, row_id)
            changed = row is None or getattr(row, kind.text) != text
            if changed or row.translation_status != "pending":
                return 0  # erased, answered again, or settled by another worker meanwhile
            setattr(row, kind.english, outcome.english)
            row.translation_status = outcome.status
            row.translation_provider, row.translated_at = outcome.provider, now
            return 1


@dataclass(frozen=True)
class Outcome:
    """What translating one row came to: the English (None on failure), status, service."""

    english: str | None
    status: str
    provider: str


def translated_before(session: Session, wanted: set[tuple[str, str | None]]
                      ) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    """The cache: English already stored (in answers or alerts) for the same words in the
    same language, with the service that made it. It is the stored translations themselves,
    so a DELETE or a purge empties it too; nothing else keeps residents' words."""
    found: dict[tuple[str, str | None], tuple[str, str | None]] = {}
    texts = sorted({text for text, _ in wanted})
    for kind in KINDS if texts else ():
        model = kind.model
        rows = session.execute(select(
            getattr(model, kind.text), getattr(model, kind.language),
            getattr(model, kind.english), model.translation_provider)
            .where(model.translation_status == "done", getattr(model, kind.text).in_(texts),
                   getattr(model, kind.english).is_not(None)))
        for text, language, english, provider in rows:
            if (text, language) in wanted:
                found.setdefault((text, language), (english, provider))
    return found
