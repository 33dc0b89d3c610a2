"""Quotes are reviewed before the pack is shared (staff/evidence/review.py): the page lists
the quotes the pack would use, redacted; each is approved or excluded with a reason kept in
the audit log; the pack quotes only approved answers and is a draft until all are."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from staff.evidence import pack
from store.models import AuditEvent, QuoteReview
from tests.helpers.staff import add_response, add_user, csrf, sign_in

ANALYST, LEAD = "analyst@example.org", "lead@example.org"
DRAFT = "Draft: quotes not yet reviewed"
SAID = ("They should recruit officers who actually live in the borough, call me on 07700 900123",
        "Better training in de-escalation and mental health for every officer",
        "Go into schools and talk to the kids about what police do")


@pytest.fixture
def quoted(rt, surveys):
    add_user(rt, ANALYST, "analyst")
    add_user(rt, LEAD, "wellbeing")
    for text in SAID:
        add_response(rt, "neighbourhood-policing", answers={"safe_day": 4, "build_trust": text})


@pytest.fixture
def client(app):
    return app.test_client()


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="quote-(\d+)"', page)]


def _decide(client, answer_id: int, decision: str, reason: str):
    return client.post(f"/staff/quotes/{answer_id}", data={
        "decision": decision, "reason": reason, "csrf_token": csrf(client, "/staff/quotes")})


def _pack(rt) -> str:
    with rt.sessions() as session:
        return pack.render(pack.build(session, rt.now(), rt.settings.timezone))


def test_the_page_lists_the_quotes_redacted_and_only_for_analysts(client, quoted, rt):
    sign_in(client, LEAD)
    assert client.get("/staff/quotes").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf(client, "/staff/alerts")})
    sign_in(client, ANALYST)
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert len(_ids(page)) == 3 and "not yet reviewed" in page
    assert "recruit officers who actually live in the borough" in page
    assert "07700 900123" not in page and "900123" not in page  # as the pack shows it


def test_decisions_are_kept_audited_and_the_pack_is_final_once_all_are_approved(
        client, quoted, rt):
    assert _pack(rt).count(DRAFT) >= 7  # the cover and every section
    sign_in(client, ANALYST)
    ids = _ids(client.get("/staff/quotes").get_data(as_text=True))
    assert _decide(client, ids[0], "approved", "").status_code == 400  # no reason: refused
    with rt.sessions() as session:
        assert session.scalars(select(QuoteReview)).all() == []
    for answer_id in ids:
        assert _decide(client, answer_id, "approved", "read, nobody named").status_code == 303
    html = _pack(rt)
    assert DRAFT not in html and "recruit officers" in html
    with rt.sessions() as session:
        logged = session.scalars(select(AuditEvent).where(
            AuditEvent.event == "quote_reviewed")).all()
        assert [(e.actor, e.detail) for e in logged] == [
            (ANALYST, f"answer #{i} approved: read, nobody named") for i in ids]


def test_an_excluded_quote_is_never_in_the_pack(client, quoted, rt):
    sign_in(client, ANALYST)
    page = client.get("/staff/quotes").get_data(as_text=True)
    [schools] = [i for i in _ids(page)
                 if "Go into schools" in page.split(f'id="quote-{i}"')[1].split("</article>")[0]]
    _decide(client, schools, "excluded", "names the school")
    for answer_id in _ids(client.get("/staff/quotes").get_data(as_text=True)):
        if answer_id != schools:
            _decide(client, answer_id, "approved", "fine to use")
    html = _pack(rt)
    assert "Go into schools" not in html and DRAFT not in html
    assert schools not in _ids(client.get("/staff/quotes").get_data(as_text=True))


def test_a_quote_the_pack_does_not_use_cannot_be_decided(client, quoted):
    sign_in(client, ANALYST)
    assert _decide(client, 999999, "approved", "why not").status_code == 404


def test_the_command_says_draft_or_final_and_is_audited(app, client, quoted, rt, tmp_path):
    out = tmp_path / "pack.html"
    result = app.test_cli_runner().invoke(args=["evidence-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote a draft pack" in result.output
    assert "3 of 3 quotes not yet reviewed" in result.output
    assert DRAFT in out.read_text(encoding="utf-8")
    sign_in(client, ANALYST)
    for answer_id in _ids(client.get("/staff/quotes").get_data(as_text=True)):
        _decide(client, answer_id, "approved", "fine to use")
    result = app.test_cli_runner().invoke(args=["evidence-pack", "--out", str(out)])
    assert "Wrote a final pack" in result.output and DRAFT not in out.read_text(encoding="utf-8")
    with rt.sessions() as session:
        made = session.scalars(select(AuditEvent.detail).where(
            AuditEvent.event == "evidence_pack")).all()
    assert made == ["draft pack", "final pack"]


def _section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"')[1].split("</article>")[0]


def test_an_excluded_quote_is_listed_with_its_reason_and_can_be_approved_again(
        client, quoted, rt):
    sign_in(client, ANALYST)
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert "No quote has been approved or excluded yet" in page
    [schools] = [i for i in _ids(page) if "Go into schools" in _section(page, f"quote-{i}")]
    assert _decide(client, schools, "excluded", "names the school").status_code == 303
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert schools not in _ids(page)  # no longer among the pack's quotes
    shown = _section(page, f"decided-{schools}")
    assert "Go into schools" in shown and "names the school" in shown
    when = rt.now().astimezone(rt.settings.timezone).strftime("%d %b %Y")
    assert f"Excluded by {ANALYST} on " in shown and when in shown
    # changed back: approved, audited, and the pack may use it again
    assert _decide(client, schools, "approved", "on reflection it is fine").status_code == 303
    page = client.get("/staff/quotes").get_data(as_text=True)
    assert schools in _ids(page)
    assert "Approved by" in _section(page, f"decided-{schools}")
    assert "on reflection it is fine" in _section(page, f"decided-{schools}")
    with rt.sessions() as session:
        logged = session.scalars(select(AuditEvent.detail).where(
            AuditEvent.event == "quote_reviewed")).all()
    assert logged == [f"answer #{schools} excluded: names the school",
                      f"answer #{schools} approved: on reflection it is fine"]


def test_an_excluded_quote_is_shown_redacted_in_the_decisions(client, quoted, rt):
    sign_in(client, ANALYST)
    page = client.get("/staff/quotes").get_data(as_text=True)
    [phone] = [i for i in _ids(page) if "recruit officers" in _section(page, f"quote-{i}")]
    _decide(client, phone, "excluded", "a phone number in it")
    shown = _section(client.get("/staff/quotes").get_data(as_text=True), f"decided-{phone}")
    assert "recruit officers" in shown and "900123" not in shown


@pytest.mark.parametrize(("decision", "reason", "message"), [
    ("approved", "", "at least 2 words or 8 letters"),
    ("approved", "ok", "at least 2 words or 8 letters"),
    ("excluded", "  x  ", "at least 2 words or 8 letters"),
    ("approved", "1234567890", "at least 2 words or 8 letters"),
    ("maybe", "a good reason", "Choose Approve or Exclude"),
])
def test_a_refused_decision_is_a_400_page_keeping_the_reason_typed(
        client, quoted, rt, decision, reason, message):
    sign_in(client, ANALYST)
    [first, *_] = _ids(client.get("/staff/quotes").get_data(as_text=True))
    answer = _decide(client, first, decision, reason)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in page
    assert f'id="reason-{first}" name="reason" required maxlength="2000" value="{reason}"' in page
    with rt.sessions() as session:
        assert session.scalars(select(QuoteReview)).all() == []


@pytest.mark.parametrize("reason", ["fine by me", "readable", "nobody named"])
def test_a_reason_of_two_words_or_eight_letters_is_enough(client, quoted, rt, reason):
    sign_in(client, ANALYST)
    [first, *_] = _ids(client.get("/staff/quotes").get_data(as_text=True))
    assert _decide(client, first, "approved", reason).status_code == 303


def test_a_refused_change_to_an_excluded_quote_is_a_400_page_too(client, quoted, rt):
    sign_in(client, ANALYST)
    [first, *_] = _ids(client.get("/staff/quotes").get_data(as_text=True))
    _decide(client, first, "excluded", "names a street")
    answer = _decide(client, first, "approved", "ok")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'value="ok"' in _section(page, f"decided-{first}")
    with rt.sessions() as session:
        assert session.get(QuoteReview, first).decision == "excluded"
