"""Configuration: durations, quiet hours, and Settings.from_env defaults and refusals."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import assembly
from bot.config import ConfigError, Settings, parse_duration, parse_quiet_hours

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "expected"), [
    ("90m", timedelta(minutes=90)),
    ("24h", timedelta(hours=24)),
    ("3d", timedelta(days=3)),
    ("30s", timedelta(seconds=30)),
    ("1d12h", timedelta(days=1, hours=12)),
    ("1d 12h", timedelta(days=1, hours=12)),
    ("1h30m", timedelta(minutes=90)),
    (" 24h ", timedelta(hours=24)),
    ("24H", timedelta(hours=24)),
    ("0m", timedelta(0)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "h", "24", "24x", "1.5h", "-1h", "24h junk",
                                  "1d12", "a day", "24 hours", "PT24H"])
def test_parse_duration_refuses(text):
    with pytest.raises(ConfigError):
        parse_duration(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("21:00-08:00", (time(21, 0), time(8, 0))),
    (" 21:00 - 08:00 ", (time(21, 0), time(8, 0))),
    ("9:30-17:00", (time(9, 30), time(17, 0))),
    ("00:00-06:15", (time(0, 0), time(6, 15))),
    ("23:59-00:00", (time(23, 59), time(0, 0))),
    ("", None),
    ("  ", None),
    ("off", None),
    ("OFF", None),
    ("none", None),
])
def test_parse_quiet_hours(text, expected):
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["21-08", "21:00", "21:00-8", "21.00-08.00", "21:00–08:00",
                                  "9pm-8am", "21:00-08:00-09:00",
                                  "25:00-08:00", "24:00-08:00", "21:60-08:00", "21:00-08:99"])
def test_parse_quiet_hours_refuses(text):
    with pytest.raises(ConfigError):
        parse_quiet_hours(text)


@pytest.fixture
def base(tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)  # relative paths are read against the working directory
    return {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test-secret"}


def test_defaults(base, tmp_path):
    settings = Settings.from_env(base, dotenv=False)
    assert settings.database_url == f"sqlite:///{tmp_path / 'outreach.db'}"
    assert settings.secret_key == "test-secret"
    assert settings.public_base_url == "http://127.0.0.1:5000"
    assert settings.instance_path == tmp_path
    assert settings.surveys_dir == ROOT / "surveys"
    assert settings.translations_dir == ROOT / "translations"
    assert settings.timezone == ZoneInfo("Europe/London")
    assert settings.quiet_hours == (time(21, 0), time(8, 0))
    assert settings.default_survey is None
    assert settings.translator == "none"  # residents' words go nowhere until chosen
    assert settings.twilio_account_sid is None
    assert settings.telegram_bot_token is None
    assert settings.default_region == "GB"
    assert settings.nudge_after == timedelta(hours=20)
    assert settings.expire_after == timedelta(days=3)
    assert settings.rate_limit_per_minute == 60  # issue 8: a ceiling no person reaches
    assert settings.loop_limit == 10
    assert list(tmp_path.iterdir()) == []  # a given SECRET_KEY writes nothing


@pytest.mark.parametrize(("overrides", "field", "expected"), [
    ({"PUBLIC_BASE_URL": "https://outreach.example.org/"}, "public_base_url",
     "https://outreach.example.org"),
    ({"PUBLIC_BASE_URL": "https://example.org/outreach//"}, "public_base_url",
     "https://example.org/outreach"),
    ({"PUBLIC_BASE_URL": ""}, "public_base_url", "http://127.0.0.1:5000"),
    ({"DATABASE_URL": "sqlite:///data/x.db"}, "database_url", f"sqlite:///{ROOT / 'data/x.db'}"),
    ({"DATABASE_URL": "sqlite:////srv/outreach.db"}, "database_url", "sqlite:////srv/outreach.db"),
    ({"DATABASE_URL": "sqlite:///:memory:"}, "database_url", "sqlite:///:memory:"),
    ({"DATABASE_URL": "postgresql+psycopg://u:p%40ss@db/outreach"}, "database_url",
     "postgresql+psycopg://u:p%40ss@db/outreach"),
    ({"TRANSLATOR": "NONE"}, "translator", "none"),
    ({"TRANSLATOR": "Google"}, "translator", "google"),
    ({"TRANSLATOR": "libretranslate", "LIBRETRANSLATE_URL": "http://10.0.0.5:5000"},
     "translator_base_url", "http://10.0.0.5:5000"),
    ({"OUTREACH_TIMEZONE": "Europe/Bucharest"}, "timezone", ZoneInfo("Europe/Bucharest")),
    ({"QUIET_HOURS": "off"}, "quiet_hours", None),
    ({"QUIET_HOURS": "22:00-07:30"}, "quiet_hours", (time(22, 0), time(7, 30))),
    ({"SURVEY_NUDGE_AFTER": "90m"}, "nudge_after", timedelta(minutes=90)),
    ({"SURVEY_EXPIRE_AFTER": "1d12h"}, "expire_after", timedelta(days=1, hours=12)),
    ({"OUTREACH_PHONE_REGION": "ro"}, "default_region", "RO"),
    ({"DEFAULT_SURVEY": "youth-voice"}, "default_survey", "youth-voice"),
    ({"DEFAULT_SURVEY": ""}, "default_survey", None),
    ({"OUTREACH_ORG_NAME": "  "}, "org_name", "Waltham Forest Council"),  # blank: unset
    ({"OUTREACH_ORG_NAME": " Redbridge Council "}, "org_name", "Redbridge Council"),
    ({"SURVEYS_DIR": "/srv/surveys"}, "surveys_dir", Path("/srv/surveys")),
    ({"RATE_LIMIT_PER_MINUTE": "5"}, "rate_limit_per_minute", 5),
    ({"LOOP_LIMIT": "25"}, "loop_limit", 25),
])
def test_overrides(base, overrides, field, expected):
    settings = Settings.from_env({**base, **overrides}, dotenv=False)
    assert getattr(settings, field) == expected


@pytest.mark.parametrize("overrides", [
    {"TRANSLATOR": "deepl"},
    {"TRANSLATOR": "off"},
    {"TRANSLATOR": "libretranslate"},  # without LIBRETRANSLATE_URL
    {"OUTREACH_TIMEZONE": "Mars/Olympus"},
    {"OUTREACH_TIMEZONE": "europe/london"},
    {"OUTREACH_TIMEZONE": "Europe/London "},
    {"OUTREACH_TIMEZONE": "Europe"},  # a folder of zones, not a zone
    {"OUTREACH_TIMEZONE": "../etc/passwd"},
    {"OUTREACH_TIMEZONE": "/etc/localtime"},
    {"QUIET_HOURS": "late"},
    {"QUIET_HOURS": "25:00-08:00"},
    {"SURVEY_NUDGE_AFTER": "soon"},
    {"SURVEY_EXPIRE_AFTER": "3 days"},
    {"DATABASE_URL": "not a url"},
    {"RATE_LIMIT_PER_MINUTE": "fast"},
    {"RATE_LIMIT_PER_MINUTE": "0"},
    {"RATE_LIMIT_PER_MINUTE": "2.5"},
    {"LOOP_LIMIT": "0"},
    {"PUBLIC_BASE_URL": "outreach.example.org"},  # no scheme: links would not open
    {"PUBLIC_BASE_URL": "ftp://outreach.example.org"},
    {"PUBLIC_BASE_URL": "https://"},
    {"PUBLIC_BASE_URL": "https://[outreach.example.org"},
    {"PUBLIC_BASE_URL": "https://outreach.example.org/?a=1"},
])
def test_refuses(base, overrides):
    with pytest.raises(ConfigError):
        Settings.from_env({**base, **overrides}, dotenv=False)


def test_bad_database_url_is_not_echoed(base):
    with pytest.raises(ConfigError) as info:
        Settings.from_env({**base, "DATABASE_URL": "postgres//admin:hunter2@db"}, dotenv=False)
    assert "hunter2" not in str(info.value)


def test_secret_key_is_generated_once_and_reused(tmp_path):
    instance = tmp_path / "instance"
    first = Settings.from_env({"INSTANCE_PATH": str(instance)}, dotenv=False)
    key_file = instance / "secret_key"
    assert key_file.read_text() == first.secret_key
    assert len(first.secret_key) == 64
    assert int(first.secret_key, 16) >= 0  # hex
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = Settings.from_env({"INSTANCE_PATH": str(instance)}, dotenv=False)
    assert second.secret_key == first.secret_key


def test_secret_keys_differ_between_instances(tmp_path):
    one = Settings.from_env({"INSTANCE_PATH": str(tmp_path / "a")}, dotenv=False)
    two = Settings.from_env({"INSTANCE_PATH": str(tmp_path / "b")}, dotenv=False)
    assert one.secret_key != two.secret_key


def test_every_variable_the_config_reads_is_documented_in_env_example():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = (root / "bot" / "config.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"', source))
    documented = {line.split("=", 1)[0] for line in (root / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#")}
    assert read == documented


def test_dotenv_and_instance_are_looked_for_in_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("QUIET_HOURS=22:00-07:30\nSECRET_KEY=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env()
    assert settings.quiet_hours == (time(22, 0), time(7, 30))
    assert settings.secret_key == "from-dotenv"
    assert settings.instance_path == tmp_path / "instance"
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'outreach.db'}"


def test_surveys_and_translations_dirs_can_be_overridden(base, tmp_path):
    settings = Settings.from_env({**base, "SURVEYS_DIR": str(tmp_path / "s"),
                                  "TRANSLATIONS_DIR": "relative/po"}, dotenv=False)
    assert settings.surveys_dir == tmp_path / "s"
    assert settings.translations_dir == ROOT / "relative" / "po"  # base chdirs to ROOT


def test_the_assembly_file_is_the_shipped_one_unless_set(base, tmp_path):
    assert Settings.from_env(base, dotenv=False).assembly_file == assembly.SHIPPED
    ours = tmp_path / "ours.yaml"
    ours.write_text("name: ours\n")
    assert Settings.from_env({**base, "ASSEMBLY_FILE": str(ours)},
                             dotenv=False).assembly_file == ours
    relative = assembly.SHIPPED.relative_to(ROOT)  # base chdirs to ROOT
    assert Settings.from_env({**base, "ASSEMBLY_FILE": str(relative)},
                             dotenv=False).assembly_file == ROOT / relative


@pytest.mark.parametrize("value", ["no-such-assembly.yaml", "assembly"])  # none, a folder
def test_an_assembly_file_that_is_not_a_file_is_refused(base, value):
    with pytest.raises(ConfigError, match="ASSEMBLY_FILE must name a file"):
        Settings.from_env({**base, "ASSEMBLY_FILE": value}, dotenv=False)


def test_an_empty_environment_variable_does_not_hide_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("SECRET_KEY=from-dotenv\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "")
    assert Settings.from_env().secret_key == "from-dotenv"


@pytest.mark.parametrize("given, contact", [
    ({"HELP_CONTACT": "020 7946 0123"}, "020 7946 0123"),
    ({"OUTREACH_HELP_CONTACT": "old@example.org"}, "old@example.org"),  # the old name still works
    ({"HELP_CONTACT": "new@example.org", "OUTREACH_HELP_CONTACT": "old@example.org"},
     "new@example.org"),
    ({}, None),  # unset: no invented placeholder contact
])
def test_help_contact_is_read_from_help_contact_then_the_old_name(base, monkeypatch, given,
                                                                   contact):
    for name in ("HELP_CONTACT", "OUTREACH_HELP_CONTACT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env({**base, **given}, dotenv=False)
    assert settings.help_contact == contact


def test_staff_settings_are_read_and_checked():
    default = Settings.from_env({}, dotenv=False)
    assert (default.staff_cookie_secure, default.staff_session_idle,
            default.staff_session_max) == (True, timedelta(hours=1), timedelta(hours=12))
    custom = Settings.from_env({"STAFF_COOKIE_SECURE": "false", "STAFF_SESSION_IDLE": "30m",
                                "STAFF_SESSION_MAX": "8h"}, dotenv=False)
    assert (custom.staff_cookie_secure, custom.staff_session_idle,
            custom.staff_session_max) == (False, timedelta(minutes=30), timedelta(hours=8))
    with pytest.raises(ConfigError, match="STAFF_COOKIE_SECURE"):
        Settings.from_env({"STAFF_COOKIE_SECURE": "maybe"}, dotenv=False)
    with pytest.raises(ConfigError, match="STAFF_SESSION_IDLE"):
        Settings.from_env({"STAFF_SESSION_IDLE": "soon"}, dotenv=False)
    assert default.staff_token_days == 90
    assert Settings.from_env({"STAFF_TOKEN_DAYS": "365"}, dotenv=False).staff_token_days == 365
    for wrong in ("0", "366", "a year"):
        with pytest.raises(ConfigError, match="STAFF_TOKEN_DAYS"):
            Settings.from_env({"STAFF_TOKEN_DAYS": wrong}, dotenv=False)


@pytest.mark.parametrize("url, local", [
    (None, True), ("http://127.0.0.1:5000", True), ("http://localhost:5101", True),
    ("https://outreach.example.org", False), ("https://example.org/outreach", False)])
def test_links_are_local_while_public_base_url_is(base, url, local):
    """Links sent to people are built on PUBLIC_BASE_URL: unset, it is this machine."""
    given = {"PUBLIC_BASE_URL": url} if url else {}
    settings = Settings.from_env({**base, **given}, dotenv=False)
    assert settings.links_are_local is local
    # what `outreach serve` (and so `make run`) starts with
    assert settings.links_note() == (
        f"warning: PUBLIC_BASE_URL is {url or 'http://127.0.0.1:5000'}, this machine: "
        "messages with a link (members' welcome, engagers' links and QR codes) are refused "
        "until it is the public address people reach this service at (docs/configuration.md)"
        if local else f"links sent to people use PUBLIC_BASE_URL: {url}")


def test_trusted_proxies_is_a_count_of_proxies_none_by_default():
    assert Settings.from_env({}, dotenv=False).trusted_proxies == 0
    assert Settings.from_env({"TRUSTED_PROXIES": "2"}, dotenv=False).trusted_proxies == 2
    for wrong in ("-1", "yes"):
        with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
            Settings.from_env({"TRUSTED_PROXIES": wrong}, dotenv=False)
