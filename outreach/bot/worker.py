"""`outreach worker`: resume due conversations and send the outbox, round after round.

A round's failure (the database restarting, a sender bug) is logged and the next round
tries again: nothing is lost, because every message is a row until a provider took it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from outreach.bot import outbox, scheduler
from outreach.runtime import Runtime

log = logging.getLogger(__name__)

# Messages per second per channel, below the providers' limits (Telegram: 30/s overall).
RATES = {"sms": 10.0, "whatsapp": 10.0, "telegram": 25.0}


@dataclass
class Pacer:
    """Keeps each channel under its rate: call before every send."""

    rates: Mapping[str, float] = field(default_factory=lambda: dict(RATES))
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, channel: str) -> None:
        rate = self.rates.get(channel)
        if not rate:
            return
        with self._lock:
            now = self.clock()
            at = max(now, self._next.get(channel, now))
            self._next[channel] = at + 1.0 / rate
        if at > now:
            self.sleep(at - now)


@dataclass(frozen=True)
class Round:
    resumed: int
    sent: int


def run_once(rt: Runtime, senders: Mapping[str, outbox.Sender], now: datetime,
             pace: Callable[[str], None] | None = None) -> Round:
    """One round: due waits first (their messages join the outbox), then the outbox."""
    resumed = scheduler.run_due(rt, now)
    sent = outbox.send_due(rt, senders, now, pace=pace)
    return Round(resumed, sent)


def run_forever(rt: Runtime, senders: Mapping[str, outbox.Sender], interval: float = 1.0,
                stop: threading.Event | None = None) -> None:
    """Rounds until `stop` is set; idle rounds wait `interval` seconds."""
    stop = stop or threading.Event()
    pace = Pacer()
    try:
        while not stop.is_set():
            try:
                done = run_once(rt, senders, rt.now(), pace)
            except Exception:  # noqa: BLE001 - log, wait, try again: the rows are still there
                log.exception("worker round failed; retrying")
                stop.wait(max(interval, 5.0))
                continue
            if not (done.resumed or done.sent):
                stop.wait(interval)
    finally:
        close(senders)


def close(senders: Mapping[str, outbox.Sender]) -> None:
    """Let senders that hold connections or event loops shut them (each once)."""
    for sender in {id(s): s for s in senders.values()}.values():
        closer = getattr(sender, "close", None)
        if closer is not None:
            closer()
