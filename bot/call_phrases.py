"""An assembly member asking in plain words to be called ("please call me", "обадете ми се",
"prosze zadzwonic"), from reviewable phrase files: `translations/<lang>/call.yaml`, read by
the same rule as the opt-out phrases (bot/optout_phrases.py: the whole message, filler words
aside, is a phrase; each file's examples must and must not match). The one-word CALL of each
language stays a keyword in the catalogues (bot/keywords/call)."""

from __future__ import annotations

from pathlib import Path

from bot.optout_phrases import OptOutPhrases
from translations import data as language_files

KIND = "call"  # translations/<lang>/call.yaml


def load(root: Path | str = language_files.ROOT) -> OptOutPhrases:
    """Every language's call phrases; raises ValueError listing each problem."""
    return OptOutPhrases.load(root, KIND)
