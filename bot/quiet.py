"""Quiet hours: no scheduled message goes out inside the window, in local time.

Local times are computed with zoneinfo from UTC instants, so the window stays at the same
wall-clock hours across the clock changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time | None
    end: time | None
    tz: ZoneInfo

    @classmethod
    def from_settings(cls, settings) -> QuietHours:
        start, end = settings.quiet_hours or (None, None)
        return cls(start, end, settings.timezone)

    def is_quiet(self, when: datetime) -> bool:
        """Whether `when` (aware) falls inside the window."""
        if self.start is None or self.end is None or self.start == self.end:
            return False
        local = when.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, when: datetime) -> datetime:
        """`when` itself if outside the window, else the window's end (as UTC)."""
        if not self.is_quiet(when):
            return when
        local = when.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # the window ends tomorrow morning
        end = datetime.combine(day, self.end, tzinfo=self.tz)
        if end.astimezone(UTC) <= when.astimezone(UTC):
            end = end.replace(fold=1)  # `when` is in the hour repeated when clocks go back
        # A wall-clock time skipped by a clock change is normalised by a UTC round trip.
        return end.astimezone(UTC)
