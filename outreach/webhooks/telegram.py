"""Telegram: the webhook and the sender."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("telegram", __name__)


class TelegramSender:
    def __init__(self, settings):
        raise NotImplementedError
