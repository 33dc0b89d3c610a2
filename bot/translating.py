"""The worker's translation job: free-text answers into English, for staff.

Answers are stored as written; their English translation is filled in later by the worker
(`translation_status` pending -> done, or failed when the language cannot be translated).
A translator that is down, slow or rate-limited leaves answers pending and the worker
tries again later: no answer is ever lost or changed by a failure.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.runtime import Runtime
from store.db import transaction
from store.models import Answer
from translations.translate import TranslationFailed, Translator, Untranslatable

log = logging.getLogger(__name__)

PAUSE = timedelta(minutes=5)


class PendingTranslations:
    """The worker's translation job: a few pending answers a round, paused after a failure."""

    def __init__(self, rt: Runtime, translator: Translator | None, batch: int = 20):
        self.rt, self.translator, self.batch = rt, translator, batch
        self.paused_until: datetime | None = None

    def run(self, now: datetime) -> int:
        """Translate what is pending; returns how many answers were settled."""
        if self.translator is None or (self.paused_until and now < self.paused_until):
            return 0
        with self.rt.sessions() as session:
            pending = session.execute(
                select(Answer.id, Answer.raw_text, Answer.text_language)
                .where(Answer.translation_status == "pending").order_by(Answer.id)
                .limit(self.batch)).all()
        settled = 0
        for answer_id, text, language in pending:
            try:
                english, status = self.translator.translate(text, language), "done"
            except Untranslatable as exc:
                log.warning("answer %s cannot be translated: %s", answer_id, exc)
                english, status = None, "failed"
            except TranslationFailed as exc:
                log.warning("translation unavailable (%s); pausing %s", exc, PAUSE)
                self.paused_until = now + PAUSE
                break
            settled += self._store(answer_id, text, english, status)
        return settled

    def _store(self, answer_id: int, text: str, english: str | None, status: str) -> int:
        with transaction(self.rt.sessions) as session:
            answer = session.get(Answer, answer_id)
            if answer is None or answer.translation_status != "pending" or answer.raw_text != text:
                return 0  # erased, answered again, or settled by another worker meanwhile
            answer.translation_en, answer.translation_status = english, status
            return 1
