"""Weekly prompt packs for peer engagers: conversation starters from reviewable data files.

One file per language, `translations/<lang>/prompts.yaml`, lists the packs, one per week of the
engagement period, each a few short conversation starters; the English file also says when
the period starts (`starts:`, a date; the ENGAGEMENT_START setting overrides it). A
translation has the same weeks with the same number of starters. Loaded by the Runtime and
handed to the engine in its `Env`: plain data, no I/O after loading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.datafile import header_problems
from translations import data as language_files
from translations.catalog import Catalogs

KIND = "prompts"  # translations/<lang>/prompts.yaml
SOURCE = "en"  # the language the packs are written in; its file holds `starts`
KEYS = {"language", "starts", "weeks"}


@dataclass(frozen=True)
class PromptPacks:
    """The packs per language, week by week, and the local day week 1 begins."""

    starts: date = date(2026, 1, 5)
    packs: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    timezone: ZoneInfo = ZoneInfo("Europe/London")

    @classmethod
    def load(cls, root: Path | str = language_files.ROOT, starts: date | None = None,
             timezone: ZoneInfo | None = None) -> PromptPacks:
        """Read every language's `prompts.yaml`; raises ValueError listing each problem."""
        packs, found_start, problems = read(root)
        if problems:
            raise ValueError("\n".join(problems))
        return cls(starts or found_start, packs, timezone or ZoneInfo("Europe/London"))

    @property
    def weeks(self) -> int:
        return len(self.packs.get(SOURCE, ()))

    def week_of(self, now: datetime) -> int:
        """The week of the period `now` falls in (1 = the first); 0 before it starts."""
        days = (now.astimezone(self.timezone).date() - self.starts).days
        return days // 7 + 1 if days >= 0 else 0

    def pack(self, week: int, lang: str | None) -> tuple[str, ...]:
        """Week `week`'s starters in `lang`, else in English; () for a week with no pack."""
        if not 1 <= week <= self.weeks:
            return ()
        weeks = self.packs.get(lang or SOURCE) or self.packs[SOURCE]
        return weeks[week - 1]

    def current_week(self, now: datetime) -> int:
        """The pack PROMPTS sends: this week's; week 1 before the period, the last after."""
        return max(1, min(self.week_of(now), self.weeks))

    def message(self, catalogs: Catalogs, lang: str | None, week: int) -> str:
        """Week `week`'s pack as sent, with the bot's header and footer, in `lang`."""
        starters = "\n".join(f"- {s}" for s in self.pack(week, lang))
        return catalogs.bot(lang, "prompts-pack", week=week, starters=starters)


def read(root: Path | str = language_files.ROOT) -> tuple[
        dict[str, tuple[tuple[str, ...], ...]], date | None, list[str]]:
    """The packs below `root`, the start date, and the problems (`FILE: message`)."""
    packs: dict[str, tuple[tuple[str, ...], ...]] = {}
    starts, problems = None, []
    for lang, path in language_files.found(KIND, root).items():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found = _problems(data, lang)
        problems += [f"{path}: {p}" for p in found]
        if not found:
            packs[lang] = tuple(tuple(week) for week in data["weeks"])
            starts = data.get("starts", starts)
    source = packs.get(SOURCE)
    if source is None or starts is None:
        problems.append(f"{language_files.path(SOURCE, KIND, root)} must give the packs and "
                        "`starts`")
        return packs, starts, problems
    for lang, weeks in packs.items():
        if [len(w) for w in weeks] != [len(w) for w in source]:
            problems.append(f"{language_files.path(lang, KIND, root)}: the weeks and starters "
                            f"must match {SOURCE}'s one for one")
    return packs, starts, problems


def _problems(data: object, stem: str) -> list[str]:
    found = header_problems(data, stem, KEYS)
    if not isinstance(data, dict):
        return found
    if "starts" in data and (stem != SOURCE or not isinstance(data["starts"], date)):
        found.append(f"starts: a date (2026-03-02), in {SOURCE}'s file only")
    weeks = data.get("weeks")
    if not isinstance(weeks, list) or not weeks or not all(
            isinstance(w, list) and w and all(isinstance(s, str) and s.strip() for s in w)
            for w in weeks):
        found.append("weeks: a list of weeks, each a list of conversation starters")
    return found
