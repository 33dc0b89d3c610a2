"""Fixtures of the channels' tests: the app configured for Twilio and Telegram against the
local fakes, and the worker's senders as `outreach worker` builds them."""

from __future__ import annotations

import pytest

from tests.helpers.providers import (
    SMS_FROM,
    TELEGRAM_BOT,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
    WHATSAPP_FROM,
)
from webhooks.senders import build as build_senders


@pytest.fixture
def twilio_config(config, twilio_api) -> dict:
    """SMS and WhatsApp through the fake Twilio API."""
    return {**config, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_FROM": SMS_FROM, "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
            "TWILIO_API_BASE_URL": twilio_api.url}


@pytest.fixture
def sms_and_telegram_config(config, twilio_api) -> dict:
    """SMS through the fake Twilio API, and Telegram's webhook (its API never called on the
    request path)."""
    return {**config, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_FROM": SMS_FROM, "TWILIO_API_BASE_URL": twilio_api.url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9"}


@pytest.fixture
def members_config(config, telegram_api, twilio_api) -> dict:
    """Telegram (with the bot's username, for links to it) and SMS, both through the fakes:
    the channels members are reached on."""
    return {**config, "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET, "TELEGRAM_API_BASE_URL": telegram_api.url,
            "TELEGRAM_BOT_USERNAME": f"@{TELEGRAM_BOT}", "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_SMS_FROM": SMS_FROM,
            "TWILIO_API_BASE_URL": twilio_api.url}


@pytest.fixture
def quick_senders(rt, clock):
    """The worker's senders, SMS's on the test clock and giving up on a hung fake after
    0.2 s (so a hang costs little)."""
    built = build_senders(rt.settings)
    built["sms"].timeout, built["sms"].clock = 0.2, clock
    yield built
    built["telegram"].close()


@pytest.fixture
def senders(rt):
    """The worker's senders, built as the worker builds them."""
    built = build_senders(rt.settings)
    yield built
    built["telegram"].close()
