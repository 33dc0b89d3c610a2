"""`outreach demo seed`: a realistic data set in an empty database, on both engines; it
refuses a database that holds anything, and `make run` never loads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from demo.seed import DemoRefused, seed
from store.models import (
    Address,
    Alert,
    Answer,
    Engager,
    Message,
    Response,
    ScreenOut,
    Survey,
    SurveyVersion,
)

ROOT = Path(__file__).resolve().parents[2]


def _by(session, column, slug):
    return dict(session.execute(
        select(column, func.count()).select_from(Response)
        .join(SurveyVersion).join(Survey).where(Survey.slug == slug).group_by(column)).all())


def test_seed_fills_an_empty_database(rt):
    done = seed(rt)
    assert (done.residents, done.engagers, done.alerts) == (2580, 6, 4)
    with rt.sessions() as session:
        residents = _by(session, Response.channel, "neighbourhood-policing")
        assert set(residents) == {"sms", "whatsapp", "telegram", "web"}
        assert sum(residents.values()) == 2580
        assert set(_by(session, Response.language, "neighbourhood-policing")) == {
            "en", "ro", "ur", "bg", "pl", "tr"}
        assert set(_by(session, Response.language, "youth-voice")) == {
            "en", "ro", "ur", "bg", "pl", "tr"}
        assert sum(_by(session, Response.engager_code, "peer-conversation-log").values()) == 72
        codes = set(session.scalars(select(Engager.code)))
        assert set(_by(session, Response.engager_code, "youth-voice")) - {None} == codes
        texts = session.execute(select(Answer.text_language, Answer.translation_status,
                                       Answer.translation_en)
                                .where(Answer.text_language.is_not(None))).all()
        assert {lang for lang, _, _ in texts} == {"en", "ro", "ur", "bg", "pl", "tr"}
        assert all(status == "done" and english for _, status, english in texts)
        assert session.scalar(select(func.count(Alert.id))) == 4
        assert session.scalar(select(func.count(ScreenOut.id))) == 10
        assert session.scalar(select(func.count(Message.id))) == 0  # nobody is sent anything
        phones = session.scalars(select(Address.value).where(
            Address.scheme.in_(["tel", "whatsapp"]))).all()
        assert phones and all(p.startswith("+447700900") and len(p) == 13 for p in phones)


def test_seed_refuses_a_database_that_is_not_empty(rt):
    seed(rt)
    with pytest.raises(DemoRefused, match="only fills an empty database"):
        seed(rt)


def test_the_command_says_what_it_made_and_refuses_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "2,580 residents' responses" in first.output and "drama numbers" in first.output
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 1 and "only fills an empty database" in again.output


def test_make_run_never_loads_the_demo():
    run = ROOT.joinpath("Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "demo" not in run
