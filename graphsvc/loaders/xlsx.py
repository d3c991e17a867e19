"""Reading the tables of an Excel workbook, after checking the zip it is made of.

An ``.xlsx`` file is a zip of XML parts. Before openpyxl parses anything, the
zip's own directory is checked: the parts may expand to at most
:data:`EXPANSION_LIMIT` times the upload limit in all, no large part may be
compressed more than :data:`MAX_RATIO` times (a zip bomb), and no part may carry
a DTD (``<!DOCTYPE``), which a spreadsheet never needs and an attacker uses for
entity expansion. Every failure is a :class:`~graphsvc.errors.Problem`, never a
traceback.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Any

from graphsvc.errors import InputTooLarge, Problem
from graphsvc.loaders.tables import TABLES, RawTable, cell_value, start_table, table_name

EXPANSION_LIMIT = 4
"""A workbook's parts may hold at most this many times the upload size limit, uncompressed, in all."""
MAX_RATIO = 100
"""No part over :data:`RATIO_FLOOR` bytes may be compressed more than this many times."""
RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")


def _declares_dtd(part: Any) -> bool:
    """Whether an XML part declares a DTD anywhere in it, read in chunks (a chunk's end is kept to find a mark
    cut in two), so memory stays bounded whatever the part holds."""
    carry = b""
    while True:
        chunk = part.read(_CHUNK)
        if not chunk:
            return False
        text = (carry + chunk).upper()
        if any(mark in text for mark in _DTD_MARKS):
            return True
        carry = text[-(max(map(len, _DTD_MARKS)) - 1) :]


def check_zip(data: bytes, file: str, *, max_bytes: int) -> Problem | None:
    """A problem if ``data`` is not a zip, would expand too far, or carries a DTD; ``None`` if it may be parsed.

    The zip directory is read, then each XML part in chunks (a DTD may be declared anywhere in a part, not only
    at its head), so this is bounded in memory whatever the parts claim to hold; the expansion limit bounds the
    time.

    >>> check_zip(b"id,kind,name", "x.xlsx", max_bytes=1000).reason
    'not an .xlsx workbook (not a zip file): save it from Excel as .xlsx, or send CSV files'
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        reason = "not an .xlsx workbook (not a zip file): save it from Excel as .xlsx, or send CSV files"
        return Problem(file, None, None, reason)
    with archive:
        members = archive.infolist()
        expanded = sum(m.file_size for m in members)
        limit = EXPANSION_LIMIT * max_bytes
        if expanded > limit:
            reason = f"the workbook expands to {expanded} bytes, over the limit of {limit}; split it or send CSV files"
            return Problem(file, None, None, reason)
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                reason = (
                    f"part {member.filename!r} is compressed {ratio:.0f} times (the limit is {MAX_RATIO}): "
                    "this looks like a zip bomb, not a spreadsheet"
                )
                return Problem(file, None, None, reason)
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(member) as part:
                    declares = _declares_dtd(part)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
                return Problem(file, None, None, f"not a readable .xlsx workbook: part {member.filename!r}: {exc}")
            if declares:
                reason = (
                    f"part {member.filename!r} declares a DTD, which a workbook never needs; save it from Excel again"
                )
                return Problem(file, None, None, reason)
    return None


def read_xlsx_bytes(data: bytes, file: str, *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read the tables of an Excel workbook: one sheet per table, named after it.

    Every row counts toward ``max_rows``, blank ones too (they cost as much to read).
    """
    from openpyxl import load_workbook

    problem = check_zip(data, file, max_bytes=max_bytes)
    if problem is not None:
        return [], [problem]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook; each is a problem of this file
        return [], [Problem(file, None, None, f"not a readable .xlsx workbook: {_describe(exc)}")]
    tables: list[RawTable] = []
    problems: list[Problem] = []
    rows_read = 0
    line = 0
    title: str | None = None
    try:
        for sheet in workbook.worksheets:
            title = sheet.title
            line = 0
            table = table_name(sheet.title)
            if table is None:
                problems.append(
                    Problem(file, None, None, f"sheet {sheet.title!r} is not one of {', '.join(TABLES)}", sheet.title)
                )
                continue
            if getattr(sheet, "sheet_state", "visible") != "visible":
                reason = (
                    f"the sheet {sheet.title!r} is hidden: its rows would load without anyone having seen them; "
                    "unhide it in Excel to check them, or delete it"
                )
                problems.append(Problem(file, None, None, reason, sheet.title))
                continue
            declared = sheet.max_row  # from the sheet's <dimension>, if any: too many rows are refused unread
            if isinstance(declared, int) and declared - 1 > max_rows:
                reason = f"the sheet declares {declared} rows, more than {max_rows} (blank rows count too)"
                raise InputTooLarge([Problem(file, None, None, reason + "; split the workbook", sheet.title)])
            sheet.reset_dimensions()  # read every row, even past a <dimension> that says fewer
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            line = 1
            if header is None:
                continue
            raw, found = start_table(table, file, sheet.title, header)
            problems += found
            for line, values in enumerate(rows, start=2):
                rows_read += 1
                if rows_read > max_rows:
                    reason = f"more than {max_rows} rows (blank rows count too); split the workbook"
                    raise InputTooLarge([Problem(file, line, None, reason, sheet.title)])
                cells = [cell_value(v) for v in values]
                if all(v is None for v in cells):
                    continue
                raw.rows.append((line, {c: v for c, v in zip(raw.columns, cells, strict=False) if c}))
            tables.append(raw)
    except InputTooLarge:
        raise
    except Exception as exc:  # XML, zip and defusedxml errors from openpyxl: a problem of this file, no traceback
        problems.append(Problem(file, line or None, None, f"not a readable .xlsx workbook: {_describe(exc)}", title))
    finally:
        workbook.close()
    return tables, problems


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
