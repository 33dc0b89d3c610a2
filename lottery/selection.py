"""The selection (`outreach lottery select`) and the replacement draw (`outreach lottery
replace`), by the Sortition Foundation's library run as a separate program (lottery/library.py).

Select: every registrant still `registered` goes to the library as one row (id = registrant
id; household = their letter, one person per household; one column per target dimension with
their category, lottery/targets.py); it draws the panel, then a second run draws the reserves
from who is left by the library's legacy algorithm (their targets: min 0, max = ceil(panel
max × reserves / panel), the dimension's `not_stated` max the reserves), households of the
panel left out. Nothing is
sent to anyone here: the worker asks the selected to confirm.

Replace: the places of those who declined, did not answer or dropped out are drawn from the
remaining pool (registered and reserves), the kept panel (selected, confirmed) passed to the
library so their households are left out. The library does not lower its quotas for them in
0.12.15, so the targets are adjusted here (min − kept, max − kept, never below 0); a target the
pool can no longer meet is relaxed to what it can, and each is said.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lottery import library
from lottery.targets import NOT_STATED, Dimension, categories_of, loaded
from store.models import Answer, Registrant, Run
from store.models import Draw as LetterDraw

POOL = ("registered",)
KEPT = ("selected", "confirmed")
LEFT = ("declined", "no_answer", "dropped")
REPLACE_POOL = ("registered", "reserve")
DRAWN = ("selected", "reserve", *KEPT, *LEFT)  # any of these: a selection exists
# Reserves only stock the replacement's pool: the library's original (legacy) draw meets
# their targets in a second, where maximin would take as long again as the panel did
RESERVES_ALGORITHM = "legacy"
Quota = tuple[str, str, int, int]  # dimension, category, min, max


class SelectionError(RuntimeError):
    """Why nothing was selected, in plain words."""


@dataclass(frozen=True)
class Person:
    id: int
    household: int
    categories: dict[str, str]

    def row(self) -> dict[str, str]:
        """The person as the library reads them (no name, no answer beyond categories)."""
        return {library.ID: str(self.id), library.HOUSEHOLD: str(self.household),
                **self.categories}


@dataclass
class Draw:
    """What one run drew and the figures of its report (no names, no ids)."""

    run: Run
    chosen: list[int] = field(default_factory=list)
    reserves: list[int] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Library:
    """The library's command, version and algorithm for a run."""

    command: Sequence[str]
    version: str
    algorithm: str
    backend: str = "highspy"

    def run(self, quota, rows, features, wanted, seed, already=(), algorithm=None):
        """One run of the library with these settings."""
        return library.run(self.command, quota, rows, features, wanted,
                           algorithm or self.algorithm, seed, already, self.backend)


def people(session: Session, dims: Mapping[str, Dimension], statuses: Sequence[str]
           ) -> list[Person]:
    """Registrants of these statuses with their categories, by id (from the answers of
    their registration: registrant.response_id)."""
    found = session.execute(select(Registrant.id, Registrant.letter_id)
                            .where(Registrant.status.in_(statuses))
                            .order_by(Registrant.id)).all()
    answers: dict[int, dict[str, object]] = defaultdict(dict)
    for rid, qid, value in session.execute(
            select(Registrant.id, Answer.question_id, Answer.value)
            .join(Answer, Answer.response_id == Registrant.response_id)
            .where(Registrant.status.in_(statuses))):
        answers[rid][qid] = value
    return [Person(rid, letter, categories_of(dims, answers[rid])) for rid, letter in found]


def quotas(session: Session, dims: Mapping[str, Dimension], panel: int) -> list[Quota]:
    """The loaded targets as the library's rows, each dimension's `not_stated` added (min 0,
    max the panel) where the file left it out; SelectionError when none are loaded or they
    were set for another panel."""
    rows = loaded(session)
    if not rows:
        raise SelectionError("no targets are loaded: propose them with `outreach lottery "
                             "targets --out targets.csv`, review, then `outreach lottery "
                             "targets --load targets.csv`")
    if rows[0].panel != panel:
        raise SelectionError(f"the targets were set for a panel of {rows[0].panel}, not "
                             f"{panel}: load targets for {panel} (`outreach lottery targets "
                             f"--panel {panel}`)")
    unknown = sorted({r.dimension for r in rows} - set(dims))
    if unknown:
        raise SelectionError(f"targets for {', '.join(unknown)}, which the registration "
                             "survey does not ask: load targets again")
    found = [(r.dimension, r.category, r.min, r.max) for r in rows]
    for dim in dict.fromkeys(r.dimension for r in rows):
        if not any(d == dim and c == NOT_STATED for d, c, _, _ in found):
            found.append((dim, NOT_STATED, 0, panel))
    return found


def select_panel(session: Session, dims: Mapping[str, Dimension], lib: Library, *,
                 panel: int, reserves: int, seed: str, again: bool, now: datetime,
                 close_now: bool = False, zone: ZoneInfo | None = None) -> Draw:
    """Draw the panel and the reserves, record the run, mark who was drawn. Refused while
    any draw's registration is open, unless `close_now` closes them all first."""
    quota = quotas(session, dims, panel)
    _refuse_second(session, again, now)
    closed = close_registration(session, now, close_now, zone or ZoneInfo("UTC"))
    pool = people(session, dims, POOL)
    features = sorted(dict.fromkeys(d for d, _, _, _ in quota))
    number = library.seed_number(seed)
    rows = [p.row() for p in pool]
    try:
        drawn = lib.run(quota, rows, features, panel, number)
    except library.LibraryFailed as exc:
        raise SelectionError(f"the library could not select {panel} meeting the targets: "
                             f"{exc}") from exc
    chosen = {int(i) for i in drawn.selected}
    left = [r for r in rows if int(r[library.ID]) not in chosen]
    kept = [r for r in rows if int(r[library.ID]) in chosen]
    wanted = min(reserves, len({r[library.HOUSEHOLD] for r in left}
                               - {r[library.HOUSEHOLD] for r in kept}))
    spare: set[int] = set()
    if wanted:
        scaled = [(d, c, 0, reserves if c == NOT_STATED else math.ceil(hi * reserves / panel))
                  for d, c, _, hi in quota]
        try:
            extra = lib.run(scaled, left, features, wanted, number, kept, RESERVES_ALGORITHM)
        except library.LibraryFailed as exc:
            raise SelectionError(f"the panel was drawn but not the {wanted} reserves, so "
                                 f"nothing was kept: {exc}") from exc
        spare = {int(i) for i in extra.selected}
    run = Run(kind="select", seed=seed, wanted=panel, reserves=len(spare),
              algorithm=lib.algorithm, library_version=lib.version, created_at=now)
    session.add(run)
    session.flush()
    by_id = {p.id: p for p in pool}
    for registrant in session.scalars(select(Registrant).where(Registrant.id.in_(by_id))):
        registrant.run_id, registrant.probability = run.id, drawn.probabilities.get(
            str(registrant.id))
        if registrant.id in chosen or registrant.id in spare:
            registrant.status = "selected" if registrant.id in chosen else "reserve"
            registrant.status_at = now
    run.report = figures(run, lib, number, quota, pool, [by_id[i] for i in chosen],
                         drawn.probabilities, reserves=len(spare), asked_reserves=reserves)
    return Draw(run, sorted(chosen), sorted(spare), closed=closed)


def close_registration(session: Session, now: datetime, close_now: bool, zone: ZoneInfo
                       ) -> list[str]:
    """Registration must be over before the draw, or someone could register after it and
    wait for ever: SelectionError naming each draw still open (closing in the future, or
    never), unless `close_now`, which closes them at `now` (a code typed after reads
    "closed"); what was closed, in words."""
    found = list(session.scalars(select(LetterDraw).where(
        (LetterDraw.closes_at.is_(None)) | (LetterDraw.closes_at > now)).order_by(LetterDraw.id)))
    if found and not close_now:
        raise SelectionError("registration is still open: " + "; ".join(
            f"draw {d.id} ({d.letters:,} letters) closes {closing_words(d.closes_at, zone)}"
            for d in found) + ". Select after it closes, or give --close-now to close it "
            "now (no code registers after)")
    said = [f"draw {d.id} ({d.letters:,} letters), which was to close "
            f"{closing_words(d.closes_at, zone)}" for d in found]
    for draw in found:
        draw.closes_at = now
    return said


def _refuse_second(session: Session, again: bool, now: datetime) -> None:
    drawn = list(session.scalars(select(Registrant).where(Registrant.status.in_(DRAWN))))
    if not drawn:
        return
    if not again:
        raise SelectionError(f"a selection exists ({len(drawn)} drawn): `outreach lottery "
                             "replace` fills places left; `select --again` draws anew while "
                             "nobody has been asked yet")
    if any(r.asked_at is not None or r.status not in ("selected", "reserve") for r in drawn):
        raise SelectionError("selected people have already been asked to confirm: a new "
                             "selection would go back on that. Use `outreach lottery replace`")
    for registrant in drawn:
        registrant.status, registrant.status_at, registrant.probability = "registered", now, None


def closing_words(moment: datetime | None, zone: ZoneInfo, *, unset: str = "at no set time",
                  zone_named: bool = True) -> str:
    """A closing time as people say it: the end of a day rather than the next midnight
    (the staff page's too, lottery/standing.py, which names no zone)."""
    if moment is None:
        return unset
    local = moment.astimezone(zone)
    named = f" ({zone.key})" if zone_named else ""
    if local.time() == time():
        return f"at the end of {local - timedelta(days=1):%d %b %Y}{named}"
    return f"on {local:%d %b %Y} at {local:%H:%M}{named}"


def replace(session: Session, dims: Mapping[str, Dimension], lib: Library, *,
            seed: str | None, now: datetime) -> Draw:
    """Fill the places left by declined / no_answer / dropped from the remaining pool,
    keeping every target the pool still can; record the run, mark the newcomers selected."""
    first = session.scalar(select(Run).where(Run.kind == "select").order_by(Run.id.desc()))
    if first is None:
        raise SelectionError("nothing to replace: no selection yet (`outreach lottery select`)")
    panel = first.wanted
    kept = people(session, dims, KEPT)
    wanted = panel - len(kept)
    if wanted <= 0:
        raise SelectionError(f"the panel is full: {len(kept)} selected or confirmed of {panel}")
    houses = {p.household for p in kept}
    pool = [p for p in people(session, dims, REPLACE_POOL) if p.household not in houses]
    if not pool:
        raise SelectionError(f"{wanted} place(s) to fill and nobody left who could be drawn")
    wanted = min(wanted, len({p.household for p in pool}))
    quota, relaxed = adjusted(quotas(session, dims, panel), kept, pool, wanted)
    count = session.scalar(select(func.count()).select_from(Run).where(Run.kind == "replace"))
    seed = seed or f"{first.seed}/replace-{count + 1}"
    number = library.seed_number(seed)
    features = sorted(dict.fromkeys(d for d, _, _, _ in quota))
    try:
        drawn = lib.run(quota, [p.row() for p in pool], features, wanted, number,
                        [p.row() for p in kept])
    except library.LibraryFailed as exc:
        raise SelectionError(f"the library could not fill {wanted} place(s): {exc}") from exc
    chosen = sorted(int(i) for i in drawn.selected)
    run = Run(kind="replace", seed=seed, wanted=wanted, reserves=0, algorithm=lib.algorithm,
              library_version=lib.version, created_at=now)
    session.add(run)
    session.flush()
    for registrant in session.scalars(select(Registrant).where(Registrant.id.in_(chosen))):
        registrant.status, registrant.status_at, registrant.run_id = "selected", now, run.id
        registrant.probability = drawn.probabilities.get(str(registrant.id))
    by_id = {p.id: p for p in pool}
    run.report = figures(run, lib, number, quotas(session, dims, panel), [*kept, *pool],
                         [*kept, *(by_id[i] for i in chosen)], drawn.probabilities,
                         relaxed=relaxed, adjusted=quota, kept=len(kept))
    return Draw(run, chosen, relaxed=relaxed)


def adjusted(quota: list[Quota], kept: Sequence[Person], pool: Sequence[Person], wanted: int
             ) -> tuple[list[Quota], list[str]]:
    """The targets less the kept panel (min − kept, max − kept, floor 0), each min the pool
    cannot meet relaxed to what it can, each dimension's mins brought within `wanted`; and
    what was relaxed, in words."""
    held = Counter((d, p.categories[d]) for p in kept for d in p.categories)
    free = Counter((d, p.categories[d]) for p in pool for d in p.categories)
    found, said = [], []
    for dim, cat, low, high in quota:
        k, a = held[dim, cat], free[dim, cat]
        new_low, new_high = max(0, low - k), max(0, high - k)
        if k > high:
            said.append(f"{dim} {cat}: {k} kept, over its max of {high}")
        if new_low > a:
            said.append(f"{dim} {cat}: min {low} can no longer be kept: {k} kept and only "
                        f"{a} left who could be drawn, so at most {k + a}")
            new_low = a
        found.append((dim, cat, new_low, new_high))
    for dim in dict.fromkeys(d for d, _, _, _ in found):
        excess = sum(lo for d, _, lo, _ in found if d == dim) - wanted
        while excess > 0:
            i = max((i for i, q in enumerate(found) if q[0] == dim), key=lambda i: found[i][2])
            d, c, lo, hi = found[i]
            found[i] = (d, c, lo - 1, hi)
            excess -= 1
            said.append(f"{d} {c}: min lowered by one, as the {wanted} place(s) left cannot "
                        "hold every min")
    return found, said


def figures(run: Run, lib: Library, number: int, quota: list[Quota], pool: Sequence[Person],
            panel: Sequence[Person], probabilities: Mapping[str, float], **extra) -> dict:
    """The run's report (Run.report): targets with registrations and selected per category,
    the probabilities without ids, the seed, the library. Counts here are raw; the page
    suppresses them (lottery/report.py)."""
    registered = Counter((d, p.categories[d]) for p in pool for d in p.categories)
    chosen = Counter((d, p.categories[d]) for p in panel for d in p.categories)
    return {"kind": run.kind, "seed": run.seed, "seed_number": number,
            "algorithm": lib.algorithm, "solver": lib.backend, "library": library.DISTRIBUTION,
            "version": lib.version, "date": run.created_at.isoformat(), "wanted": run.wanted,
            "pool": len(pool), "panel": len(panel),
            "targets": [[d, c, lo, hi, registered[d, c], chosen[d, c]]
                        for d, c, lo, hi in quota],
            "probabilities": sorted(round(p, 6) for p in probabilities.values()),
            **{k: [list(q) for q in v] if k == "adjusted" else v for k, v in extra.items()}}
