"""Machine translation of free-text answers into English, for staff. Worker only.

Answers are stored as written; their English translation is filled in later by the worker
(`translation_status` pending -> done, or failed when the language cannot be translated).
A translator that is down, slow or rate-limited leaves answers pending and the worker
tries again later: no answer is ever lost or changed by a failure.

deep-translator's GoogleTranslator has no timeout and is not thread-safe (PITFALLS): each
call gets its own instance and runs in a small thread pool under our own timeout.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timedelta
from typing import Protocol

import requests
from deep_translator import GoogleTranslator
from deep_translator.exceptions import (
    BaseError,
    LanguageNotSupportedException,
    RequestError,
    TooManyRequests,
)
from sqlalchemy import select

from outreach.runtime import Runtime
from outreach.store.db import transaction
from outreach.store.models import Answer

log = logging.getLogger(__name__)

MAX_CHARS = 4500  # Google's limit is 5,000 per request
GOOGLE_CODES = {"he": "iw", "zh-cn": "zh-CN", "zh-tw": "zh-TW", "jv": "jw"}
PAUSE = timedelta(minutes=5)


class TranslationFailed(Exception):
    """Try again later (timeout, 429, the service down)."""


class Untranslatable(Exception):
    """This text will never translate (a language the service does not know)."""


class Translator(Protocol):
    def translate(self, text: str, source: str) -> str:
        """`text` written in `source`, in English."""


class GoogleTranslate:
    """Google Translate through deep-translator, with a timeout of our own."""

    def __init__(self, base_url: str | None = None, timeout: float = 15.0):
        self.base_url, self.timeout = base_url, timeout
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="translate")

    def translate(self, text: str, source: str) -> str:
        return " ".join(self._one(part, source) for part in _chunks(text))

    def _one(self, text: str, source: str) -> str:
        try:
            client = GoogleTranslator(source=GOOGLE_CODES.get(source, source), target="en")
        except (LanguageNotSupportedException, BaseError) as exc:
            raise Untranslatable(f"{source}: {exc}") from exc
        if self.base_url:
            client._base_url = self.base_url  # a local fake in tests
        future = self._pool.submit(client.translate, text)
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout as exc:
            raise TranslationFailed("timeout") from exc
        except (TooManyRequests, RequestError, BaseError, requests.RequestException) as exc:
            raise TranslationFailed(type(exc).__name__) from exc
        if not result:
            raise TranslationFailed("empty answer")
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _chunks(text: str, size: int = MAX_CHARS) -> list[str]:
    """Split at spaces into pieces Google accepts."""
    parts, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > size:
            parts.append(current)
            current = ""
        current = f"{current} {word}" if current else word
        while len(current) > size:
            parts.append(current[:size])
            current = current[size:]
    return [*parts, current] if current else parts


def build(rt: Runtime) -> Translator | None:
    """The configured translator, or None (TRANSLATOR=none)."""
    if rt.settings.translator == "none":
        return None
    return GoogleTranslate(rt.settings.translator_base_url)


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
