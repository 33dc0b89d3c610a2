"""The machine-translation client: which translator a setting builds, and text cut into
pieces the service accepts."""

from __future__ import annotations

import pytest

from translations import translate


def test_translator_none_builds_no_translator():
    assert translate.build("none") is None


def test_translator_google_builds_the_deep_translator_client():
    built = translate.build("google", "http://127.0.0.1:9/")
    try:
        assert isinstance(built, translate.GoogleTranslate)
        assert built.base_url == "http://127.0.0.1:9/"
    finally:
        built.close()


@pytest.mark.parametrize("text, pieces", [
    ("a" * 4500, 1),
    ("a" * 4501, 2),                     # no space to split at: cut
    (" ".join(["abcd"] * 1000), 2),      # 4,999 characters, split between words
    ("a" * 9001, 3),
])
def test_long_text_is_split_into_pieces_google_accepts(text, pieces):
    parts = translate._chunks(text)
    assert len(parts) == pieces
    assert all(len(p) <= translate.MAX_CHARS for p in parts)
    assert " ".join(parts).replace(" ", "") == text.replace(" ", "")
