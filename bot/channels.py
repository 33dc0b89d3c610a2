"""The channels, one row each: every fact about a channel that the rest of the code reads.

A channel is how a person reaches us (`sms`, `whatsapp`, `telegram`, `web`). Its row says
how its addresses are stored (the scheme), what staff call it, how the worker sends on it
(the provider client named by `sender`, built in webhooks/senders.py; none for a page that
is fetched, not pushed), how fast, and which guards and counts apply. Adding a channel is its
webhook module (webhooks/) and one row here. Pure: no database, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    name: str  # as stored on messages, members and alerts
    scheme: str  # how its addresses are stored (Address.scheme)
    label: str  # as staff pages, the pack and the bot's own texts name it
    phone: bool = False  # addressed by a phone number (E.164); one number spans such channels
    prefix: str = ""  # what the provider puts before the number (`whatsapp:+44…`)
    sender: str | None = None  # the provider client that sends on it; None: never pushed
    rate: float = 0.0  # messages per second the worker sends, below the provider's limit
    loop_guard: bool = False  # another bot can talk on it (bot/ratelimit.py)
    sms_parts: bool = False  # replies are fitted to SMS parts; a broadcast counts the parts
    reply_window: bool = False  # the provider's 24-hour window after their last message
    list_column: str | None = None  # a broadcast list's address column; None: no broadcasts
    engagers: bool = False  # peer engagers may be added on it and get their prompt packs
    example: str = ""  # the address `outreach chat` writes from unless told

    @property
    def pushed(self) -> bool:
        """Whether the worker sends on it (a web page is fetched, never pushed)."""
        return self.sender is not None


CHANNELS: tuple[Channel, ...] = (
    Channel("sms", "tel", "SMS", phone=True, sender="twilio", rate=10.0, loop_guard=True,
            sms_parts=True, list_column="phone", engagers=True, example="+447700900000"),
    Channel("whatsapp", "whatsapp", "WhatsApp", phone=True, prefix="whatsapp:",
            sender="twilio", rate=10.0, loop_guard=True, reply_window=True,
            list_column="phone", example="+447700900000"),
    # Telegram allows 30 messages a second overall.
    Channel("telegram", "telegram", "Telegram", sender="telegram", rate=25.0,
            loop_guard=True, list_column="telegram_chat_id", engagers=True,
            example="100000001"),
    # A page is fetched, not pushed: a person may click through it quickly, and only the
    # rate ceiling applies there.
    Channel("web", "web", "Web form"),
)

BY_NAME = {channel.name: channel for channel in CHANNELS}
BY_SCHEME = {channel.scheme: channel for channel in CHANNELS}
NAMES = tuple(BY_NAME)
PUSHED = tuple(channel for channel in CHANNELS if channel.pushed)
BROADCAST = tuple(channel for channel in CHANNELS if channel.list_column)
PHONE_SCHEMES = tuple(channel.scheme for channel in CHANNELS if channel.phone)
ENGAGER_SCHEMES = tuple(channel.scheme for channel in CHANNELS if channel.engagers)


def get(name: str) -> Channel:
    """A channel by its name (KeyError for one we do not have)."""
    return BY_NAME[name]


def channel_of(scheme: str) -> str:
    """The channel an address scheme belongs to (`tel` -> `sms`)."""
    return BY_SCHEME[scheme].name


def scheme_of(name: str) -> str:
    """The address scheme of a channel (`sms` -> `tel`)."""
    return BY_NAME[name].scheme


def label(name: str) -> str:
    """A channel as people call it ('WhatsApp', 'Web form'); the name itself if unknown."""
    found = BY_NAME.get(name)
    return found.label if found is not None else name


def labels() -> dict[str, str]:
    """Every channel's label by its name, in the table's order."""
    return {channel.name: channel.label for channel in CHANNELS}
