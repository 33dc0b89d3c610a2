"""The web form's words: survey and bot texts without their chat-only wording ("Reply YES
to take part", "e.g. 1,3"), left out by webhooks/chat_wording.py with every word a chat
user is told to type."""

from __future__ import annotations

import functools

from flask import g

from bot.engine import KEYWORDS
from bot.runtime import Runtime
from surveys import registry
from surveys.model import Questionnaire
from webhooks.chat_wording import ChatWording


@functools.cache
def chat_wording() -> ChatWording:
    return ChatWording.load()


def _keywords(rt: Runtime) -> frozenset[str]:
    """Every word a chat user is told to type, in every language: the keywords, yes and
    no, and the surveys' own keywords (folded). Worked out once per request."""
    if "web_keywords" not in g:
        g.web_keywords = _all_keywords(rt)
    return g.web_keywords


def _all_keywords(rt: Runtime) -> frozenset[str]:
    langs = rt.catalogs.languages
    found = set()
    for key in KEYWORDS:
        found |= rt.catalogs.words(f"keywords/{key}", langs)
    for key in ("yes", "no"):
        found |= {rt.catalogs.bot(lang, key).casefold() for lang in langs}
    with rt.sessions() as db:
        found |= {s.keyword.casefold() for s in registry.current(db).values() if s.keyword}
    return frozenset(found)


def for_web(rt: Runtime, lang: str, text: str) -> str:
    """A survey or bot text without its chat-only wording."""
    return chat_wording().for_web(text, lang, _keywords(rt))


def privacy(rt: Runtime, survey: Questionnaire | None, lang: str) -> str | None:
    """The survey's privacy notice: its consent text, as a page shows it."""
    if survey is None or not survey.consent:
        return None
    text = rt.catalogs.text([lang, survey.language], f"{survey.slug}/consent", survey.consent)
    return for_web(rt, lang, text) or None
