"""The worker's translation job: free-text answers and alerts into English, for staff.

Answers and alerts are stored as written; their English translation is filled in later by
the worker (`translation_status` pending -> done, or failed when the language cannot be
translated). Alerts go first: a safeguarding lead is waiting to read them.
A translator that is down, slow or rate-limited leaves answers pending and the worker
tries again later: no answer is ever lost or changed by a failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

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

    def _run(self, kind: Translated, now: datetime) -> int:
        model = kind.model
        with self.rt.sessions() as session:
            pending = session.execute(
                select(model.id, getattr(model, kind.text), getattr(model, kind.language))
                .where(model.translation_status == "pending").order_by(model.id)
                .limit(self.batch)).all()
        settled = 0
        for row_id, text, language in pending:
            try:
                english, status = self.translator.translate(text, language or "auto"), "done"
            except Untranslatable as exc:
                log.warning("%s %s cannot be translated: %s", model.__tablename__, row_id, exc)
                english, status = None, "failed"
            except TranslationFailed as exc:
                log.warning("translation unavailable (%s); pausing %s", exc, PAUSE)
                self.paused_until = now + PAUSE
                break
            settled += self._store(kind, row_id, text, english, status)
        return settled

    def _store(self, kind: Translated, row_id: int, text: str, english: str | None,
               status: str) -> int:
        with transaction(self.rt.sessions) as session:
            row = session.get(kind.model, row_id)
            changed = row is None or getattr(row, kind.text) != text
            if changed or row.translation_status != "pending":
                return 0  # erased, answered again, or settled by another worker meanwhile
            setattr(row, kind.english, english)
            row.translation_status = status
            return 1
