"""The worker's senders, one per channel: the providers' own clients when configured,
else the console sender (logged, nothing sent). `create_app` hands `build` to the Runtime."""

from __future__ import annotations

from bot.config import Settings
from bot.delivery import Sender
from bot.runtime import Clock, console_senders
from webhooks.telegram import TelegramSender
from webhooks.twilio import TwilioSender


def build(settings: Settings, clock: Clock | None = None) -> dict[str, Sender]:
    """A sender for each channel the worker can send on (`clock`: the worker's now)."""
    senders = console_senders(settings, clock)
    if settings.twilio_account_sid and settings.twilio_auth_token:
        twilio = TwilioSender(settings, clock)
        if settings.twilio_sms_from:
            senders["sms"] = twilio
        if settings.twilio_whatsapp_from:
            senders["whatsapp"] = twilio
    if settings.telegram_bot_token:
        senders["telegram"] = TelegramSender(settings)
    return senders
