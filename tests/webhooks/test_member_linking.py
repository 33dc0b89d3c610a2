"""A member links Telegram with a one-time code sent by SMS (bot/members/linking.py), through
the real webhooks: LINK by signed Twilio webhook, LINK CODE and /start link_CODE by the
Telegram webhook, the replies and the reminders delivered by the worker to the fake APIs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.members import job, linking
from store.models import Address, Contact, Member, Message, Response
from tests.helpers import telegram as tg
from tests.helpers import twilio as tw
from tests.helpers.db import count, rows
from tests.helpers.engagers import add_engager
from tests.helpers.members import add_session, import_members
from tests.helpers.providers import TELEGRAM_BOT as BOT

ANA, KASIA = "+447700900101", "+447700900102"
CHAT, OTHER_CHAT = "1001", "2002"
ROWS = ("Ana Popescu,07700 900101,,ro,sms,", "Kasia Nowak,07700900102,,pl,sms,")
CODE = re.compile(r"\b([A-Z0-9]{8})\b")
LINKED_RO = ("Gata: acest chat este legat de locul dvs. în Adunarea Cetățenilor. Acum "
             "mementourile vin prin SMS. Le doriți aici, pe Telegram?")
WRONG_EN = ("That code is wrong or has expired. Check it and try again, or text LINK to us by "
            "SMS for a new one.")


@pytest.fixture
def config(members_config):
    return members_config


@pytest.fixture
def senders(quick_senders):
    return quick_senders


@pytest.fixture
def client(app, surveys):
    return app.test_client()


@pytest.fixture
def chat(client, rt, senders, clock, telegram_api):
    return tg.Person(client, rt, senders, clock, telegram_api, chat=CHAT)


def text(client, sender: str, body: str) -> list[str]:
    """An SMS through the signed Twilio webhook; the TwiML replies."""
    return tw.said(tw.post(client, tw.incoming(sender, body)))


def texts(sent: list[dict]) -> list[str]:
    return [m["text"] for m in sent]


def sms_code(client, sender: str = ANA) -> str:
    [reply] = text(client, sender, "LINK")
    return CODE.search(reply)[1]


def member(rt, member_id: int = 1) -> Member:
    with rt.sessions() as session:
        found = session.get(Member, member_id)
        _ = found.contact
        session.expunge_all()
    return found


def contact_of(rt, scheme: str, value: str) -> int:
    with rt.sessions() as session:
        return session.scalar(select(Address.contact_id).where(Address.scheme == scheme,
                                                               Address.value == value))


# The member's way: LINK by SMS, the code in Telegram, YES ------------------------------------


def test_a_member_texts_link_opens_the_bots_link_and_gets_reminders_on_telegram(
        client, rt, chat, clock, telegram_api, twilio_api, senders):
    import_members(rt, *ROWS)
    [reply] = text(client, ANA, "link")
    code = CODE.search(reply)[1]
    assert reply == (f"Cod pentru mesajele Adunării pe Telegram: {code}. Deschideți "
                     f"https://t.me/{BOT}?start=link_{code} sau trimiteți LINK {code} la "
                     f"@{BOT}. Merge o dată, 24 ore.")
    assert member(rt).link_code == code
    linked = chat.send(f"/start link_{code}")  # what Telegram sends for the t.me link
    assert texts(linked) == [LINKED_RO]
    assert tg.keyboard(linked[0]) == [["Da", "Nu"]]
    assert texts(chat.tap("Da")) == [
        "Bine. De acum mementourile și întrebările despre cum vă simțiți vin aici."]
    ana = member(rt)
    assert (ana.channel, ana.link_code) == ("telegram", None)
    assert contact_of(rt, "telegram", CHAT) == contact_of(rt, "tel", ANA) == ana.contact_id
    assert count(rt, Contact) == 2  # Ana and Kasia: the chat's own contact merged away

    add_session(rt, "Day 1", "2026-03-14T10:00")
    clock.set(clock.now.replace(month=3, day=7, hour=18))  # 18:00 GMT: the confirm reminder
    assert job.send_due(rt, clock.now) == 2
    chat.deliver()
    [reminder] = texts(telegram_api.sent_to(CHAT)[-1:])
    assert reminder.startswith("Adunarea Cetățenilor: Day 1, sâmbătă 14 martie, ora 10:00")
    assert [m["body"] for m in twilio_api.messages if m["to"] == ANA] == []
    assert texts(chat.send("Da")) == [  # the RSVP, in the chat
        "Vă mulțumim, ne vedem sâmbătă 14 martie."]


def test_no_keeps_sms_and_link_in_the_chat_asks_again(client, rt, chat):
    import_members(rt, *ROWS)
    code = sms_code(client)
    chat.send(f"LINK {code.lower()[:4]} {code.lower()[4:]}")  # typed, in two halves
    assert texts(chat.tap("Nu")) == [
        "Bine. Vor veni în continuare prin SMS. Trimiteți LINK aici dacă vă răzgândiți."]
    assert member(rt).channel == "sms"
    assert contact_of(rt, "telegram", CHAT) == member(rt).contact_id  # linked all the same
    assert texts(chat.send("/link")) == [
        "Acest chat este deja legat de dvs. Acum mementourile vin prin SMS. Le doriți aici, "
        "pe Telegram?"]
    chat.tap("Da")
    assert member(rt).channel == "telegram"
    assert texts(chat.send("LINK")) == ["Acest chat este deja legat de dvs. Mementourile vin aici."]


def test_the_coordinator_texts_a_code_with_outreach_members_link_code(app, client, rt, chat,
                                                                      twilio_api, senders):
    import_members(rt, *ROWS)
    result = app.test_cli_runner().invoke(args=["members", "link-code", "kasia nowak"])
    assert result.exit_code == 0, result.output
    code = CODE.search(result.output)[1]
    assert result.output == (f"M002 Kasia Nowak: code {code} queued by SMS; it works once, "
                             "until Tue 2026-03-03 10:00\n")
    chat.deliver()
    [sms] = [m["body"] for m in twilio_api.messages if m["to"] == KASIA]
    assert sms == (f"Kod Zgromadzenia do Telegrama: {code}. Prosimy otworzyć "
                   f"https://t.me/{BOT}?start=link_{code} lub wysłać LINK {code} do @{BOT}. "
                   "Działa raz, przez 24 h.")
    assert texts(chat.send(f"LINK {code}"))[0].startswith("Gotowe: ten czat jest połączony")
    assert contact_of(rt, "telegram", CHAT) == member(rt, 2).contact_id
    missing = app.test_cli_runner().invoke(args=["members", "link-code", "M009"])
    assert missing.exit_code == 1 and "no member 'M009'" in missing.output


def test_a_member_on_telegram_already_is_linked_to_the_new_chat_and_the_old_one_set_aside(
        client, rt, chat, clock):
    import_members(rt, "Ali Khan,07700900103,5550001,ur,telegram,")
    with rt.sessions() as session:
        code, _ = linking.send_code(session, session.get(Member, 1), rt.catalogs, BOT,
                                    clock.now)
        session.commit()
    [done] = texts(chat.send(f"/start link_{code}"))
    assert done == ("ہو گیا: یہ چیٹ شہریوں کی اسمبلی میں آپ کی جگہ سے جڑ گئی ہے۔ آپ کی یاد "
                    "دہانیاں یہاں آئیں گی۔")
    with rt.sessions() as session:
        assert dict(session.execute(select(Address.value, Address.status).where(
            Address.scheme == "telegram")).all()) == {"5550001": "replaced", CHAT: "active"}


# Codes: once, for 24 hours, throttled, never another member's chat ---------------------------


def test_a_code_works_once_and_for_24_hours(client, rt, chat, clock, senders, telegram_api):
    import_members(rt, *ROWS)
    code = sms_code(client)
    chat.send(f"LINK {code}")
    other = tg.Person(client, rt, senders, clock, telegram_api, chat=OTHER_CHAT)
    assert texts(other.send(f"LINK {code}")) == [WRONG_EN]  # used up
    later = sms_code(client)
    clock.advance(timedelta(hours=24))
    assert texts(other.send(f"LINK {later}")) == [WRONG_EN]  # expired
    assert contact_of(rt, "telegram", OTHER_CHAT) != member(rt).contact_id


def test_wrong_codes_are_throttled_per_chat(client, rt, chat, clock):
    import_members(rt, *ROWS)
    code = sms_code(client)
    for guess in ("K7PQ2XMD", "ACDE2345", "ACDE2346", "ACDE2347", "ACDE2348"):
        assert texts(chat.send(f"LINK {guess}")) == [WRONG_EN]
    wait = ("Too many wrong codes. Please wait an hour and try again, or ask the assembly "
            "team.")
    assert texts(chat.send(f"LINK {code}")) == [wait]  # even the right one, for now
    assert contact_of(rt, "telegram", CHAT) != member(rt).contact_id
    clock.advance(timedelta(hours=1))
    assert texts(chat.send(f"LINK {code}")) == [LINKED_RO]


def test_a_new_chat_is_answered_in_telegrams_language(rt, chat):
    chat.lang = "pl"
    assert texts(chat.send("LINK K7PQ2XMD")) == [
        "Ten kod jest błędny albo wygasł. Prosimy sprawdzić i spróbować ponownie albo wysłać "
        "nam LINK SMS-em po nowy kod."]


def test_a_chat_that_is_another_members_cannot_take_a_code(client, rt, chat):
    import_members(rt, *ROWS)
    chat.send(f"LINK {sms_code(client, KASIA)}")
    assert texts(chat.send(f"LINK {sms_code(client, ANA)}")) == [
        "Ten czat jest już połączony z innym członkiem Zgromadzenia. Prosimy zapytać zespół "
        "Zgromadzenia."]
    assert contact_of(rt, "telegram", CHAT) == member(rt, 2).contact_id
    assert member(rt, 1).link_code is not None  # Ana's code still works elsewhere


def test_what_the_chat_said_before_linking_becomes_the_members(client, rt, chat):
    import_members(rt, *ROWS)
    chat.send("Hi")
    chat.tap("Yes")
    chat.send("4")  # the residents' survey, one answer in
    chat.send(f"LINK {sms_code(client)}")
    ana = member(rt)
    [response] = rows(rt, Response)
    assert response.contact_id == ana.contact_id
    with rt.sessions() as session:
        assert set(session.scalars(select(Message.contact_id).where(
            Message.address == CHAT))) == {ana.contact_id}
    assert count(rt, Contact) == 2


# Others meet none of it ---------------------------------------------------------------------


def test_link_from_someone_who_is_not_a_member(client, rt, chat):
    replies = text(client, "+447700900555", "LINK")  # an ordinary first message by SMS
    assert replies[0].startswith("Hello from Waltham Forest Council")
    assert texts(chat.send("LINK")) == [
        "To get your Citizens' Assembly messages here, send LINK and the code we sent you by "
        "SMS, for example LINK K7PQ2XMD. No code? Text LINK to us, or ask the team."]
    assert texts(chat.send("Link to the survey please"))[0] == tg.INTRO  # not a code


def test_engager_codes_still_start_the_youth_survey(rt, chat):
    add_engager(rt, "K7P2QX")
    assert texts(chat.send("/start K7P2QX"))[0] == tg.YOUTH_INTRO
    chat.tap("Yes")
    [response] = rows(rt, Response)
    assert response.engager_code == "K7P2QX"


def test_without_the_bots_username_the_code_sms_names_no_link(rt, clock):
    import_members(rt, *ROWS)
    with rt.sessions() as session:
        assert linking.send_code(session, session.get(Member, 1), rt.catalogs, None,
                                 clock.now) is not None
        session.commit()
    [queued] = rows(rt, Message, Message.idempotency_key.startswith("link-code:"))
    assert "Trimiteți LINK" in queued.body and "t.me" not in queued.body
    assert queued.address == ANA


def test_importing_the_roster_again_names_whom_it_moves_off_telegram(app, client, rt, chat,
                                                                     tmp_path):
    import_members(rt, *ROWS)
    chat.send(f"LINK {sms_code(client)}")
    chat.tap("Da")
    path = tmp_path / "roster.csv"
    runner = app.test_cli_runner()
    path.write_text("name,phone,telegram_chat_id,language,channel,notes\n"
                    "Ana Popescu,07700 900101,,ro,telegram,\n", encoding="utf-8")
    kept = runner.invoke(args=["members", "import", str(path)])
    assert kept.output == "0 member(s) added, 1 updated; 0 welcome message(s) queued\n"
    assert member(rt).channel == "telegram"
    path.write_text("name,phone,telegram_chat_id,language,channel,notes\n"
                    "Ana Popescu,07700 900101,,ro,sms,\n", encoding="utf-8")
    moved = runner.invoke(args=["members", "import", str(path)])
    assert moved.output.splitlines()[1:] == [
        "note: M001 Ana Popescu had chosen Telegram; the file moves them back to its channel "
        "(write telegram in their row to keep it)"]
    assert member(rt).channel == "sms"
