"""How many SMS parts a text costs: GSM-7 160 / 153 per part, UCS-2 70 / 67 per part.

One character outside GSM 03.38 (any non-Latin script, a curly quote, an emoji) makes the
whole message UCS-2. Characters of the GSM extension table (€ [ ] { } etc.) take two septets.
Characters outside the Basic Multilingual Plane (most emoji) take two UCS-2 units.
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def encoding(text: str) -> str:
    """"GSM-7" if every character fits the GSM alphabet, else "UCS-2"."""
    return "GSM-7" if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text) else "UCS-2"


def units(text: str) -> int:
    """Length in the encoding's units: septets for GSM-7, 16-bit units for UCS-2."""
    if encoding(text) == "GSM-7":
        return sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def count(text: str) -> int:
    """The number of SMS parts `text` is sent as."""
    single, part = (160, 153) if encoding(text) == "GSM-7" else (70, 67)
    n = units(text)
    return 1 if n <= single else -(-n // part)
