"""The worker's senders, one per channel: the providers' own clients when configured,
else the console sender (logged, nothing sent). `create_app` hands `build` to the Runtime.

Which provider sends on a channel is its `sender` in bot/channels.py; one client serves
every channel it sends on (Twilio: SMS and WhatsApp)."""

from __future__ import annotations

from collections.abc import Callable

from bot import channels
from bot.config import Settings
from bot.delivery import Sender
from bot.runtime import Clock, console_senders
from webhooks import twilio
from webhooks.telegram import TelegramSender
from webhooks.twilio import TwilioSender


def _twilio_ready(settings: Settings, channel: str) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token
                and twilio.sends_from(settings, channel))


def _telegram_ready(settings: Settings, _channel: str) -> bool:
    return bool(settings.telegram_bot_token)


# Each provider client by its name in bot/channels.py: whether the settings let it send on
# a channel, and how it is built.
PROVIDERS: dict[str, tuple[Callable[[Settings, str], bool],
                           Callable[[Settings, Clock | None], Sender]]] = {
    "twilio": (_twilio_ready, TwilioSender),
    "telegram": (_telegram_ready, lambda settings, _clock: TelegramSender(settings)),
}


def build(settings: Settings, clock: Clock | None = None) -> dict[str, Sender]:
    """A sender for each channel the worker can send on (`clock`: the worker's now)."""
    senders = console_senders(settings, clock)
    clients: dict[str, Sender] = {}
    for channel in channels.PUSHED:
        ready, make = PROVIDERS[channel.sender]
        if ready(settings, channel.name):
            if channel.sender not in clients:
                clients[channel.sender] = make(settings, clock)
            senders[channel.name] = clients[channel.sender]
    return senders
