"""Counts as staff pages show them: small ones hidden, so nobody is picked out."""

from __future__ import annotations

SMALL = 5  # counts from 1 to 4 are shown as "fewer than 5" (and their shares not at all)


def is_small(n: int) -> bool:
    return 0 < n < SMALL


def people(n: int) -> str:
    """'none', 'fewer than 5' or the count with thousands separators."""
    if n == 0:
        return "none"
    return "fewer than 5" if is_small(n) else f"{n:,}"
