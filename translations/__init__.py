"""Translations: gettext catalogues (`<lang>/LC_MESSAGES/messages.po` in this folder), text
lookup with a fallback chain, language detection, machine translation of free text."""

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent  # the shipped catalogues; TRANSLATIONS_DIR overrides
