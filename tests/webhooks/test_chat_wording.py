"""The chat-only wording the web form leaves out: the per-language data files load, their
examples hold both ways, and the keyword rule drops instruction sentences only."""

from __future__ import annotations

from pathlib import Path

import pytest

from translations import data as language_files
from webhooks.chat_wording import KIND, ChatWording, WordingError

KEYWORDS = {"stop", "yes", "skip", "lang", "safety", "da", "tak", "стоп", "limba", "език", "język",
            "DİL".casefold()}  # the catalogues' LANG words, folded as the form folds them


def test_every_language_has_a_file_and_they_load():
    languages = set(language_files.found(KIND))
    assert languages == {"en", "ro", "ur", "bg", "pl", "tr"}
    assert set(ChatWording.load().rules) == languages


@pytest.mark.parametrize(("text", "web"), [
    ("Your answers are kept apart from your number. Reply STOP to stop. Reply YES to take "
     "part.", "Your answers are kept apart from your number."),
    ("Aged 25 or over? Text SAFETY instead.", ""),  # the question leading in goes too
    ("Need to talk to someone? Childline is free on 0800 1111.",
     "Need to talk to someone? Childline is free on 0800 1111."),
    ("Răspundeți STOP pentru a opri. Răspundeți DA (YES) pentru a participa.", ""),
    ("Отговорите Ви се пазят отделно. Отговорете STOP (СТОП), за да спрете.",
     "Отговорите Ви се пазят отделно."),
    ("آپ کے جوابات گمنام ہیں۔ حصہ لینے کے لیے ہاں (YES) لکھیں۔", "آپ کے جوابات گمنام ہیں۔"),
    ("We do not stop you from skipping: say yes or no as you like.",  # not in capitals
     "We do not stop you from skipping: say yes or no as you like."),
    ("We installed CCTV. OK?", "We installed CCTV. OK?"),  # capitals, but no keyword
    # the intros' line on choosing a language: the page has its own list
    ("This short survey helps. Reply LANG for another language.", "This short survey helps."),
    ("Ta krótka ankieta pomoże. Inny język: odpisz JĘZYK.", "Ta krótka ankieta pomoże."),
    ("Doar câteva întrebări rapide. Altă limbă: scrie LIMBA.",
     "Doar câteva întrebări rapide."),
    ("Само няколко бързи въпроса. Друг език: напиши ЕЗИК.", "Само няколко бързи въпроса."),
    ("Sadece birkaç kısa soru. Başka dil için DİL yaz.", "Sadece birkaç kısa soru."),
    ("بس چند مختصر سوالات۔ دوسری زبان کے لیے LANG لکھیں۔", "بس چند مختصر سوالات۔"),
    ("Inny język? Każdy język jest dobry.", "Inny język? Każdy język jest dobry."),  # lower
    ("Başka dil için listeye bakın.", "Başka dil için listeye bakın."),  # no capitals
])
def test_a_sentence_naming_a_keyword_in_capitals_is_left_out(text, web):
    assert ChatWording({}).for_web(text, "en", KEYWORDS) == web


def test_both_rules_apply_together():
    wording = ChatWording.load()
    text = "What would make you feel safer? Pick all that apply, e.g. 1,3"
    assert wording.for_web(text, "en", KEYWORDS) == (
        "What would make you feel safer? Pick all that apply")


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "chat.yaml").write_text(body, encoding="utf-8")
    return tmp_path


KEEPS_BROKEN = """language: en
rules:
  - chat: '\\s*\\bin\\b.*'
examples:
  - {chat: "Reply in words.", web: "Reply in words."}
  - {chat: "Go in there", web: "Go"}
"""
CHANGE_MISSED = """language: en
rules:
  - chat: 'e\\.g\\. 1,3'
examples:
  - {chat: "Pick any, for example 1,3", web: "Pick any"}
  - {chat: "How old are you?", web: "How old are you?"}
"""


@pytest.mark.parametrize(("body", "message"), [
    (KEEPS_BROKEN, "'Reply in words.' gives 'Reply'"),  # changes what it must keep
    (CHANGE_MISSED, "gives 'Pick any, for example 1,3'"),  # misses what it must change
])
def test_a_rule_its_examples_contradict_fails_to_load(tmp_path, body, message):
    with pytest.raises(WordingError, match=message):
        ChatWording.load(write(tmp_path, body))


@pytest.mark.parametrize("body", [
    "language: ro\nrules: []\nexamples: [{chat: a, web: b}, {chat: c, web: c}]\n",
    "language: en\nrules: [{chat: '('}]\nexamples: [{chat: a, web: b}, {chat: c, web: c}]\n",
    "language: en\nrules: []\nexamples: [{chat: c, web: c}]\n",  # nothing it must change
])
def test_a_malformed_file_names_itself(tmp_path, body):
    with pytest.raises(WordingError, match="en/chat.yaml"):
        ChatWording.load(write(tmp_path, body))
