"""Twilio SMS and WhatsApp: the webhook, status callbacks and the sender."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("twilio", __name__)


class TwilioSender:
    def __init__(self, settings):
        raise NotImplementedError
