"""The civic lottery's rehearsal (issue 21's "Done when"), end to end, the way the council
and residents meet it.

1. 12,000 made-up addresses across the shipped place's 22 wards; `outreach lottery invite`
   draws 10,000 letters (two codes each); the codes are read back from mail-merge.csv.
2. 400 made-up residents register, in en, ro, ur, bg, pl and tr, answering the shipped
   surveys/lottery-registration.yaml, drawn roughly as the place's figures (age, gender,
   ethnic group, disability; the ward of their letter). 72 of them (18%: the first 25 on
   SMS, 15 on WhatsApp, 12 on Telegram and 20 on the web) go through the real entry
   points: the signed Twilio webhook, the Telegram webhook (/start CODE, their Telegram
   language as the hint) and the web form (?code=, ?lang=). The other 328, for speed, go
   through `bot.conversations.handle` with the Inbound their channel's entry point would
   make (what those entry points call: the same engine, the same database path; a web
   registrant's start carries the letter's code as ?code= does). 20 households register a
   second person on the letter's second code. Along the way: a wrong code (refused, then
   the right one), a used code from someone else (refused, the reply read), a registrant
   sending their code again (told they are registered).
3. `outreach lottery targets --panel 50 --out t.csv` then `--load t.csv`.
4. `outreach lottery select --panel 50 --reserves 10 --seed S`: 50 selected meeting every
   target (recounted from the registrants' categories, lottery.selection.people); the same
   seed again (`--again`, nobody asked yet) draws the same panel.
5. Sessions added; `outreach worker --once --now` asks the 50 in their language and
   channel; 45 say YES, 5 say NO, each on their channel's webhook (a web registrant by
   SMS); `outreach lottery replace --seed S2` fills the 5 with the targets kept; the worker
   asks the 5 newcomers; they say YES.
6. `outreach members list` shows the 50 confirmed, each in the language they registered in.
Also: the transparency reports hold no phone, code or name; `outreach lottery status`
runs; /staff/lottery answers an analyst.

Needs the Sortition Foundation's library (`make lottery-env`, which `make test` runs)."""

from __future__ import annotations

import csv
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

import assembly
from bot import letter_codes
from lottery import library, selection
from lottery.targets import dimensions, registration_survey
from store.models import Answer, Message, Registrant, Target
from tests.helpers import rehearsal
from tests.helpers.cli import outreach
from tests.helpers.db import rows
from tests.helpers.lottery import registrants
from tests.helpers.members import at
from tests.helpers.providers import (
    SMS_FROM,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
    WHATSAPP_FROM,
)
from tests.helpers.rehearsal import Resident, Town, outro
from tests.helpers.staff import add_user, sign_in
from webhooks.senders import build as build_senders

SEED = "rehearsal 2027: 4 18 23 35 41"
SEED_REPLACE = "rehearsal 2027 replacements: 7 12 30"
PEOPLE, PAIRS = 400, 20  # registrants; households where two register
# Who goes through the real entry points (the first of each channel); the rest through
# bot.conversations.handle, which those entry points call
WEBHOOK_SHARE = {"sms": 25, "whatsapp": 15, "telegram": 12, "web": 20}
WEEKENDS = (("2027-03-20", "2027-03-21"), ("2027-04-17", "2027-04-18"),
            ("2027-05-15", "2027-05-16"))
UNKNOWN = ("We could not find that code. Please check it and send it again: codes look like "
           "K7P-M3Q-XAF. Reply HELP for help.")
USED = ("This code has already been used to register. Each code registers one person: if "
        "someone else in your home wants to register, use the other code on your letter.")
ALREADY = "You are already registered for the lottery"
TEMPLATE = "HX" + "5" * 32  # an approved WhatsApp template's SID


@pytest.fixture(autouse=True)
def sortition():
    """The library's command, or a skip that says how to get it."""
    try:
        return library.command(None)
    except library.LibraryMissing as exc:
        pytest.skip(f"{exc} (`make test` makes it)")


@pytest.fixture
def config(config, twilio_api, telegram_api) -> dict:
    """SMS, WhatsApp and Telegram through the local fakes of their APIs. The question
    reaches a WhatsApp registrant weeks after their last message, outside WhatsApp's 24
    hours: the approved template goes instead (docs/twilio.md), as a council must set."""
    return {**config, "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_SMS_FROM": SMS_FROM, "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
            "TWILIO_API_BASE_URL": twilio_api.url, "TWILIO_WHATSAPP_TEMPLATE_SID": TEMPLATE,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": telegram_api.url}


@pytest.fixture
def senders(rt):
    """The worker's senders, built as the worker builds them (for the Telegram people)."""
    built = build_senders(rt.settings)
    yield built
    built["telegram"].close()


def _mail_merge(folder) -> list[dict]:
    with (folder / "mail-merge.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def worker(app, moment) -> None:
    """`outreach worker --once --now` until a round has nothing left to send."""
    for _ in range(10):
        result = outreach(app, "worker", "--once", "--now", moment.isoformat())
        assert result.exit_code == 0, result.output
        if "handled 0 message(s)" in result.output:
            return
    raise AssertionError("the worker never finished")


def test_rehearsal(app, rt, surveys, clock, senders, telegram_api, tmp_path):
    town = Town(app, rt, clock, senders, telegram_api)
    took = {}
    started = time.monotonic()

    # 1. The letters ------------------------------------------------------------------------
    path = rehearsal.addresses_file(tmp_path, 12_000)
    result = outreach(app, "lottery", "invite", str(path), "--letters", "10000", "--seed",
                      SEED, "--no-letters", "--allow-local", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("draw 1: 10,000 letters to 10,000 of 12,000 addresses, "
                                    "20,000 codes (2 a letter)")
    letters = _mail_merge(tmp_path / "out")
    assert len(letters) == 10_000 and len({row["ward"] for row in letters}) == 22
    took["invite"] = time.monotonic() - started

    # 2. Registrations ----------------------------------------------------------------------
    people = rehearsal.residents(letters, PEOPLE, PAIRS)
    assert {p.language for p in people} == set(rehearsal.LANGUAGES)
    assert {p.channel for p in people} == set(rehearsal.CHANNELS)
    routed = Counter()
    for person in people:
        webhook = routed[person.channel] < WEBHOOK_SHARE[person.channel]
        routed[person.channel] += 1
        if person.n % 40 == 7 and person.channel != "web":  # a typo first: refused
            wrong = town.chat(person, "REGISTER K7P-M3Q-XAA", webhook=False)
            assert wrong == [UNKNOWN]
        last = town.register(person, webhook)
        expected = outro(rt, person.language)
        assert last == expected or (person.channel == "web" and expected.startswith(last)), (
            person.n, person.channel, person.language, last)
    took["registrations"] = time.monotonic() - started - sum(took.values())
    # A code already used, by someone else: refused, nothing made
    assert town.twilio("+447700900901", f"REGISTER {people[0].code}") == [USED]
    # A registered person sending their code again: told they are registered
    texter = next(p for p in people if p.channel == "sms")
    [again] = town.twilio(texter.phone, f"REGISTER {texter.code}")
    assert again.startswith(ALREADY), again

    found = registrants(rt)
    assert len(found) == PEOPLE and {r.status for r in found} == {"registered"}
    households = Counter(r.letter_id for r in found)
    assert Counter(households.values()) == {1: PEOPLE - 2 * PAIRS, 2: PAIRS}
    who = _who(rt, people)
    for registrant in found:
        person = who[registrant.id]
        assert (registrant.channel, registrant.language) == (person.channel, person.language)
    assert Counter(r.channel for r in found) == Counter(p.channel for p in people)
    with rt.sessions() as session:
        dims = dimensions(registration_survey(session), assembly.load().place)
        pool = {p.id: p.categories for p in selection.people(session, dims, ("registered",))}
    for rid, categories in pool.items():  # what they typed is what the selection reads
        for dim in ("gender", "ethnic_group", "disability", "ward"):
            if dim in categories:
                assert categories[dim] == who[rid].categories[dim], (rid, dim)

    # 3. Targets ----------------------------------------------------------------------------
    targets = tmp_path / "t.csv"
    result = outreach(app, "lottery", "targets", "--panel", "50", "--out", str(targets))
    assert result.exit_code == 0, result.output
    result = outreach(app, "lottery", "targets", "--load", str(targets))
    assert result.exit_code == 0, result.output
    loaded = rows(rt, Target)
    assert {t.dimension for t in loaded} >= {"age", "gender", "ethnic_group", "disability"}

    # 4. The selection: every target met, the same seed the same panel -----------------------
    mark = time.monotonic()
    result = outreach(app, "lottery", "select", "--panel", "50", "--reserves", "10", "--seed",
                      SEED, "--report", str(tmp_path / "report.html"))
    assert result.exit_code == 1 and "registration is still open" in result.output
    assert not _status(rt, "selected")  # refused: registration closes at the end of its day
    result = outreach(app, "lottery", "select", "--panel", "50", "--reserves", "10", "--seed",
                      SEED, "--close-now", "--report", str(tmp_path / "report.html"))
    assert result.exit_code == 0, result.output
    assert "50 selected, 10 reserve(s)" in result.output
    took["select"] = time.monotonic() - mark
    chosen, spare = _status(rt, "selected"), _status(rt, "reserve")
    assert (len(chosen), len(spare)) == (50, 10)
    _meets_every_target(rt, dims, chosen)
    assert len({r.letter_id for r in found if r.id in chosen + spare}) == 60
    result = outreach(app, "lottery", "select", "--panel", "50", "--reserves", "10", "--seed",
                      SEED, "--again", "--report", str(tmp_path / "again.html"))
    assert result.exit_code == 0, result.output
    assert (_status(rt, "selected"), _status(rt, "reserve")) == (chosen, spare)
    _nothing_personal(tmp_path / "report.html", people)
    status = outreach(app, "lottery", "status")
    assert status.exit_code == 0, status.output
    _nothing_personal(status.output, people)
    add_user(rt, "analyst@example.org", "analyst")
    staff = app.test_client()
    assert sign_in(staff, "analyst@example.org").status_code in (302, 303)
    page = staff.get("/staff/lottery")
    assert page.status_code == 200
    _nothing_personal(page.get_data(as_text=True), people)

    # 5. Asked, 45 YES and 5 NO, the 5 replaced, the newcomers say YES -------------------------
    for n, (sat, sun) in enumerate(WEEKENDS, 1):
        for name, day in ((f"Weekend {n}, Saturday", sat), (f"Weekend {n}, Sunday", sun)):
            result = outreach(app, "sessions", "add", "--name", name, "--starts",
                              f"{day}T10:00", "--ends", f"{day}T16:00", "--venue",
                              "Walthamstow Assembly Hall")
            assert result.exit_code == 0, result.output
    asked_at = at("2027-03-03T09:00")
    clock.set(asked_at)
    worker(app, asked_at)
    _asked(rt, who, chosen)
    no = set(chosen[::10])  # five of them cannot come
    for rid in chosen:
        clock.advance(timedelta(minutes=3))
        replies = town.answer(who[rid], yes=rid not in no)
        key = "selection/no" if rid in no else "selection/yes"
        assert replies[-1] == rt.catalogs.bot(who[rid].language, key), (rid, replies)
    assert sorted(_status(rt, "declined")) == sorted(no)
    assert len(_status(rt, "confirmed")) == 45
    result = outreach(app, "lottery", "replace", "--seed", SEED_REPLACE, "--report",
                      str(tmp_path / "replace.html"))
    assert result.exit_code == 0, result.output
    assert "5 newly selected" in result.output and "target not kept" not in result.output
    newcomers = _status(rt, "selected")
    assert len(newcomers) == 5 and not set(newcomers) & set(chosen)
    panel = _status(rt, "selected", "confirmed")
    _meets_every_target(rt, dims, panel)
    assert len({r.letter_id for r in registrants(rt) if r.id in panel}) == 50
    _nothing_personal(tmp_path / "replace.html", people)
    clock.advance(timedelta(hours=1))
    worker(app, clock())
    _asked(rt, who, newcomers)
    for rid in newcomers:
        clock.advance(timedelta(minutes=3))
        assert town.answer(who[rid], yes=True)[-1] == rt.catalogs.bot(who[rid].language,
                                                                      "selection/yes")

    # 6. The members ---------------------------------------------------------------------------
    confirmed = _status(rt, "confirmed")
    assert sorted(confirmed) == sorted(set(panel))
    listed = outreach(app, "members", "list")
    assert listed.exit_code == 0, listed.output
    lines = [line.split("\t") for line in listed.output.splitlines()[1:]
             if line.startswith("M")]
    assert len(lines) == 50
    assert {(name, language) for _, name, _, language, *_ in lines} == {
        (who[rid].name, who[rid].language) for rid in confirmed}
    assert {(name, channel) for _, name, channel, *_ in lines} == {
        (who[rid].name, "sms" if who[rid].channel == "web" else who[rid].channel)
        for rid in confirmed}
    clock.advance(timedelta(hours=1))  # the worker welcomes each with their calendar link
    worker(app, clock())
    welcomes = rows(rt, Message, Message.idempotency_key.startswith("member-welcome:"))
    assert len(welcomes) == 50 and {m.status for m in welcomes} == {"sent"}
    took["total"] = time.monotonic() - started
    print("rehearsal:", {k: round(v, 1) for k, v in took.items()}, dict(town.ways))


def _who(rt, people: list[Resident]) -> dict[int, Resident]:
    """Each registrant's made-up resident, by the name their registration gave."""
    by_name = {p.name: p for p in people}
    with rt.sessions() as session:
        found = session.execute(select(Registrant.id, Answer.value).join(
            Answer, Answer.response_id == Registrant.response_id).where(
            Answer.question_id == "name")).all()
    return {rid: by_name[name] for rid, name in found}


def _status(rt, *statuses: str) -> list[int]:
    return [r.id for r in rows(rt, Registrant, Registrant.status.in_(statuses))]


def _meets_every_target(rt, dims, ids: list[int]) -> None:
    """Every loaded target holds for these registrants, recounted from their categories."""
    with rt.sessions() as session:
        everyone = selection.people(session, dims, ("selected", "confirmed", "reserve",
                                                    "registered", "declined"))
    counts = Counter((d, c) for p in everyone if p.id in set(ids)
                     for d, c in p.categories.items())
    assert len([p for p in everyone if p.id in set(ids)]) == len(ids)
    for t in rows(rt, Target):
        assert t.min <= counts[t.dimension, t.category] <= t.max, (
            t.dimension, t.category, t.min, t.max, counts[t.dimension, t.category])


def _asked(rt, who: dict[int, Resident], ids: list[int]) -> None:
    """Each was asked once, sent, on their channel (a web registrant by SMS), in their
    language."""
    for rid in ids:
        person = who[rid]
        [asked] = rows(rt, Message, Message.idempotency_key == f"lottery-ask:{rid}")
        assert asked.status == "sent", (rid, asked.status)
        assert asked.channel == ("sms" if person.channel == "web" else person.channel)
        # every weekend they can come to: the question; some of them: the question naming those
        asks = [rt.catalogs.bot(person.language, key, org="\0", dates="\0", by="\0").split("\0")
                for key in ("selection/ask", "selection/ask-some")]
        assert any(all(part.strip() in asked.body for part in words) for words in asks), (
            person.language, asked.body)


def _nothing_personal(where, people: list[Resident]) -> None:
    """No phone number, code or name of anyone in a report, page or output."""
    text = where.read_text(encoding="utf-8") if hasattr(where, "read_text") else where
    for person in people:
        code = letter_codes.read(person.code)
        for secret in (person.name, person.phone, person.phone.replace("+44", "0"),
                       person.code, code, person.chat):
            assert secret not in text, (secret, person.n)
