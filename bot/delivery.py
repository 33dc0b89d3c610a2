"""What a channel's sender is, and what it may answer: the contract between the outbox and
the channels.

A sender gets an `Outgoing` and returns the provider's id, or raises `TemporaryFailure`
(try again later) or `PermanentFailure` (never retry). Each channel maps its provider's
errors onto these, so the outbox never needs to know a provider's error codes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.addresses import masked
from bot.state import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs: the row id (idempotency), channel, address and the reply."""

    id: int
    channel: str
    address: str
    reply: Reply
    idempotency_key: str | None = None
    last_inbound_at: datetime | None = None  # for WhatsApp's 24-hour window


class TemporaryFailure(Exception):
    """Try again later (provider down, 5xx, 429, timeout)."""

    def __init__(self, code: str, retry_after: float | None = None):
        super().__init__(code)
        self.code, self.retry_after = code, retry_after


class PermanentFailure(Exception):
    """Never retry (invalid number, opted out, blocked). `opt_out` marks the person."""

    def __init__(self, code: str, opt_out: bool = False, invalid_address: bool = False,
                 status: str = "failed"):
        super().__init__(code)
        self.code, self.opt_out, self.invalid_address, self.status = (
            code, opt_out, invalid_address, status)


class Sender(Protocol):
    def send(self, message: Outgoing) -> str | None:
        """Send one message; return the provider's id, or raise a *Failure."""


class ConsoleSender:
    """No credentials: log the message instead of sending it (development, previews).
    The text is logged (it is how a developer sees what would be sent); the address is
    masked to its last digits."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: Outgoing) -> str:
        log.info("console %s -> %s: %s", self.channel, masked(message.address),
                 message.reply.text)
        return f"console-{message.id}"
