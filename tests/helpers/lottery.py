"""The civic lottery's rows made directly (a Draw, its Letters and their codes with known
plain codes), as `outreach lottery invite` would leave them, and what a registration left."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from bot import letter_codes
from store.db import transaction
from store.models.lottery import Draw, Letter, LetterCode, Registrant

# Known codes (NEW_CODE_CHARS only), two to a letter: a household's two places.
CODES = (("K7PM3QXAF", "K7PM3QXAG"), ("HR4T9WCEN", "HR4T9WCEP"), ("MX5YDJ7UA", "MX5YDJ7UC"))


@dataclass
class Invited:
    """A draw made for a test: its id, each letter's id and its plain codes."""

    draw: int
    letters: list[int] = field(default_factory=list)
    codes: list[tuple[str, ...]] = field(default_factory=list)


def invite(rt, closes: datetime | None = None, codes=CODES, ward: str = "leyton") -> Invited:
    """A draw of len(codes) letters, each carrying its codes (hashed with the app's
    SECRET_KEY); registration closes at `closes` (default: 30 days from the app's now)."""
    closes = closes or rt.now() + timedelta(days=30)
    with transaction(rt.sessions) as session:
        draw = Draw(seed="test-seed", addresses=len(codes) * 10, letters=len(codes),
                    per_household=max(len(c) for c in codes), source_digest="0" * 64,
                    closes_at=closes)
        session.add(draw)
        session.flush()
        made = Invited(draw.id)
        for number, letter_codes_ in enumerate(codes, start=1):
            letter = Letter(draw_id=draw.id, number=number, ward=ward)
            session.add(letter)
            session.flush()
            for code in letter_codes_:
                session.add(LetterCode(letter_id=letter.id,
                                       code_hash=letter_codes.digest(rt.settings.secret_key,
                                                                     code)))
            made.letters.append(letter.id)
            made.codes.append(tuple(letter_codes_))
    return made


def registrants(rt) -> list[Registrant]:
    """Every registrant, oldest first (detached: read their columns)."""
    with rt.sessions() as session:
        found = list(session.scalars(select(Registrant).order_by(Registrant.id)))
        session.expunge_all()
    return found
