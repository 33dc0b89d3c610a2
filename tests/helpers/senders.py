"""Senders that record what they were asked to send, fail on request, or take their time
(edge fakes)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from bot.delivery import Outgoing


class RecordingSender:
    def __init__(self):
        self.sent: list[Outgoing] = []
        self.failures: deque = deque()  # exceptions to raise, one per send, first in first out
        self._lock = threading.Lock()

    def fail_next(self, *errors: Exception) -> None:
        self.failures.extend(errors)

    def send(self, message: Outgoing) -> str:
        with self._lock:
            if self.failures:
                raise self.failures.popleft()
            self.sent.append(message)
            return f"P{message.id}"


class SlowSender(RecordingSender):
    """A provider that takes `duration` of the injected clock to accept each message, one at
    a time. Time passes in steps; after each step it waits (at most `patience` real seconds)
    until `settled()` holds, so that what runs beside a send in real time — a lease's
    heartbeat — gets its turn before the clock moves on."""

    def __init__(self, clock, duration: timedelta, step: timedelta,
                 settled: Callable[[], bool] = lambda: True, patience: float = 0.5):
        super().__init__()
        self.clock, self.duration, self.step = clock, duration, step
        self.settled, self.patience = settled, patience
        self._one_at_a_time = threading.Lock()

    def send(self, message: Outgoing) -> str:
        with self._one_at_a_time:
            for _ in range(math.ceil(self.duration / self.step)):
                self.clock.advance(self.step)
                deadline = time.monotonic() + self.patience
                while not self.settled() and time.monotonic() < deadline:
                    time.sleep(0.005)
            return super().send(message)


def senders():
    """One recording sender behind every channel, as the worker's senders."""
    recording = RecordingSender()
    return {"sms": recording, "whatsapp": recording, "telegram": recording}
