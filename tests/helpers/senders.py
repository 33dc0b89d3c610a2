"""A sender that records what it was asked to send and fails on request (edge fake)."""

from __future__ import annotations

import threading
from collections import deque

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
