"""The test credentials of Twilio and Telegram: what the fake APIs (tests/fakes/) accept and
what the tests configure the app with (the `twilio_api` and `telegram_api` fixtures)."""

from __future__ import annotations

TWILIO_ACCOUNT = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "a-test-auth-token"
SMS_FROM = "+447700900999"
WHATSAPP_FROM = "+447700900998"
TELEGRAM_TOKEN = "123456789:TEST-token_for-the-fake"
TELEGRAM_SECRET = "webhook-Secret_0123456789"
TELEGRAM_BOT = "AssemblyTestBot"  # the bot's username, in links to it
