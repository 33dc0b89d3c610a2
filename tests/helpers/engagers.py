"""Peer engagers for tests: added through the service, with a code chosen by the test."""

from __future__ import annotations

from bot import youth
from store.db import transaction


def add_engager(rt, code: str = "K7P2QX", name: str = "Sam", phone: str | None = None,
                telegram: str | None = None, paused: bool = False,
                language: str | None = None) -> str:
    """An engager as `outreach engagers add` makes one, but with a known code."""
    channel = "sms" if phone else "telegram" if telegram else None
    with transaction(rt.sessions) as session:
        engager = youth.add(session, name, rt.now(), channel=channel,
                            address=phone or telegram, language=language)
        engager.code = code
        if paused:
            engager.paused_at = rt.now()
    return code
