"""Rows written as files: CSV (streamed a piece at a time, so a web response can send it as
it is made), JSON Lines and XLSX (in constant memory). Text a spreadsheet would run as a
formula is defused; numbers stay numbers. Used for exports of responses (staff/exports.py)
and the audit log's CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

import xlsxwriter

FORMATS = ("csv", "xlsx", "jsonl")
# OWASP's CSV-injection starts (= + - @ tab CR) and their full-width forms, which some
# spreadsheet locales read as the same.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
XLSX_MAX_ROWS = 1_048_576  # a worksheet's limit, header included


def defuse(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str | int | float | None:
    """A typed value as a spreadsheet cell: numbers stay numbers, lists are `;`-joined,
    text is defused."""
    if type(value) is str:  # the usual case first: a choice id or free text
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None or isinstance(value, bool):
        return None if value is None else ("yes" if value else "no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    return defuse(str(value))


class _Counted:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterable[dict]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict]:
        for row in self.rows:
            self.count += 1
            yield row


def csv_text(columns: tuple[str, ...], rows: Iterable[dict], batch: int = 500
             ) -> Iterator[str]:
    """The CSV as pieces of text (a web response can stream them): UTF-8's BOM first, so
    that Excel reads every script, then the header and a piece per `batch` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if (value := cell(row[c])) is None else value for c in columns])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(columns: tuple[str, ...], rows: Iterable[dict], fileobj: IO[str]) -> int:
    """Write the CSV to a text file (opened with encoding="utf-8", newline=""); returns the
    number of rows."""
    counted = _Counted(rows)
    for piece in csv_text(columns, counted):
        fileobj.write(piece)
    return counted.count


def jsonl_text(rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object per line, typed as stored (multi-choice as a list, null for none).
    Not defused: JSON is read by programs, not run by spreadsheets."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def write_jsonl(rows: Iterable[dict], fileobj: IO[str]) -> int:
    """Write JSON Lines to a text file (UTF-8); returns the number of rows."""
    counted = _Counted(rows)
    fileobj.writelines(jsonl_text(counted))
    return counted.count


def write_xlsx(columns: tuple[str, ...], rows: Iterable[dict], target: str | IO[bytes],
               title: str = "responses") -> int:
    """Write an XLSX workbook (a path or a binary file) in constant memory: text cells are
    always strings (never formulas, numbers or links), numbers numeric. Past a worksheet's
    1,048,576 rows the rows go on in another sheet. Returns the number of rows."""
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False})
    header = workbook.add_format({"bold": True})
    sheets = _Sheets(workbook, columns, title[:25] or "responses", header)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet, at = sheets.place(count)
        for col, name in enumerate(columns):
            value = cell(row[name])
            if isinstance(value, str):
                sheet.write_string(at, col, value)
            elif value is not None:
                sheet.write_number(at, col, value)
    workbook.close()
    return count


class _Sheets:
    """Worksheets in order, each with the header row, frozen, as rows need them."""

    def __init__(self, workbook, columns: tuple[str, ...], title: str, header):
        self.workbook, self.columns, self.title, self.header = workbook, columns, title, header
        self.sheets: list = []
        self._add()  # an empty export still has its header

    def place(self, n: int) -> tuple[Any, int]:
        """The sheet and row for data row `n` (1-based)."""
        per_sheet = XLSX_MAX_ROWS - 1
        index, at = divmod(n - 1, per_sheet)
        while len(self.sheets) <= index:
            self._add()
        return self.sheets[index], at + 1

    def _add(self) -> None:
        number = len(self.sheets) + 1
        sheet = self.workbook.add_worksheet(self.title if number == 1
                                            else f"{self.title} ({number})")
        for col, name in enumerate(self.columns):
            sheet.write_string(0, col, name, self.header)
        sheet.freeze_panes(1, 1)
        self.sheets.append(sheet)
