"""`outreach worker`: resume due conversations, send the outbox, translate free text.

A round's failure (the database restarting, a sender bug) is logged and the next round
tries again: nothing is lost, because every message is a row until a provider took it.
A database outage while a batch is being sent is waited out inside the outbox, which holds
what the provider answered until it can be recorded. Messages that came in while the
database was unreachable wait in the spool (bot/spool.py): each round replays them first,
oldest first, so their replies join the outbox of the same round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot import channels, scheduler, screened, selection, sending, youth
from bot.conversations import handle
from bot.delivery import Sender
from bot.members import job as members
from bot.runtime import Runtime
from bot.spool import Spool
from bot.translating import PendingTranslations

log = logging.getLogger(__name__)

# Messages per second per channel, below the providers' limits (bot/channels.py).
RATES = {c.name: c.rate for c in channels.PUSHED if c.rate}


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
    translated: int = 0
    members: int = 0  # members' reminders queued and check-ins started
    replayed: int = 0  # messages replayed from the spool
    lottery: int = 0  # registrants the lottery selected asked, marked no_answer, told, welcomed

    @property
    def idle(self) -> bool:
        return not (self.resumed or self.sent or self.translated or self.members
                    or self.replayed or self.lottery)


def run_once(rt: Runtime, senders: Mapping[str, Sender], now: datetime,
             pace: Callable[[str], None] | None = None,
             translations: PendingTranslations | None = None) -> Round:
    """One round: messages waiting in the spool first (kept during a database outage), due
    waits, screened-out addresses whose time is up, the week's
    prompt packs for peer engagers, members' reminders and check-ins, the civic lottery's
    questions to those it selected (their messages join the outbox), then the outbox,
    then free-text answers waiting for their English translation."""
    replayed = Spool.of(rt.settings).replay(lambda inbound, how: handle(rt, inbound, how))
    resumed = scheduler.run_due(rt, now)
    screened.forget_expired(rt, now)
    youth.send_due_packs(rt, now)
    planned = members.send_due(rt, now)
    confirming = selection.send_due(rt, now)  # the lottery's selected: asked, told, welcomed
    sent = sending.send_due(rt, senders, now, pace=pace)
    translated = translations.run(now) if translations is not None else 0
    return Round(resumed, sent, translated, planned, replayed, confirming)


def run_forever(rt: Runtime, senders: Mapping[str, Sender], interval: float = 1.0,
                stop: threading.Event | None = None,
                translations: PendingTranslations | None = None) -> None:
    """Rounds until `stop` is set; idle rounds wait `interval` seconds. The caller owns
    (and closes) the senders."""
    stop = stop or threading.Event()
    pace = Pacer()
    while not stop.is_set():
        try:
            done = run_once(rt, senders, rt.now(), pace, translations)
        except Exception:  # noqa: BLE001 - log, wait, try again: the rows are still there
            log.exception("worker round failed; retrying")
            stop.wait(max(interval, 5.0))
            continue
        if done.idle:
            stop.wait(interval)


def close(senders: Mapping[str, Sender]) -> None:
    """Let senders that hold connections or event loops shut them (each once)."""
    for sender in {id(s): s for s in senders.values()}.values():
        closer = getattr(sender, "close", None)
        if closer is not None:
            closer()
