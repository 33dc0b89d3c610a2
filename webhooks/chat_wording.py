"""Chat-only wording, left out of what the web form shows.

Survey and bot texts are written for a chat: "Reply YES to take part", "Pick all that
apply, e.g. 1,3". On a web page buttons and boxes do that job, so the web form leaves such
wording out, by two rules:

1. A sentence that names a keyword in capitals (STOP, YES, SKIP, LANG, a survey keyword
   such as SAFETY, or their translations: DA, TAK, СТОП...) tells a chat user what to type.
   It is left out, and so is a question just before it that leads into it ("Aged 25 or
   over? Text SAFETY instead.").
2. `translations/<lang>/chat.yaml` lists, per language, the phrases rule 1 cannot see (a number
   example such as "e.g. 1,3"), as regular expressions, each replaced by its `web` wording
   (nothing unless given). Each file carries examples it must and must not change; they
   are checked when the file is loaded, so a broken pattern fails at start-up and in tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from translations import data as language_files

KIND = "chat"  # translations/<lang>/chat.yaml
_SENTENCE_END = re.compile(r"(?<=[.!?\u06d4\u061f])\s+")  # . ! ? and Urdu's ۔ ؟
_QUESTION_MARKS = ("?", "\u061f")
_WORD = re.compile(r"\w+")


class WordingError(ValueError):
    """A chat-wording file that cannot be used: `FILE: message`."""


@dataclass(frozen=True)
class Rule:
    chat: re.Pattern[str]
    web: str = ""


@dataclass(frozen=True)
class ChatWording:
    """The phrase rules of every language, and the keyword words that mark instructions."""

    rules: dict[str, tuple[Rule, ...]]

    @classmethod
    def load(cls, root: Path = language_files.ROOT) -> ChatWording:
        """Read and check every language's `chat.yaml` (its examples included)."""
        return cls({lang: _read(path, lang)
                    for lang, path in language_files.found(KIND, root).items()})

    def phrases(self, text: str, lang: str) -> str:
        """Rule 2 alone: this language's chat-only phrases replaced by their web wording."""
        for rule in self.rules.get(lang, ()):
            text = rule.chat.sub(rule.web, text)
        return text

    def for_web(self, text: str, lang: str, keywords: Iterable[str]) -> str:
        """`text` without its chat-only wording; `keywords` are folded (lower-case) words."""
        words = frozenset(keywords)
        kept: list[str] = []
        for line in self.phrases(text, lang).split("\n"):
            sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
            out: list[str] = []
            for sentence in sentences:
                if _names_keyword(sentence, words):
                    if out and out[-1].rstrip().endswith(_QUESTION_MARKS):
                        out.pop()  # the question that led into the instruction
                    continue
                out.append(sentence)
            kept.append(" ".join(out))
        return "\n".join(line for line in kept if line).strip()


def _names_keyword(sentence: str, keywords: frozenset[str]) -> bool:
    return any(len(word) > 1 and word.isupper() and word.casefold() in keywords
               for word in _WORD.findall(sentence))


def _read(path: Path, lang: str) -> tuple[Rule, ...]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise WordingError(f"{path}: {exc}") from exc
    if data.get("language") != lang:
        raise WordingError(f"{path}: language must be {lang!r}")
    rules = []
    for entry in data.get("rules") or []:
        try:
            rules.append(Rule(re.compile(entry["chat"]), entry.get("web") or ""))
        except (KeyError, TypeError, re.error) as exc:
            raise WordingError(f"{path}: rule {entry!r}: {exc}") from exc
    wording = ChatWording({lang: tuple(rules)})
    examples = data.get("examples") or []
    changed = [e for e in examples if e.get("chat") != e.get("web")]
    if not changed or len(changed) == len(examples):
        raise WordingError(f"{path}: give examples that change and examples that do not")
    for example in examples:
        got = wording.phrases(example["chat"], lang)
        if got != example["web"]:
            raise WordingError(f"{path}: {example['chat']!r} gives {got!r}, "
                               f"not {example['web']!r}")
    return tuple(rules)
