"""Replay every conversation transcript in tests/transcripts/ against the real stack.

A transcript says what a resident sends and exactly what the bot must answer (rendered as
that channel shows it), then what must be stored. `wait: 25h` moves the clock and runs the
scheduler, whose replies are read from the outbox. `engagers:` lists peer engagers to add
first (code, name, phone, paused), as `outreach engagers add` would. With
UPDATE_TRANSCRIPTS=1 a transcript whose replies differ from what the bot said is not
rewritten: the bot's version goes to `<name>.yaml.new` beside it and the test fails with
the diff, for a person to review and move over the original (never the bot's word alone).
"""

from __future__ import annotations

import difflib
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


def _propose(path: Path, said: str) -> None:
    """The bot's version of a transcript, written beside it as `.new` when it differs, and
    the diff to review; the expected file itself is never overwritten."""
    kept = path.read_text(encoding="utf-8")
    if said == kept:
        pytest.skip("the bot said what the transcript expects")
    proposed = path.with_name(path.name + ".new")
    proposed.write_text(said, encoding="utf-8")
    diff = "".join(difflib.unified_diff(kept.splitlines(True), said.splitlines(True),
                                        path.name, proposed.name))
    pytest.fail(f"review {proposed}, then move it over {path.name} if it is right:\n{diff}",
                pytrace=False)


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
        _propose(path, yaml.safe_dump(script, allow_unicode=True, sort_keys=False, width=100))
    stored = _stored(rt, scheme, sender.removeprefix("whatsapp:"))
    expected = script["final"]
    for key, value in expected.items():
        assert stored.get(key) == value, f"{path.name}: stored {key}"
