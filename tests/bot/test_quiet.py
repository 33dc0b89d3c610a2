"""Quiet hours in Europe/London: inside or outside the window, and the next allowed time,
across midnight and both 2026 clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.quiet import QuietHours

LONDON = ZoneInfo("Europe/London")
NIGHT = QuietHours(time(21, 0), time(8, 0), LONDON)
LUNCH = QuietHours(time(12, 0), time(13, 0), LONDON)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(("when", "quiet"), [
    # Winter (GMT = UTC).
    (utc(2026, 1, 14, 20, 59), False),
    (utc(2026, 1, 14, 21, 0), True),
    (utc(2026, 1, 14, 23, 59), True),
    (utc(2026, 1, 15, 0, 0), True),
    (utc(2026, 1, 15, 7, 59), True),
    (utc(2026, 1, 15, 8, 0), False),
    (utc(2026, 1, 15, 12, 0), False),
    # Summer (BST = UTC+1): the window stays at 21:00-08:00 on the wall clock.
    (utc(2026, 7, 1, 19, 59), False),
    (utc(2026, 7, 1, 20, 0), True),  # 21:00 BST
    (utc(2026, 7, 2, 6, 59), True),  # 07:59 BST
    (utc(2026, 7, 2, 7, 0), False),  # 08:00 BST
    (local(2026, 7, 1, 21, 30), True),
    # Other time zones give the same instant.
    (datetime(2026, 7, 1, 16, 0, tzinfo=ZoneInfo("America/New_York")), True),  # 21:00 BST
    # Around the spring change (01:00 GMT -> 02:00 BST on Sunday 29 March 2026).
    (utc(2026, 3, 29, 0, 59), True),
    (utc(2026, 3, 29, 1, 0), True),  # 02:00 BST
    (utc(2026, 3, 29, 6, 59), True),  # 07:59 BST
    (utc(2026, 3, 29, 7, 0), False),  # 08:00 BST
    # Around the autumn change (02:00 BST -> 01:00 GMT on Sunday 25 October 2026).
    (utc(2026, 10, 24, 19, 59), False),  # 20:59 BST
    (utc(2026, 10, 24, 20, 0), True),  # 21:00 BST
    (utc(2026, 10, 25, 7, 0), True),  # 07:00 GMT
    (utc(2026, 10, 25, 7, 59), True),
    (utc(2026, 10, 25, 8, 0), False),  # 08:00 GMT
])
def test_is_quiet_overnight(when, quiet):
    assert NIGHT.is_quiet(when) is quiet


@pytest.mark.parametrize(("when", "allowed"), [
    # Outside the window: the time itself.
    (utc(2026, 1, 14, 12, 0), utc(2026, 1, 14, 12, 0)),
    (utc(2026, 1, 14, 20, 59), utc(2026, 1, 14, 20, 59)),
    # Before midnight: tomorrow morning; after midnight: this morning.
    (utc(2026, 1, 14, 21, 0), utc(2026, 1, 15, 8, 0)),
    (utc(2026, 1, 14, 22, 30), utc(2026, 1, 15, 8, 0)),
    (utc(2026, 1, 15, 0, 30), utc(2026, 1, 15, 8, 0)),
    (utc(2026, 1, 15, 7, 59), utc(2026, 1, 15, 8, 0)),
    # Across a month and a year end.
    (utc(2026, 1, 31, 23, 0), utc(2026, 2, 1, 8, 0)),
    (utc(2026, 12, 31, 23, 0), utc(2027, 1, 1, 8, 0)),
    # Summer: 08:00 BST is 07:00 UTC.
    (local(2026, 7, 1, 22, 30), utc(2026, 7, 2, 7, 0)),
    (local(2026, 7, 2, 3, 0), utc(2026, 7, 2, 7, 0)),
    # Spring change: due 22:30 GMT on Saturday 28 March, allowed 08:00 BST on Sunday.
    (local(2026, 3, 28, 22, 30), utc(2026, 3, 29, 7, 0)),
    (utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 7, 0)),
    (utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 7, 0)),  # 00:30 GMT, before the change
    (utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 7, 0)),  # 02:30 BST, after it
    # Autumn change: due 22:30 BST on Saturday 24 October, allowed 08:00 GMT on Sunday.
    (local(2026, 10, 24, 22, 30), utc(2026, 10, 25, 8, 0)),
    (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 8, 0)),  # 01:30 BST, first time round
    (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 8, 0)),  # 01:30 GMT, second time round
    # The Sunday after each change is an ordinary night again.
    (local(2026, 3, 29, 23, 0), utc(2026, 3, 30, 7, 0)),
    (local(2026, 10, 25, 23, 0), utc(2026, 10, 26, 8, 0)),
])
def test_next_allowed_overnight(when, allowed):
    result = NIGHT.next_allowed(when)
    assert result == allowed
    assert not NIGHT.is_quiet(result)


def test_next_allowed_is_utc_when_moved():
    result = NIGHT.next_allowed(local(2026, 7, 1, 22, 30))
    assert result.utcoffset().total_seconds() == 0
    assert result.astimezone(LONDON) == local(2026, 7, 2, 8, 0)


@pytest.mark.parametrize(("when", "quiet", "allowed"), [
    (local(2026, 5, 5, 11, 59), False, local(2026, 5, 5, 11, 59)),
    (local(2026, 5, 5, 12, 0), True, utc(2026, 5, 5, 12, 0)),  # 13:00 BST
    (local(2026, 5, 5, 12, 30), True, utc(2026, 5, 5, 12, 0)),
    (local(2026, 5, 5, 13, 0), False, local(2026, 5, 5, 13, 0)),
    (local(2026, 5, 5, 23, 0), False, local(2026, 5, 5, 23, 0)),
    (local(2026, 1, 5, 12, 30), True, utc(2026, 1, 5, 13, 0)),  # GMT
    (local(2026, 1, 5, 3, 0), False, local(2026, 1, 5, 3, 0)),
])
def test_same_day_window(when, quiet, allowed):
    assert LUNCH.is_quiet(when) is quiet
    assert LUNCH.next_allowed(when) == allowed


@pytest.mark.parametrize("hours", [
    QuietHours(None, None, LONDON),
    QuietHours(time(21, 0), None, LONDON),
    QuietHours(time(9, 0), time(9, 0), LONDON),  # an empty window
])
@pytest.mark.parametrize("when", [utc(2026, 1, 15, 0, 0), utc(2026, 3, 29, 1, 0),
                                  utc(2026, 7, 1, 9, 0), utc(2026, 10, 25, 1, 30)])
def test_no_window(hours, when):
    assert hours.is_quiet(when) is False
    assert hours.next_allowed(when) == when


@pytest.mark.parametrize(("when", "quiet", "allowed"), [
    # A window ending inside the hour that is repeated in autumn (01:00-02:00 on 25 Oct).
    (utc(2026, 10, 24, 23, 0), True, utc(2026, 10, 25, 0, 30)),  # 00:00 BST -> 01:30 BST
    (utc(2026, 10, 25, 0, 30), False, utc(2026, 10, 25, 0, 30)),  # 01:30 BST: window over
    (utc(2026, 10, 25, 1, 0), True, utc(2026, 10, 25, 1, 30)),  # 01:00 GMT: 01:00 again
    (utc(2026, 10, 25, 1, 29), True, utc(2026, 10, 25, 1, 30)),
    (utc(2026, 10, 25, 1, 30), False, utc(2026, 10, 25, 1, 30)),
])
def test_window_ending_in_the_repeated_hour(when, quiet, allowed):
    hours = QuietHours(time(21, 0), time(1, 30), LONDON)
    assert hours.is_quiet(when) is quiet
    result = hours.next_allowed(when)
    assert result == allowed
    assert result >= when  # never a time already past


@pytest.mark.parametrize(("when", "allowed"), [
    # A window ending at 01:30, a time that does not exist on 29 March: it ends by 02:30 BST.
    (utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 30)),
    (utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 30)),
])
def test_window_ending_in_the_skipped_hour(when, allowed):
    hours = QuietHours(time(21, 0), time(1, 30), LONDON)
    result = hours.next_allowed(when)
    assert result == allowed
    assert not hours.is_quiet(result)
