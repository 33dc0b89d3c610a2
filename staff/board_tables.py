"""The dashboard's tables as rows of text, exactly as the page shows them: the page draws
these, and `/staff/dashboard/<name>.csv?survey=SLUG` writes the same rows through
staff/writers.py (formula cells defused). A hidden count keeps its text ("fewer than 5",
"not shown"), so a download never tells more than the page."""

from __future__ import annotations

from dataclasses import dataclass

from bot import suppress
from staff import charts, heard
from staff.dashboard import Dashboard

STATUS = {"under": "under-represented", "over": "over-represented", "even": "in line"}


@dataclass(frozen=True)
class Table:
    name: str  # its file: <name>.csv
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def records(self) -> list[dict[str, str]]:
        """The rows as the CSV writer takes them."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def status_text(row: heard.Row) -> str:
    """A row's verdict in words ("under-represented"), "" when none can be given."""
    return STATUS.get(row.status or "", "")


def tables(board: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard, by name, in the page's order."""
    found = [where_next(board), unreached(board)]
    if board.survey is not None:
        found += [_chart("weeks", board.by_week, "Week starting"),
                  _chart("channels", board.by_channel, "Channel"),
                  _chart("languages", board.by_language, "Language"), wards(board),
                  engagers(board), heard_rows(board)]
    return {t.name: t for t in found if t is not None}


def where_next(board: Dashboard) -> Table:
    rows = tuple(
        (m.row.label, m.survey, m.comparison.title, m.citation, m.row.cell.text, m.heard_text,
         m.row.reference_text, m.row.to_parity_text,
         "; ".join(f"{r.label}: {r.text}" for r in m.channels),
         "; ".join(f"{r.label}: {r.text}" for r in m.engagers))
        for m in (board.next.missing if board.next else []))
    return Table("where-next", "Where to go next: the groups most under-heard",
                 ("Group", "Survey", "Compared with", "Table", "People", "Heard", "Reference share",
                  "More responses to parity", "Channels that reached it",
                  "Engagers who reached it"), rows)


def unreached(board: Dashboard) -> Table:
    rows = []
    for u in board.next.unreached if board.next else []:
        rows += [(u.survey, u.comparison.title, label, "none") for label in u.none]
        rows += [(u.survey, u.comparison.title, label, suppress.FEWER) for label in u.few]
    return Table("unreached", f"No one (or {suppress.FEWER}) answered from",
                 ("Survey", "Table", "Category", "Responses"), tuple(rows))


def _chart(name: str, chart: charts.Chart | None, first: str) -> Table | None:
    if chart is None:
        return None
    return Table(name, chart.title, (first, "Responses"),
                 tuple((bar.label, bar.text) for bar in chart.bars))


def wards(board: Dashboard) -> Table:
    """Responses by ward, as compared (the table's name first where there are several)."""
    several = len(board.wards) > 1
    rows = tuple(((c.title,) if several else ()) + (r.label, r.cell.text, r.cell.share_text)
                 for c in board.wards for r in c.rows)
    return Table("wards", "Responses by ward",
                 (("Table",) if several else ()) + ("Ward", "Responses", "Share"), rows)


def engagers(board: Dashboard) -> Table:
    return Table("engagers", "Responses by engager", ("Engager", "Responses"),
                 tuple((c.label, c.text) for c in board.by_engager))


def heard_rows(board: Dashboard) -> Table:
    """Every comparison's rows, with its table's citation: the dashboard's side of "the
    dashboard equals the pack"."""
    rows = []
    for c in board.comparisons:
        if not c.shown:
            continue
        t = c.table
        rows += [(c.title, t.table, t.date, t.base, t.url, r.label, r.cell.text,
                  r.cell.share_text, "" if r.reference is None else r.reference_text,
                  status_text(r), r.to_parity_text) for r in c.rows]
    return Table("heard", "Who we have heard from",
                 ("Comparison", "Table", "Date", "Base", "Source", "Group", "People", "Share",
                  "Reference share", "Status", "More responses to parity"), tuple(rows))
