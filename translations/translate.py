"""Machine translation of free text into English, for staff: the translators themselves.

The worker's job that fills in answers' translations is `bot/translating.py`; here is only
the client side: a text and its language in, English out, or a failure that says whether
to try again (`TranslationFailed`) or never (`Untranslatable`).

deep-translator's GoogleTranslator has no timeout and is not thread-safe (PITFALLS): each
call gets its own instance and runs in a small thread pool under our own timeout.

A LibreTranslate server (self-hosted, so residents' words stay in-house) is called through
its own HTTP API (`POST /translate` with JSON), not through deep-translator's
LibreTranslator: that one refuses Romanian, Urdu and Bulgarian (a fixed list of 17
languages), insists on an API key and puts the text in the URL, where access logs keep it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol

import requests
from deep_translator import GoogleTranslator
from deep_translator.exceptions import (
    BaseError,
    LanguageNotSupportedException,
    RequestError,
    TooManyRequests,
)

log = logging.getLogger(__name__)

MAX_CHARS = 4500  # Google's limit is 5,000 per request
GOOGLE_CODES = {"he": "iw", "zh-cn": "zh-CN", "zh-tw": "zh-TW", "jv": "jw"}


class TranslationFailed(Exception):
    """Try again later (timeout, 429, the service down)."""


class Untranslatable(Exception):
    """This text will never translate (a language the service does not know)."""


class Translator(Protocol):
    name: str  # recorded with each translation: libretranslate, google

    def translate(self, text: str, source: str) -> str:
        """`text` written in `source`, in English."""


class GoogleTranslate:
    """Google Translate through deep-translator, with a timeout of our own."""

    name = "google"

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


class LibreTranslate:
    """A LibreTranslate server's `/translate`, with a timeout; the text goes in the body."""

    name = "libretranslate"

    def __init__(self, url: str, timeout: float = 15.0):
        self.url, self.timeout = url.rstrip("/") + "/translate", timeout

    def translate(self, text: str, source: str) -> str:
        return " ".join(self._one(part, source) for part in _chunks(text))

    def _one(self, text: str, source: str) -> str:
        body = {"q": text, "source": source, "target": "en", "format": "text"}
        try:
            response = requests.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TranslationFailed(type(exc).__name__) from exc
        if response.status_code == 400:  # LibreTranslate's answer to a language it lacks
            raise Untranslatable(f"{source}: {response.text[:200]}")
        try:
            result = response.json().get("translatedText") if response.ok else None
        except (ValueError, AttributeError):
            result = None
        if not isinstance(result, str) or not result:
            raise TranslationFailed(f"HTTP {response.status_code}")
        return result

    def close(self) -> None:
        """Nothing to release: each call is one request."""


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


def build(kind: str, base_url: str | None = None) -> Translator | None:
    """The translator a setting names (TRANSLATOR), or None for "none"."""
    if kind == "none":
        return None
    if kind == "libretranslate":
        return LibreTranslate(base_url or "")
    return GoogleTranslate(base_url)
