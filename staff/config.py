"""The staff area's settings: its cookies and how long a sign-in lasts.

Read from the same sources, in the same order, as `bot.config.Settings` (explicit config,
then the environment, then `.env`); documented in `.env.example` and docs/configuration.md.
Kept here rather than in `bot/config.py` while the members' work (issue 11) changes that
file; the two belong together once both have landed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from bot.config import ConfigError, parse_duration

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class StaffSettings:
    # Secure cookies go only over https. Off only for plain http during development.
    cookie_secure: bool = True
    session_idle: timedelta = timedelta(hours=1)  # signed out after this long unused
    session_max: timedelta = timedelta(hours=12)  # and after this long whatever happens

    @classmethod
    def from_env(cls, overrides: Mapping[str, Any] | None = None,
                 dotenv: bool = True) -> StaffSettings:
        env: dict[str, Any] = {}
        if dotenv:
            env.update((k, v) for k, v in dotenv_values(Path.cwd() / ".env").items() if v)
        env.update((k, v) for k, v in os.environ.items() if v)
        env.update((k, v) for k, v in (overrides or {}).items() if v not in (None, ""))
        defaults = cls()
        return cls(
            cookie_secure=_flag("STAFF_COOKIE_SECURE", env.get("STAFF_COOKIE_SECURE"),
                                defaults.cookie_secure),
            session_idle=_duration("STAFF_SESSION_IDLE", env.get("STAFF_SESSION_IDLE"),
                                   defaults.session_idle),
            session_max=_duration("STAFF_SESSION_MAX", env.get("STAFF_SESSION_MAX"),
                                  defaults.session_max),
        )


def _flag(name: str, value: Any, default: bool) -> bool:
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in TRUE + FALSE:
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return text in TRUE


def _duration(name: str, value: Any, default: timedelta) -> timedelta:
    if value is None:
        return default
    try:
        return parse_duration(str(value))
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
