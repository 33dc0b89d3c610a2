"""Replay every conversation transcript in tests/transcripts/ against the real stack.

A transcript says what a resident sends and exactly what the bot must answer (rendered as
that channel shows it), then what must be stored. `wait: 25h` moves the clock and runs the
scheduler, whose replies are read from the outbox. `engagers:` lists peer engagers to add
first (code, name, phone, paused), as `outreach engagers add` would. With
UPDATE_TRANSCRIPTS=1 the expected replies are rewritten from what the bot said: review the
diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot import plaintext as text_render
from bot import scheduler
from bot.config import parse_duration
from bot.conversations import Inbound, handle
from bot.outbox import reply_from_row
from store.models import (
    Address,
    ConsentRecord,
    Contact,
    Message,
    Response,
    SurveyVersion,
)
from tests.helpers.engagers import add_engager

HERE = Path(__file__).parent / "transcripts"
FILES = sorted(HERE.glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_TRANSCRIPTS") == "1"


class _Literal(str):
    pass


def _literal(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


yaml.SafeDumper.add_representer(_Literal, _literal)


def _queued_since(rt, address: str, after: int) -> tuple[list[str], int]:
    with rt.sessions() as session:
        rows = session.scalars(select(Message).where(
            Message.direction == "out", Message.address == address, Message.id > after)
            .order_by(Message.id)).all()
    last = rows[-1].id if rows else after
    return [text_render.render(reply_from_row(r)) for r in rows], last


def _stored(rt, scheme: str, value: str) -> dict:
    with rt.sessions() as session:
        address = session.scalar(select(Address).where(Address.scheme == scheme,
                                                       Address.value == value))
        if address is None:
            return {"erased": True}
        contact = session.get(Contact, address.contact_id)
        responses = session.scalars(select(Response).where(Response.contact_id == contact.id)
                                    .order_by(Response.id)).all()
        consents = session.scalars(select(ConsentRecord).where(
            ConsentRecord.contact_id == contact.id).order_by(ConsentRecord.id)).all()
        return {
            "erased": False,
            "consents": [{"survey": session.get(SurveyVersion, c.survey_version_id)
                          .definition["slug"], "given": c.given} for c in consents],
            "language": contact.language,
            "opted_out": contact.opted_out_at is not None,
            "responses": [{
                "survey": r.survey_version.definition["slug"],
                "status": r.status,
                "language": r.language,
                "engager": r.engager_code,
                "answers": {a.question_id: a.value for a in r.answers},
            } for r in responses],
        }


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_transcript(path: Path, rt, surveys, clock):
    script = yaml.safe_load(path.read_text(encoding="utf-8"))
    channel = script.get("channel", "sms")
    sender = str(script.get("from", "+447700900001"))
    scheme = {"sms": "tel", "whatsapp": "whatsapp", "telegram": "telegram"}[channel]
    target = sender if channel != "whatsapp" else f"whatsapp:{sender}"
    for engager in script.get("engagers", []):
        add_engager(rt, **engager)
    last_id = 0
    for number, step in enumerate(script["steps"], start=1):
        if "wait" in step:
            clock.advance(parse_duration(step["wait"]))
            scheduler.run_due(rt, clock())
            said, last_id = _queued_since(rt, target, last_id)
        else:
            assert isinstance(step["send"], str), f"step {number}: quote {step['send']!r}"
            handled = handle(rt, Inbound(channel, sender, step["send"]))
            said = [text_render.render(r) for r in handled.replies]
            _, last_id = _queued_since(rt, target, last_id)
            clock.advance(parse_duration(step.get("then", "1m")))
        if UPDATE:
            step["replies"] = [_Literal(s) for s in said]
            continue
        label = step.get("send", step.get("wait"))
        assert said == step["replies"], f"{path.name} step {number} ({label!r})"
    if UPDATE:
        path.write_text(yaml.safe_dump(script, allow_unicode=True, sort_keys=False, width=100),
                        encoding="utf-8")
        pytest.skip("transcript rewritten")
    stored = _stored(rt, scheme, sender.removeprefix("whatsapp:"))
    expected = script["final"]
    for key, value in expected.items():
        assert stored.get(key) == value, f"{path.name}: stored {key}"
