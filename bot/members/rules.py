"""The members' schedule as reviewable data: reminder rules and the wellbeing check-in.

`bot/members/rules.yaml` says when each reminder goes (days before a session, local time),
which words it uses, and when the check-in follows a weekend. Loaded and validated like a
survey (every problem reported, with the examples the file must give), then used as plain
data: `send_at` turns a rule and a session into the moment to send, through zoneinfo, so a
local 18:00 stays 18:00 across the clock changes (never "24 hours later").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.config import ConfigError, parse_duration
from surveys import conditions
from translations.texts import BOT

BUNDLED = Path(__file__).resolve().parent / "rules.yaml"
KEYS = {"reminders", "rsvp_chase_days", "check_in", "examples"}
RULE_KEYS = {"id", "days_before", "at", "template", "rsvp", "notes", "same_day"}
CHECK_IN_KEYS = {"survey", "days_after", "at", "nudge_after", "low"}


@dataclass(frozen=True)
class Rule:
    """One reminder before each session."""

    id: str
    days_before: int
    at: time
    template: str
    rsvp: bool = False
    notes: bool = False
    same_day: bool = False  # goes on its own local day or not at all ("tomorrow", "today")


@dataclass(frozen=True)
class CheckInRule:
    survey: str = "wellbeing-check-in"
    days_after: int = 2
    at: time = time(18, 0)
    nudge_after: timedelta = timedelta(hours=48)
    low: str | None = None

    @property
    def low_condition(self) -> conditions.Condition | None:
        return conditions.parse(self.low) if self.low else None


@dataclass(frozen=True)
class Rules:
    reminders: tuple[Rule, ...] = ()
    rsvp_chase_days: int = 2
    check_in: CheckInRule = field(default_factory=CheckInRule)

    @classmethod
    def load(cls, path: Path | str = BUNDLED, tz: ZoneInfo | None = None) -> Rules:
        """Read and check the file; raises ValueError listing every problem."""
        rules, problems = read(path, tz or ZoneInfo("Europe/London"))
        if problems:
            raise ValueError("\n".join(problems))
        return rules

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.reminders if r.id == rule_id), None)


def local_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` o'clock on local `day`, as UTC (a time the clocks skip is moved on by zoneinfo)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def send_at(rule: Rule, starts: datetime, tz: ZoneInfo) -> datetime:
    """When `rule` sends for a session starting at `starts` (UTC in, UTC out)."""
    day = starts.astimezone(tz).date() - timedelta(days=rule.days_before)
    return local_at(day, rule.at, tz)


def week_of(starts: datetime, tz: ZoneInfo) -> str:
    """The ISO week a session's local day falls in ('2026-W12'): its weekend."""
    year, week, _ = starts.astimezone(tz).date().isocalendar()
    return f"{year}-W{week:02d}"


def check_in_at(rule: CheckInRule, last_session_starts: datetime, tz: ZoneInfo) -> datetime:
    """When the check-in after a weekend goes: `days_after` its last session's local day."""
    day = last_session_starts.astimezone(tz).date() + timedelta(days=rule.days_after)
    return local_at(day, rule.at, tz)


# Loading -----------------------------------------------------------------------------------


def read(path: Path | str, tz: ZoneInfo) -> tuple[Rules, list[str]]:
    """The rules in `path` and its problems, each as `FILE: message`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return Rules(), [f"{path}: not YAML: {exc}"]
    problems: list[str] = []
    if not isinstance(data, dict):
        return Rules(), [f"{path}: expected a mapping"]
    problems += [f"unknown key '{k}'" for k in data if k not in KEYS]
    reminders = [_rule(item, n, problems) for n, item in enumerate(data.get("reminders") or [])]
    ids = [r.id for r in reminders if r]
    if not ids:
        problems.append("reminders: at least one rule")
    problems += [f"reminders: '{i}' is used twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    chase = data.get("rsvp_chase_days", 2)
    if not isinstance(chase, int) or chase < 0:
        problems.append("rsvp_chase_days: a whole number of days")
        chase = 2
    rules = Rules(tuple(r for r in reminders if r), chase,
                  _check_in(data.get("check_in") or {}, problems))
    problems += _examples(rules, data.get("examples") or [], tz)
    return rules, [f"{path}: {p}" for p in problems]


def _time(value: object) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _rule(item: object, n: int, problems: list[str]) -> Rule | None:
    where = f"reminders[{n}]"
    if not isinstance(item, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    found = [f"{where}: unknown key '{k}'" for k in item if k not in RULE_KEYS]
    at, days = _time(item.get("at")), item.get("days_before")
    if at is None:
        found.append(f"{where}: at must be a local time such as 18:00")
    if not isinstance(days, int) or days < 0:
        found.append(f"{where}: days_before must be 0 or more")
    if f"{item.get('template')}" not in BOT:
        found.append(f"{where}: template '{item.get('template')}' is not one of the bot's "
                     "texts (translations/texts.py)")
    if not str(item.get("id") or "").strip():
        found.append(f"{where}: id is missing")
    problems += found
    if found:
        return None
    return Rule(str(item["id"]), days, at, item["template"], bool(item.get("rsvp")),
                bool(item.get("notes")), bool(item.get("same_day")))


def _check_in(item: dict, problems: list[str]) -> CheckInRule:
    found = [f"check_in: unknown key '{k}'" for k in item if k not in CHECK_IN_KEYS]
    at = _time(item.get("at", "18:00"))
    if at is None:
        found.append("check_in: at must be a local time such as 18:00")
    days = item.get("days_after", 2)
    if not isinstance(days, int) or days < 0:
        found.append("check_in: days_after must be 0 or more")
    try:
        nudge = parse_duration(str(item.get("nudge_after", "48h")))
    except ConfigError as exc:
        found.append(f"check_in: nudge_after: {exc}")
    try:
        low = item.get("low")
        if low is not None:
            conditions.parse(low)
    except conditions.ConditionError as exc:
        found.append(f"check_in: low: {exc}")
    problems += found
    if found:
        return CheckInRule()
    return CheckInRule(str(item.get("survey", "wellbeing-check-in")), days, at, nudge, low)


def _examples(rules: Rules, examples: list, tz: ZoneInfo) -> list[str]:
    """Each example's session gives exactly the listed local send times."""
    problems = []
    for n, example in enumerate(examples):
        try:
            starts = datetime.fromisoformat(str(example["session"])).replace(tzinfo=tz)
            expected = {k: datetime.fromisoformat(str(v)) for k, v in example["sends"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(f"examples[{n}]: give session: and sends: {{rule: local time}}")
            continue
        for rule in rules.reminders:
            got = send_at(rule, starts.astimezone(UTC), tz).astimezone(tz).replace(tzinfo=None)
            if rule.id in expected and got != expected[rule.id]:
                problems.append(f"examples[{n}]: {rule.id} goes at {got:%Y-%m-%d %H:%M}, "
                                f"not {expected[rule.id]:%Y-%m-%d %H:%M}")
    return problems
