"""The survey as an accessible web form, /s/<slug>."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
