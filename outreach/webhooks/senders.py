"""The worker's senders, one per channel: the providers' own clients when configured,
else the console sender (logged, nothing sent)."""

from __future__ import annotations

from outreach.bot.outbox import ConsoleSender, Sender
from outreach.config import Settings
from outreach.runtime import Clock


def build(settings: Settings, clock: Clock | None = None) -> dict[str, Sender]:
    """A sender for each channel the worker can send on (`clock`: the worker's now)."""
    senders: dict[str, Sender] = {c: ConsoleSender(c) for c in ("sms", "whatsapp", "telegram")}
    if settings.twilio_account_sid and settings.twilio_auth_token:
        from outreach.webhooks.twilio import TwilioSender

        twilio = TwilioSender(settings, clock)
        if settings.twilio_sms_from:
            senders["sms"] = twilio
        if settings.twilio_whatsapp_from:
            senders["whatsapp"] = twilio
    if settings.telegram_bot_token:
        from outreach.webhooks.telegram import TelegramSender

        senders["telegram"] = TelegramSender(settings)
    return senders
