"""Where the civic lottery stands, as plain data: the draws (letters, codes, when
registration closes), registrations so far (by channel, language, draw), registrations
against each reviewed target, registrations per 100 letters by the letters' ward (where to
send more letters), and once people are selected, the panel's state. Queries only: the
staff page (lottery/views.py) and `outreach lottery status` (lottery/status.py) both show
`tables(build(...))`, so they can never disagree, and a CSV download is the same rows.

No name, phone number or code is read here: only counts, the survey's categories and the
letters' wards. Every count of people goes through bot/suppress.py (the project's one
rule): 1 to 4 reads "fewer than 5", and a count that could be worked out from the others
and a total shown reads "not shown"; a target's verdict is said only where the hidden
count's text allows it. The panel's places to fill are seats, not people: always a number,
with a note where they tell a hidden count by status (Panel.note).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assembly.lottery import Lottery
from assembly.place import Place
from bot import suppress
from lottery import selection
from lottery import targets as lottery_targets
from staff.board_tables import Table
from staff.counts import channel, language
from store.models import Draw, Letter, LetterCode, Registrant, Run, Target

SHORT, ENOUGH, MAYBE = "short of the minimum", "enough", "may be short"
NOT_IN_A_TARGET = "No answer, or in no target"
NOT_STATED = "Prefer not to say, or not answered"  # a dimension's `not_stated` category
NO_WARD = "no ward on the letter"
# Registrant.status as staff read it, in the order a registrant moves through them.
STATUSES = {"registered": "In the pool", "selected": "Selected, waiting for an answer",
            "confirmed": "Confirmed", "declined": "Declined", "no_answer": "No answer in time",
            "dropped": "Dropped out", "reserve": "Reserve", "not_selected": "Not selected"}
ON_THE_PANEL = ("selected", "confirmed")


# What is shown ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRow:
    number: int
    letters: int
    codes: int
    closes: datetime | None
    open: bool
    registered: suppress.Cell
    closes_text: str  # local: "on 20 Jan 2027 at 10:00", "at the end of 28 Feb 2027"


@dataclass(frozen=True)
class TargetRow:
    dimension: str
    category: str  # as the place calls it
    min: int | None  # None: the row of those in no target
    max: int | None
    registered: suppress.Cell
    status: str


@dataclass(frozen=True)
class WardRow:
    ward: str
    letters: int
    registered: suppress.Cell

    @property
    def per_100_text(self) -> str:
        """Registrations per 100 letters, only where the count itself is shown."""
        if self.registered.suppressed or not self.letters:
            return ""
        return f"{100 * self.registered.count / self.letters:.1f}"


@dataclass(frozen=True)
class Panel:
    size: int  # the latest selection's panel (Run.wanted), else the assembly file's
    statuses: suppress.Table  # every registrant by status (STATUSES), one table
    to_fill: int  # seats on the panel nobody holds or is asked for: a count of seats
    gives_away: bool  # with the size, to_fill lets a count hidden above be worked out

    @property
    def to_fill_text(self) -> str:
        return f"{self.to_fill:,}"

    @property
    def note(self) -> str:
        """Why "places to fill" is a number even where it tells a hidden count."""
        said = ("Places to fill counts seats, not people: the panel's size less those "
                "selected or confirmed, so it is shown as a number.")
        if self.gives_away:
            said += (" With the panel's size it tells how many are on the panel, and so "
                     "a count the table hides. It is shown all the same: those are counts "
                     "of everyone by where they stand, with nothing about who they are (no "
                     "ward, no category, no date), so they cannot point at anyone.")
        return said


@dataclass(frozen=True)
class Standing:
    draws: tuple[DrawRow, ...]
    open: bool  # registration is open for some draw now
    total: int
    by_channel: suppress.Table
    by_language: suppress.Table
    targets: tuple[TargetRow, ...]
    wards: tuple[WardRow, ...]
    panel: Panel | None  # None until anyone is selected

    @property
    def total_text(self) -> str:
        return suppress.count_text(self.total)

    @property
    def targets_by_dimension(self) -> list[tuple[str, list[TargetRow]]]:
        """The target rows, one list per dimension, in their order."""
        found: dict[str, list[TargetRow]] = {}
        for row in self.targets:
            found.setdefault(row.dimension, []).append(row)
        return list(found.items())


def build(session: Session, lottery: Lottery, place: Place, zone: ZoneInfo,
          now: datetime) -> Standing:
    """Everything the page and `lottery status` show, as of `now`."""
    people = session.execute(
        select(Registrant.id, Registrant.status, Registrant.channel, Registrant.language,
               Letter.draw_id, Letter.ward)
        .join(Letter, Letter.id == Registrant.letter_id)).all()
    total = len(people)
    draws = _draws(session, people, lottery, zone, now)
    return Standing(
        draws=draws, open=any(d.open for d in draws), total=total,
        by_channel=suppress.table(_ranked(Counter(channel(p.channel) for p in people))),
        by_language=suppress.table(_ranked(Counter(language(p.language) for p in people))),
        targets=_targets(session, people, place),
        wards=_wards(session, people),
        panel=_panel(session, people, lottery))


def _ranked(counts: Counter) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def closes_at(draw: Draw, lottery: Lottery, zone: ZoneInfo) -> datetime | None:
    """When a draw's registration closes: its own time, else the end of the lottery
    section's `closes` day (local time); None when neither says."""
    if draw.closes_at is not None:
        return draw.closes_at
    if lottery.closes is None:
        return None
    return _end_of(lottery.closes, zone)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)


def _draws(session: Session, people, lottery: Lottery, zone: ZoneInfo, now: datetime
           ) -> tuple[DrawRow, ...]:
    codes = dict(session.execute(select(Letter.draw_id, func.count(LetterCode.id))
                                 .join(LetterCode, LetterCode.letter_id == Letter.id)
                                 .group_by(Letter.draw_id)).all())
    draws = list(session.scalars(select(Draw).order_by(Draw.id)))
    by_draw = Counter(p.draw_id for p in people)
    cells = suppress.table({str(d.id): by_draw.get(d.id, 0) for d in draws}).cells
    rows = []
    for draw, cell in zip(draws, cells, strict=True):
        closes = closes_at(draw, lottery, zone)
        rows.append(DrawRow(draw.id, draw.letters, codes.get(draw.id, 0), closes,
                            closes is None or now < closes, cell, _when(closes, zone)))
    return tuple(rows)


def _targets(session: Session, people, place: Place) -> tuple[TargetRow, ...]:
    """Each target with the registrations in its category, one suppressed table per
    dimension (with the row of those in none of its targets, so that the rows add up to
    every registration and none can be worked out from the total). A registrant's category
    is the one the selection gives them (lottery/targets.py `Dimension.of`, through
    `selection.people`): the page counts what the draw will count."""
    targets = list(session.scalars(select(Target).order_by(Target.dimension, Target.id)))
    if not targets:
        return ()
    try:
        dims = lottery_targets.dimensions(lottery_targets.registration_survey(session), place)
    except lottery_targets.TargetsError:
        dims = {}
    mapped = {p.id: p.categories
              for p in selection.people(session, dims, tuple(STATUSES))}
    rows: list[TargetRow] = []
    for dimension in dict.fromkeys(t.dimension for t in targets):
        mine = [t for t in targets if t.dimension == dimension]
        counts = Counter()
        for p in people:
            category = mapped.get(p.id, {}).get(dimension)
            counts[next((t.id for t in mine if t.category == category), None)] += 1
        # Those in no target can be counted only where some category has no target (or
        # the survey no longer asks about the dimension): else the row is always none.
        rest = dimension not in dims or bool(
            set(dims[dimension].names) - {t.category for t in mine})
        table = suppress.table({**{str(t.id): counts.get(t.id, 0) for t in mine},
                                **({NOT_IN_A_TARGET: counts.get(None, 0)} if rest else {})},
                               len(people))
        labels = {c.name: c.label for c in dims[dimension].categories} if dimension in dims else {}
        for t, cell in zip(mine, table.cells, strict=False):
            label = category_label(place, dimension, t.category, labels.get(t.category))
            rows.append(TargetRow(dimension, label, t.min, t.max, cell, verdict(cell, t.min)))
        if rest:
            rows.append(TargetRow(dimension, NOT_IN_A_TARGET, None, None, table.cells[-1], ""))
    return tuple(rows)


def category_label(place: Place, dimension: str, category: str, words: str | None = None
                   ) -> str:
    """A target's category in the place's words ("Female", a group's heading); else the
    survey's `words` for it (a band joining two of the place's: "16 to 24"); the
    dimension's `not_stated` in words too."""
    if category == lottery_targets.NOT_STATED:
        return NOT_STATED
    for table in place.tables_for(dimension):
        if category in table.groups:
            return table.groups[category]
        for c in table.categories:
            if c.id == category:
                return c.label
    return words or category


def verdict(cell: suppress.Cell, least: int) -> str:
    """Whether a category has at least its minimum registered, said only as far as the
    count's text allows: "fewer than 5" is short only when even 4 would be."""
    if not cell.suppressed:
        return ENOUGH if cell.count >= least else SHORT
    low, high = (suppress.THRESHOLD, None) if cell.secondary else (1, suppress.MOST_HIDDEN)
    if low >= least:
        return ENOUGH
    return SHORT if high is not None and high < least else MAYBE


def _wards(session: Session, people) -> tuple[WardRow, ...]:
    """Letters and registrations by the letters' ward, in the wards' order (not by rate:
    an order by a hidden count would hint at it)."""
    letters = dict(session.execute(select(Letter.ward, func.count()).group_by(Letter.ward))
                   .all())
    if not letters:
        return ()
    registered = Counter(p.ward for p in people)
    wards = sorted(letters, key=lambda w: (w is None, w or ""))
    table = suppress.table({w or NO_WARD: registered.get(w, 0) for w in wards}, len(people))
    return tuple(WardRow(w or NO_WARD, letters[w], cell)
                 for w, cell in zip(wards, table.cells, strict=True))


def _panel(session: Session, people, lottery: Lottery) -> Panel | None:
    """The panel's state: its size is the latest selection's (`select --panel N`), else
    the assembly file's. Places to fill is a count of seats (size less those on the
    panel) and always a number; `gives_away` says when, with the size, it would let a
    count the table hides be worked out (one of those on the panel, or the only other
    hidden status). Those are counts by status alone, crossed with nothing about anyone,
    so the page shows it and says why."""
    counts = Counter(p.status for p in people)
    if not set(counts) - {"registered"}:
        return None
    size = session.scalar(select(Run.wanted).where(Run.kind == "select")
                          .order_by(Run.id.desc()).limit(1)) or lottery.panel
    statuses = suppress.table({label: counts.get(status, 0)
                               for status, label in STATUSES.items()}, len(people))
    held = [status in ON_THE_PANEL for status in STATUSES]
    hidden_held = sum(c.suppressed for c, h in zip(statuses.cells, held, strict=True) if h)
    hidden_rest = sum(c.suppressed for c, h in zip(statuses.cells, held, strict=True) if not h)
    to_fill = max(0, size - sum(counts.get(status, 0) for status in ON_THE_PANEL))
    return Panel(size, statuses, to_fill, bool(hidden_held) or hidden_rest == 1)


# The rows every reader shows -------------------------------------------------------------


def tables(standing: Standing) -> dict[str, Table]:
    """The page's tables, by name, in its order: what the page draws, `lottery status`
    prints and `/staff/lottery/<name>.csv` writes."""
    found = [
        Table("draws", "Letters sent", ("Draw", "Letters", "Codes", "Registration closes",
                                        "Registered"),
              tuple((f"#{d.number}", f"{d.letters:,}", f"{d.codes:,}",
                     d.closes_text + ("" if d.open else " (closed)"),
                     d.registered.text) for d in standing.draws)),
        _counted("channels", "Registrations by channel", "Channel", standing.by_channel),
        _counted("languages", "Registrations by language", "Language", standing.by_language),
        Table("targets", "Registrations against the targets",
              ("Dimension", "Category", "Minimum", "Maximum", "Registered", "Status"),
              tuple((t.dimension.replace("_", " "), t.category, _number(t.min),
                     _number(t.max), t.registered.text, t.status) for t in standing.targets)),
        Table("wards", "Registrations per 100 letters, by the letters' ward",
              ("Ward", "Letters", "Registered", "Per 100 letters"),
              tuple((w.ward, f"{w.letters:,}", w.registered.text, w.per_100_text)
                    for w in standing.wards)),
    ]
    if standing.panel is not None:
        found.append(Table("panel", f"The panel of {standing.panel.size}", ("Status", "People"),
                           tuple((c.label, c.text) for c in standing.panel.statuses.cells)
                           + (("Places to fill", standing.panel.to_fill_text),)))
    return {t.name: t for t in found}


def _counted(name: str, title: str, first: str, table: suppress.Table) -> Table:
    return Table(name, title, (first, "Registrations", "Share"),
                 tuple((c.label, c.text, c.share_text) for c in table.cells))


def _number(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A closing time as the page says it (selection.closing_words, without the zone)."""
    return selection.closing_words(moment, zone, unset="not set", zone_named=False)
