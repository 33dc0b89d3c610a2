"""Configuration: read once, from the environment (and a `.env` file), into Settings.

Every variable is documented in `.env.example` and docs/configuration.md. Nothing else in
the code reads os.environ. `.env`, `instance/` and relative SQLite paths are looked for in
the working directory (never beside the code, which may be inside site-packages); the
surveys, catalogues and assembly file default to the ones the package carries.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

import assembly
import surveys
import translations
from bot import addresses, channels


class ConfigError(ValueError):
    """A setting with a value we cannot use."""


# Said at start-up (`outreach serve`, `outreach worker`, so `make run`), on /healthz and to
# admins on the staff dashboard while it holds: nobody would hear of a disclosure at once.
NO_SAFEGUARDING_LEAD = (
    "SAFEGUARDING_LEAD is not set: nobody is told at once when someone discloses a risk. "
    "Set it (+44..., whatsapp:+44... or telegram:ID) before anyone is asked anything "
    "(docs/safeguarding.md).")


def parse_duration(text: str) -> timedelta:
    """'90m', '24h', '3d', '1d12h' -> timedelta."""
    parts = re.findall(r"(\d+)\s*([smhd])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s", "", text.lower()):
        raise ConfigError(f"not a duration: {text!r} (use e.g. 90m, 24h, 3d)")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    return sum((timedelta(**{unit[u]: int(n)}) for n, u in parts), timedelta())


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """'21:00-08:00' -> (21:00, 08:00); '' or 'off' -> None."""
    if not text.strip() or text.strip().lower() in ("off", "none"):
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not m:
        raise ConfigError(f"QUIET_HOURS must look like 21:00-08:00, not {text!r}")
    h1, m1, h2, m2 = map(int, m.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError as exc:  # 25:00, 21:60
        raise ConfigError(f"QUIET_HOURS has a time that does not exist: {text!r}") from exc


LOCAL_NAMES = ("localhost", "local", "internal", "lan", "home.arpa")


def local_host(url: str) -> str | None:
    """The host of `url` if only this machine or its local network can reach it
    (localhost, 127.0.0.1, [::1], 0.0.0.0, 192.168.1.20, 10.0.0.5, outreach.local), which no
    one outside can open; None for any other host."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:  # "http://[::1" and the like: not a link anyone can open either
        return None
    name = host.rstrip(".")
    if name.rpartition(".")[2] in LOCAL_NAMES or name.endswith(".home.arpa"):
        return host
    if "." not in name and not name.startswith("[") and ":" not in name and name:
        return host  # a bare machine name ("outreach"): only a local network resolves it
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    local = (address.is_private or address.is_loopback or address.is_link_local
             or address.is_unspecified)
    return host if local else None


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    public_base_url: str
    instance_path: Path
    surveys_dir: Path
    translations_dir: Path
    assembly_file: Path  # the assembly file (assembly/): name, question, place, theme set
    timezone: ZoneInfo
    quiet_hours: tuple[time, time] | None
    default_survey: str | None
    translator: str
    translator_base_url: str | None
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_sms_from: str | None
    twilio_whatsapp_from: str | None
    twilio_api_base_url: str | None
    twilio_whatsapp_template_sid: str | None
    telegram_bot_token: str | None
    telegram_webhook_secret: str | None
    telegram_api_base_url: str | None
    telegram_bot_username: str | None
    engagement_start: date | None
    org_name: str
    help_contact: str | None
    default_region: str
    nudge_after: timedelta
    expire_after: timedelta
    rate_limit_per_minute: int
    loop_limit: int
    # Told at once, without details, that an alert waits: (channel, provider address).
    safeguarding_lead: tuple[str, str] | None = None
    wellbeing_lead: tuple[str, str] | None = None
    safeguarding_line: str | None = None  # the council's own support line, in signposting
    # An alert waiting longer is marked overdue on the staff alerts page: urgent ones (in
    # danger now, at risk) after the first, concerns after the second (docs/safeguarding.md).
    alert_overdue_urgent: timedelta = timedelta(hours=1)
    alert_overdue_concern: timedelta = timedelta(hours=24)
    # The staff area (docs/staff.md): Secure cookies go only over https (off only for plain
    # http while developing); a sign-in ends after this long unused, or this long in all.
    staff_cookie_secure: bool = True
    staff_session_idle: timedelta = timedelta(hours=1)
    staff_session_max: timedelta = timedelta(hours=12)
    # How long a new API token works unless `--days` says otherwise (at most a year).
    staff_token_days: int = 90
    # How many reverse proxies in front of the app append to X-Forwarded-For (and set
    # X-Forwarded-Proto); 0 trusts none of those headers (docs/operations.md).
    trusted_proxies: int = 0
    # Where verified inbound requests wait while the database cannot be reached (bot/spool.py).
    spool_dir: Path = Path("instance/spool")
    # Caps on it, so that no one can fill the disk during an outage: its size in all (MB),
    # and the messages of one sender.
    spool_max_mb: int = 500
    spool_per_sender: int = 100
    # The Sortition Foundation's `sortition` command the lottery's selection runs as a
    # separate program (GPL-3.0, never imported); None: `.venv-lottery/bin/sortition` (made
    # by `make lottery-env`), then `sortition` on PATH (lottery/library.py).
    sortition_command: str | None = None

    @property
    def links_are_local(self) -> bool:
        """Whether links built on PUBLIC_BASE_URL point at this machine: such links are
        never sent to anyone (bot/outbox.py refuses them)."""
        return local_host(self.public_base_url) is not None

    @property
    def staff_url(self) -> str | None:
        """PUBLIC_BASE_URL when people can reach it (a lead's notice links an alert's page
        on it), None while it is this machine."""
        return None if self.links_are_local else self.public_base_url

    def links_note(self) -> str:
        """The line `outreach serve` (and so `make run`) starts with: the address links
        sent to people are built on, and a warning while it is this machine."""
        if self.links_are_local:
            return (f"warning: PUBLIC_BASE_URL is {self.public_base_url}, this machine: "
                    "messages with a link (members' welcome, engagers' links and QR codes) "
                    "are refused until it is the public address people reach this service "
                    "at (docs/configuration.md)")
        return f"links sent to people use PUBLIC_BASE_URL: {self.public_base_url}"

    def warnings(self) -> list[str]:
        """What must be put right before people are asked anything (start-up, /healthz,
        the staff dashboard): the service runs meanwhile."""
        return [] if self.safeguarding_lead else [NO_SAFEGUARDING_LEAD]

    @classmethod
    def from_env(cls, overrides: Mapping[str, Any] | None = None,
                 dotenv: bool = True) -> Settings:
        """Settings from `.env` (unless dotenv=False), the environment, then `overrides`."""
        env: dict[str, Any] = {}
        here = Path.cwd()
        if dotenv:
            env.update((k, v) for k, v in dotenv_values(here / ".env").items() if v)
        env.update((k, v) for k, v in os.environ.items() if v)  # empty: unset
        env.update(overrides or {})

        def get(name: str, default: str | None = None) -> str | None:
            value = env.get(name)
            return default if value in (None, "") else str(value)

        instance = (here / get("INSTANCE_PATH", "instance")).resolve()
        try:
            tz = ZoneInfo(get("OUTREACH_TIMEZONE", "Europe/London"))
        except (KeyError, ValueError, OSError) as exc:  # OSError: a folder such as "Europe"
            raise ConfigError("OUTREACH_TIMEZONE must name a time zone such as Europe/London, "
                              f"not {get('OUTREACH_TIMEZONE')!r}") from exc
        translator = get("TRANSLATOR", "none").lower()  # nothing leaves until chosen
        if translator not in ("none", "libretranslate", "google"):
            raise ConfigError("TRANSLATOR must be none, libretranslate or google")
        if translator == "libretranslate" and not get("LIBRETRANSLATE_URL"):
            raise ConfigError("TRANSLATOR=libretranslate needs LIBRETRANSLATE_URL")
        return cls(
            database_url=_database_url(get("DATABASE_URL", f"sqlite:///{instance / 'outreach.db'}"),
                                       here),
            secret_key=get("SECRET_KEY") or _instance_secret(instance),
            public_base_url=_base_url(get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")),
            instance_path=instance,
            surveys_dir=here / get("SURVEYS_DIR", str(surveys.BUNDLED)),
            translations_dir=here / get("TRANSLATIONS_DIR", str(translations.BUNDLED)),
            assembly_file=_file("ASSEMBLY_FILE",
                                here / get("ASSEMBLY_FILE", str(assembly.SHIPPED))),
            timezone=tz,
            quiet_hours=parse_quiet_hours(get("QUIET_HOURS", "21:00-08:00")),
            default_survey=get("DEFAULT_SURVEY"),
            translator=translator,
            translator_base_url=(get("LIBRETRANSLATE_URL") if translator == "libretranslate"
                                 else get("GOOGLE_TRANSLATE_URL")),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_sms_from=get("TWILIO_SMS_FROM"),
            twilio_whatsapp_from=get("TWILIO_WHATSAPP_FROM"),
            twilio_api_base_url=get("TWILIO_API_BASE_URL"),
            twilio_whatsapp_template_sid=get("TWILIO_WHATSAPP_TEMPLATE_SID"),
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base_url=get("TELEGRAM_API_BASE_URL"),
            telegram_bot_username=get("TELEGRAM_BOT_USERNAME"),
            engagement_start=_named("ENGAGEMENT_START", _date, get("ENGAGEMENT_START")),
            org_name=(get("OUTREACH_ORG_NAME") or "").strip() or "Waltham Forest Council",
            help_contact=get("HELP_CONTACT", get("OUTREACH_HELP_CONTACT")),  # old name too
            default_region=get("OUTREACH_PHONE_REGION", "GB").upper(),
            nudge_after=_named("SURVEY_NUDGE_AFTER", parse_duration,
                               get("SURVEY_NUDGE_AFTER", "20h")),
            expire_after=_named("SURVEY_EXPIRE_AFTER", parse_duration,
                                get("SURVEY_EXPIRE_AFTER", "3d")),
            rate_limit_per_minute=_int(get("RATE_LIMIT_PER_MINUTE", "60"),
                                       "RATE_LIMIT_PER_MINUTE"),
            loop_limit=_int(get("LOOP_LIMIT", "10"), "LOOP_LIMIT"),
            safeguarding_lead=_lead("SAFEGUARDING_LEAD", get("SAFEGUARDING_LEAD"),
                                    get("OUTREACH_PHONE_REGION", "GB").upper()),
            wellbeing_lead=_lead("WELLBEING_LEAD", get("WELLBEING_LEAD"),
                                 get("OUTREACH_PHONE_REGION", "GB").upper()),
            safeguarding_line=get("SAFEGUARDING_LINE"),
            alert_overdue_urgent=_named("ALERT_OVERDUE_URGENT", parse_duration,
                                        get("ALERT_OVERDUE_URGENT", "1h")),
            alert_overdue_concern=_named("ALERT_OVERDUE_CONCERN", parse_duration,
                                         get("ALERT_OVERDUE_CONCERN", "24h")),
            staff_cookie_secure=_flag("STAFF_COOKIE_SECURE", get("STAFF_COOKIE_SECURE", "true")),
            staff_session_idle=_named("STAFF_SESSION_IDLE", parse_duration,
                                      get("STAFF_SESSION_IDLE", "1h")),
            staff_session_max=_named("STAFF_SESSION_MAX", parse_duration,
                                     get("STAFF_SESSION_MAX", "12h")),
            staff_token_days=_int(get("STAFF_TOKEN_DAYS", "90"), "STAFF_TOKEN_DAYS",
                                  most=365),
            trusted_proxies=_int(get("TRUSTED_PROXIES", "0"), "TRUSTED_PROXIES", least=0),
            spool_dir=(here / get("OUTREACH_SPOOL_DIR", str(instance / "spool"))).resolve(),
            spool_max_mb=_int(get("OUTREACH_SPOOL_MAX_MB", "500"), "OUTREACH_SPOOL_MAX_MB"),
            spool_per_sender=_int(get("OUTREACH_SPOOL_PER_SENDER", "100"),
                                  "OUTREACH_SPOOL_PER_SENDER"),
            sortition_command=get("SORTITION_COMMAND"),
        )


def _file(name: str, path: Path) -> Path:
    """`path` when it is a file; ConfigError naming the variable otherwise."""
    if not path.is_file():
        raise ConfigError(f"{name} must name a file, and {path} is not one")
    return path


def _named(name: str, parse, value: str):
    """`parse(value)`, its ConfigError naming the variable the value came from."""
    try:
        return parse(value)
    except ConfigError as exc:
        raise ConfigError(f"{name}: {exc}") from exc


def _base_url(value: str) -> str:
    """PUBLIC_BASE_URL without its trailing `/`; ConfigError unless an http(s) URL."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # "https://[outreach"
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ConfigError("PUBLIC_BASE_URL must be the public address people and providers "
                          f"reach, such as https://outreach.example.org, not {value!r}")
    return value.strip().rstrip("/")


_TEXTED = next(c.name for c in channels.CHANNELS if c.sms_parts)  # a lead's bare number


def _lead(name: str, value: str | None, region: str) -> tuple[str, str] | None:
    """`+44…` (SMS), `whatsapp:+44…` or `telegram:ID` -> (channel, provider address)."""
    if value is None:
        return None
    named, _, rest = value.strip().partition(":")
    found = channels.BY_NAME.get(named)
    if found is not None and found.pushed and found.name != _TEXTED:
        channel, address = found.name, rest  # `whatsapp:+44…`, `telegram:ID`
    else:
        channel, address = _TEXTED, value.strip()  # a bare number: texted
    try:
        scheme, parsed = addresses.parse(channel, address, region)
    except addresses.InvalidAddress as exc:
        # The value is not echoed: a phone number does not belong in a log.
        raise ConfigError(f"{name} must be a phone number (+44…), whatsapp:+44… or "
                          "telegram:CHAT_ID") from exc
    return channel, addresses.provider_address(scheme, parsed)


def _date(value: str | None) -> date | None:
    """'2026-03-02' -> a date; unset -> None."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConfigError(f"not a date: {value!r} (use e.g. 2026-03-02)") from exc


def _int(value: str, name: str, least: int = 1, most: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc
    if number < least:
        raise ConfigError(f"{name} must be at least {least}")
    if most is not None and number > most:
        raise ConfigError(f"{name} must be at most {most}")
    return number


def _flag(name: str, value: str) -> bool:
    """'true' / 'false' (also 1/0, yes/no, on/off) -> bool."""
    text = value.strip().lower()
    if text not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return text in ("1", "true", "yes", "on")


def _database_url(url: str, here: Path) -> str:
    """Relative SQLite paths are made absolute against the working directory `here`."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        # The value is not echoed: it may hold a password.
        raise ConfigError("DATABASE_URL must be a URL such as sqlite:///x.db") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_absolute():
            return parsed.set(database=str(here / path)).render_as_string(hide_password=False)
    return url


def _instance_secret(instance: Path) -> str:
    """Development only: a random key kept in instance/secret_key across restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
