"""Reading the four tables from CSV files, an Excel workbook or one JSON document.

Readers never raise on bad content: they return what they could read and a list
of :class:`~graphsvc.errors.Problem` for the rest, so one report can name every
problem of every file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphsvc.errors import InputTooLarge, Problem
from graphsvc.loaders.tables import TABLES, RawTable, column_name, table_name

SUFFIXES = (".csv", ".xlsx", ".json")


def decode_text(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """Decode a CSV as Chinese Excel writes it: UTF-8 (with or without BOM), else GBK/GB18030.

    >>> decode_text("社区".encode("gb18030"), "x.csv")[0]
    '社区'
    >>> decode_text(b"\\xff\\xfei\\x00d\\x00", "x.csv")[1].reason[:40]
    'looks like UTF-16 or a binary file: save'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        reason = "looks like UTF-16 or a binary file: save it as 'CSV UTF-8' or a GBK/GB18030 CSV"
        return None, Problem(file, None, None, reason)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), None
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            reason = (
                f"not UTF-8 and not GBK/GB18030 text (first bad byte at offset {utf8_error.start}): "
                "save it as 'CSV UTF-8' or a GBK/GB18030 CSV"
            )
            return None, Problem(file, line, None, reason)


def _cell(value: Any) -> Any:
    """Normalise a spreadsheet or JSON value: blanks become ``None``, whole floats ints."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _start_table(table: str, file: str, sheet: str | None, header: Iterable[Any]) -> tuple[RawTable, list[Problem]]:
    columns = [column_name(h) for h in header]
    raw = RawTable(table=table, file=file, sheet=sheet, columns=columns)
    problems = []
    required = TABLES[table][0]
    for col in required:
        if col not in columns:
            problems.append(
                Problem(file, 1, col, f"missing required column {col!r} ({table} need: {', '.join(required)})", sheet)
            )
    seen: set[str] = set()
    for col in columns:
        if col in seen and col:
            problems.append(Problem(file, 1, col, f"column {col!r} appears twice", sheet))
        seen.add(col)
    return raw, problems


def read_csv_bytes(data: bytes, file: str, table: str, *, max_rows: int) -> tuple[RawTable | None, list[Problem]]:
    """Read one table from the bytes of a CSV file."""
    text, problem = decode_text(data, file)
    if text is None:
        return None, [problem] if problem else []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return None, [Problem(file, None, None, "the file is empty; the first line must name the columns")]
    except csv.Error as exc:
        return None, [Problem(file, 1, None, f"not a readable CSV header: {exc}")]
    raw, problems = _start_table(table, file, None, header)
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                if len(raw.rows) >= max_rows:
                    raise InputTooLarge([Problem(file, line, None, f"more than {max_rows} rows; split the file")])
                if len(values) > len(raw.columns):
                    problems.append(
                        Problem(
                            file, line, None, f"{len(values)} values but only {len(raw.columns)} columns in the header"
                        )
                    )
                raw.rows.append((line, {c: _cell(v) for c, v in zip(raw.columns, values, strict=False) if c}))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, None, f"unreadable CSV: {exc}"))
    return raw, problems


def read_xlsx_bytes(data: bytes, file: str, *, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read the tables of an Excel workbook: one sheet per table, named after it."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        return [], [Problem(file, None, None, f"not a readable .xlsx workbook: {exc}")]
    tables: list[RawTable] = []
    problems: list[Problem] = []
    try:
        for sheet in workbook.worksheets:
            table = table_name(sheet.title)
            if table is None:
                problems.append(
                    Problem(file, None, None, f"sheet {sheet.title!r} is not one of {', '.join(TABLES)}", sheet.title)
                )
                continue
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            raw, found = _start_table(table, file, sheet.title, header)
            problems += found
            for line, values in enumerate(rows, start=2):
                cells = [_cell(v) for v in values]
                if all(v is None for v in cells):
                    continue
                if len(raw.rows) >= max_rows:
                    raise InputTooLarge([Problem(file, line, None, f"more than {max_rows} rows", sheet.title)])
                raw.rows.append((line, {c: v for c, v in zip(raw.columns, cells, strict=False) if c}))
            tables.append(raw)
    finally:
        workbook.close()
    return tables, problems


def read_json_bytes(data: bytes, file: str, *, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read one JSON document ``{"entities": [...], "links": [...], "needs": [...], "offers": [...]}``.

    A record's "line" in problems is its position in its list (1 = first).
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return [], [Problem(file, None, None, f"JSON must be UTF-8: {exc}")]
    except json.JSONDecodeError as exc:
        return [], [Problem(file, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
    if not isinstance(doc, dict):
        return [], [
            Problem(file, None, None, f"the JSON document must be an object with lists named {', '.join(TABLES)}")
        ]
    tables: list[RawTable] = []
    problems: list[Problem] = []
    total = 0
    for key, records in doc.items():
        table = table_name(str(key))
        if table is None:
            problems.append(Problem(file, None, str(key), f"{key!r} is not one of {', '.join(TABLES)}"))
            continue
        if not isinstance(records, list):
            problems.append(Problem(file, None, table, "must be a list of objects", table))
            continue
        raw = RawTable(table=table, file=file, sheet=table)
        columns: set[str] = set()
        for index, record in enumerate(records, start=1):
            total += 1
            if total > max_rows:
                raise InputTooLarge([Problem(file, index, None, f"more than {max_rows} records", table)])
            if not isinstance(record, dict):
                problems.append(Problem(file, index, None, "each record must be an object", table))
                continue
            row = {column_name(k): _cell(v) for k, v in record.items()}
            columns |= row.keys()
            raw.rows.append((index, row))
        raw.columns = sorted(columns)
        for col in TABLES[table][0]:
            missing = [line for line, row in raw.rows if row.get(col) is None]
            for line in missing:
                problems.append(Problem(file, line, col, f"missing required field {col!r}", table))
        tables.append(raw)
    return tables, problems


def read_bytes(data: bytes, file: str, *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read the tables of one file given its name and bytes (as an upload arrives)."""
    if len(data) > max_bytes:
        raise InputTooLarge([Problem(file, None, None, f"{len(data)} bytes is over the limit of {max_bytes}")])
    suffix = Path(file).suffix.lower()
    if suffix == ".csv":
        table = table_name(Path(file).stem)
        if table is None:
            reason = f"a CSV file must be named after its table: {', '.join(t + '.csv' for t in TABLES)}"
            return [], [Problem(file, None, None, reason)]
        raw, problems = read_csv_bytes(data, file, table, max_rows=max_rows)
        return ([raw] if raw else []), problems
    if suffix == ".xlsx":
        return read_xlsx_bytes(data, file, max_rows=max_rows)
    if suffix == ".json":
        return read_json_bytes(data, file, max_rows=max_rows)
    return [], [Problem(file, None, None, f"unsupported file type {suffix or '(none)'!r}: use .csv, .xlsx or .json")]


def input_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to read: each file given, and the .csv/.xlsx/.json files of each directory."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                problems.append(Problem(str(path), None, None, "no .csv, .xlsx or .json files in this directory"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, None, "no such file or directory"))
    return files, problems


def read_paths(paths: Iterable[Path], *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read every table of the given files and directories."""
    files, problems = input_files(paths)
    tables: list[RawTable] = []
    for path in files:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLarge([Problem(str(path), None, None, f"{size} bytes is over the limit of {max_bytes}")])
        found, found_problems = read_bytes(path.read_bytes(), str(path), max_bytes=max_bytes, max_rows=max_rows)
        tables += found
        problems += found_problems
    return tables, problems
