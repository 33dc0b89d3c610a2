"""Broadcasts: who is invited, what it costs, quiet hours, and replies going into the survey."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import broadcast
from bot.conversations import Inbound, handle
from store.models import Contact, Message

RECIPIENTS = "phone,language\n07400123001,ro\n+447400123002,\nnonsense,en\n07400123001,ro\n"


def _count(rt, model, *where):
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_dry_run_reports_recipients_parts_and_cost_and_stores_nothing(app, rt, surveys,
                                                                      tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(RECIPIENTS)
    result = app.test_cli_runner().invoke(args=[
        "broadcast", "--survey", "neighbourhood-policing", "--to", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [  # numbers masked as in the logs; who was left out only counted
        "would send\t+********3001\tro",
        "would send\t+********3002\ten",
        "left out\t1\tlisted twice",
        "left out\t1\tnot a phone number",
    ]
    assert not any(n in result.output for n in ("7400123001", "7400123002", "nonsense"))
    assert lines[4] == "language\trecipients\tmessages\tsms parts\testimated cost"
    # English intro + consent are GSM-7 and one part each; Romanian needs UCS-2 parts.
    assert lines[5] == "en\t1\t2\t2\t0.08"
    assert lines[6].startswith("ro\t1\t2\t")
    assert _count(rt, Contact) == 0 and _count(rt, Message) == 0


def test_the_report_counts_every_row_masks_every_address_and_refuses_invalid_numbers(
        app, rt, surveys, tmp_path):
    handle(rt, Inbound("sms", "+447400123003", "STOP"))
    handle(rt, Inbound("telegram", "4242", "STOP"))
    handle(rt, Inbound("telegram", "4243", "Hello"))
    handle(rt, Inbound("telegram", "4243", "no"))  # said no to the consent
    people = tmp_path / "people.txt"
    people.write_text("07400123003\n+447400123003\n12345\n07400123004\n")
    chats = tmp_path / "chats.txt"
    chats.write_text("4242\n4243\n4244\n")
    cli = app.test_cli_runner()
    args = ["broadcast", "--survey", "neighbourhood-policing", "--dry-run", "--to"]
    lines = cli.invoke(args=[*args, str(people)]).output.splitlines()
    assert "left out\t2\topted out" in lines  # the same number twice: two rows
    assert "left out\t1\tnot a valid number" in lines  # 12345 is not +4412345
    assert [line for line in lines if line.startswith("would send")] == [
        "would send\t+********3004\ten"]
    output = cli.invoke(args=[*args, str(chats), "--channel", "telegram"]).output
    assert "would send\t***4\ten" in output.splitlines()
    assert not any(chat in output for chat in ("4242", "4243", "4244"))


def test_broadcast_waits_out_quiet_hours_and_skips_who_it_should(rt, surveys, clock):
    handle(rt, Inbound("sms", "+447700900010", "STOP"))          # opted out
    for text in ("SAFETY", "yes"):                                # part way through
        handle(rt, Inbound("sms", "+447700900011", text))
    clock.set(datetime(2026, 6, 1, 21, 30, tzinfo=UTC))          # 22:30 in London (BST)
    plan = broadcast.run(rt, "neighbourhood-policing", "sms", [
        broadcast.Recipient("+447700900010"), broadcast.Recipient("+447700900011"),
        broadcast.Recipient("+447700900012", "pl")])
    assert plan.skipped == {"+447700900010": "opted out",
                            "+447700900011": "part way through a survey"}
    assert list(plan.sent) == ["+447700900012"]
    with rt.sessions() as session:
        queued = session.scalars(select(Message).where(
            Message.address == "+447700900012")).all()
    assert [m.status for m in queued] == ["queued", "queued"]
    assert {m.next_attempt_at for m in queued} == {datetime(2026, 6, 2, 7, 0, tzinfo=UTC)}
    assert queued[0].body.startswith("Dzień dobry")  # the recipient's language
    # Their reply goes straight into the survey's consent step.
    reply = handle(rt, Inbound("sms", "+447700900012", "tak")).replies[0]
    assert reply.question == "safe_day"
    # Running the same broadcast again invites nobody twice.
    again = broadcast.run(rt, "neighbourhood-policing", "sms",
                          [broadcast.Recipient("+447700900012")])
    assert again.sent == {} and again.skipped == {"+447700900012": "part way through a survey"}
