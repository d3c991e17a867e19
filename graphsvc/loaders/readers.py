"""Reading the tables from CSV files, an Excel workbook or one JSON document: one reader per file ending, in
:data:`FILE_READERS` (a new format is one entry there; a directory written by another tool is one entry of
:data:`graphsvc.loaders.formats.DIRECTORY_FORMATS`).

Readers never raise on bad content: they return what they could read and a list
of :class:`~graphsvc.errors.Problem` for the rest, so one report can name every
problem of every file.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from graphsvc.errors import InputTooLarge, Problem
from graphsvc.loaders.tables import (
    TABLES,
    RawTable,
    cell_value,
    column_name,
    missing_columns,
    start_table,
    table_name,
)
from graphsvc.loaders.xlsx import read_xlsx_bytes
from graphsvc.progress import Progress, Steps

ENCODING_ADVICE = "save it as 'CSV UTF-8' or a GBK/GB18030 CSV"


def _looks_chinese(data: bytes) -> bool:
    """Whether ``data`` reads better as GB18030 (of which GBK is a part) than as a Western code page.

    Nearly any byte string decodes as GB18030, Latin-1 text included (``Müller`` reads
    as ``M黮ler``). charset-normalizer measures how garbled each reading is; the
    Chinese one must be at least as clean as the Western one (ties go to Chinese,
    the files this tool is for).
    """
    from charset_normalizer import from_bytes

    chaos = {match.encoding: match.chaos for match in from_bytes(data, cp_isolation=["gb18030", "cp1252"])}
    return "gb18030" in chaos and chaos["gb18030"] <= min(chaos.values())


MAX_LINES_JUDGED = 1000
"""Most lines of one file whose reading as GB18030 is judged on its own (see :func:`_western_line`)."""


@functools.lru_cache(maxsize=65536)
def _ambiguous(char: str) -> bool:
    """Whether ``char``'s GB18030 bytes are what Western text read as GB18030 is made of: a lead byte and an
    ASCII trail (``é`` then ``e`` reads as ``閑``), or four bytes. Common Chinese (GB2312) is neither."""
    encoded = char.encode("gb18030")
    return len(encoded) == 4 or (len(encoded) == 2 and encoded[1] < 0x80)


def _western_line(data: bytes, text: str) -> int | None:
    """The first line of ``data`` (decoded as GB18030 into ``text``) that reads better as a Western code page,
    0 if the file as a whole does, else ``None``: the file is Chinese.

    Decided on all of the file's non-ASCII bytes, not a sample: first its lines with non-ASCII bytes together,
    then on its own each line holding a character a Western byte pair could have made (each distinct set of
    such characters once, at most :data:`MAX_LINES_JUDGED`), so a Latin-1 line after thousands of ASCII or
    Chinese lines is found.
    """
    non_ascii = b"\n".join(line for line in data.split(b"\n") if not line.isascii())
    if not _looks_chinese(non_ascii):
        return 0
    suspects = "".join(sorted(c for c in set(text) if not c.isascii() and _ambiguous(c)))
    if not suspects:
        return None
    pattern = re.compile("[" + re.escape(suspects) + "]")
    judged: set[frozenset[str]] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        found = frozenset(pattern.findall(line))
        if not found or found in judged:
            continue
        judged.add(found)
        if not _looks_chinese(line.encode("gb18030")):
            return number
        if len(judged) >= MAX_LINES_JUDGED:
            break
    return None


def decode_text(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    """Decode a CSV as Chinese Excel writes it: UTF-8 (with or without BOM), else GBK/GB18030.

    >>> decode_text("社区,拱北街道".encode("gb18030"), "x.csv")[0]
    '社区,拱北街道'
    >>> decode_text(b"\\xff\\xfei\\x00d\\x00", "x.csv")[1].reason[:40]
    'looks like UTF-16 or a binary file: save'
    >>> decode_text("name\\nMüller\\n".encode("latin-1"), "x.csv")[1].reason[:38]
    'not UTF-8 and not GBK/GB18030 text (th'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return None, Problem(file, None, None, f"looks like UTF-16 or a binary file: {ENCODING_ADVICE}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as utf8_error:
        line = data[: utf8_error.start].count(b"\n") + 1
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            reason = f"not UTF-8 and not GBK/GB18030 text (first bad byte at offset {utf8_error.start}): "
            return None, Problem(file, line, None, reason + ENCODING_ADVICE)
        western = _western_line(data, text)
        if western is None:
            return text, None
        reason = (
            f"not UTF-8 and not GBK/GB18030 text (this line reads as another encoding, such as Latin-1): "
            f"{ENCODING_ADVICE}"
        )
        return None, Problem(file, western or line, None, reason)


def read_csv_bytes(data: bytes, file: str, table: str, *, max_rows: int) -> tuple[RawTable | None, list[Problem]]:
    """Read one table from the bytes of a CSV file."""
    text, problem = decode_text(data, file)
    if text is None:
        return None, [problem] if problem else []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return None, [Problem(file, None, None, "the file is empty; the first line must name the columns")]
    except csv.Error as exc:
        return None, [Problem(file, 1, None, f"not a readable CSV header: {exc}")]
    raw, problems = start_table(table, file, None, header)
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
                raw.rows.append((line, {c: cell_value(v) for c, v in zip(raw.columns, values, strict=False) if c}))
            line = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            reason = "a quoted value opened on this line is never closed (a '\"' is missing)"
        elif "expected after" in str(exc):
            reason = f'unreadable CSV: {exc} (a \'"\' inside a value must be doubled: "")'
        else:
            reason = f"unreadable CSV: {exc}"
        problems.append(Problem(file, line, None, reason))
    return raw, problems


def _object_noting(duplicates: list[str]) -> Any:
    """A ``json`` object hook that keeps the first value of a key and notes each key seen twice."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                duplicates.append(key)
            else:
                obj[key] = value
        return obj

    return build


def _line_of_second(text: str, key: str) -> int | None:
    """The line of the second ``"key":`` in ``text`` (where a duplicate key most likely is)."""
    found = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    if len(found) < 2:
        return None
    return text.count("\n", 0, found[1].start()) + 1


def _attributes(table: str, key: str, value: Any) -> bool:
    """Whether ``value`` is an entity's ``attributes`` object (as ``export`` and the API write them)."""
    return table == "entities" and key == "attributes" and isinstance(value, dict)


MAX_NUMBER_CHARS = 100
"""Longest number a JSON document may write (digits, sign, point and exponent): every documented number is at most
1,000,000, and Python refuses to read integers of over 4,300 digits at all."""


class LongNumber(str):
    """A JSON number written with more than :data:`MAX_NUMBER_CHARS` characters, kept as its text to be refused."""

    def problem(self, file: str, line: int, field: str, table: str) -> Problem:
        reason = f"a number written with {len(self)} characters; numbers may have at most {MAX_NUMBER_CHARS}"
        return Problem(file, line, field, reason, table)


def _number(parse: Any) -> Any:
    def read(text: str) -> Any:
        return LongNumber(text) if len(text) > MAX_NUMBER_CHARS else parse(text)

    return read


def _long_numbers(file: str, line: int, table: str, record: dict[str, Any]) -> list[Problem]:
    """Problems for the numbers of ``record`` (and of its ``attributes`` object) written too long."""
    found = [(column_name(k), v) for k, v in record.items()]
    given = record.get("attributes")
    if isinstance(given, dict):
        found += [(f"attributes.{k}", v) for k, v in given.items()]
    return [v.problem(file, line, k, table) for k, v in found if isinstance(v, LongNumber)]


def read_json_bytes(data: bytes, file: str, *, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read one JSON document ``{"entities": [...], "links": [...], "needs": [...], "offers": [...]}``.

    A record's "line" in problems is its position in its list (1 = first).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(file, None, None, f"JSON must be UTF-8: {exc}")]
    duplicates: list[str] = []
    try:
        doc = json.loads(
            text, object_pairs_hook=_object_noting(duplicates), parse_int=_number(int), parse_float=_number(float)
        )
    except json.JSONDecodeError as exc:
        return [], [Problem(file, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
    except RecursionError:
        return [], [Problem(file, None, None, "not valid JSON here: lists or objects nested too deeply")]
    if duplicates:
        return [], [
            Problem(file, _line_of_second(text, key), key, f"key {key!r} appears twice in one object; keep one")
            for key in dict.fromkeys(duplicates)
        ]
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
            long_numbers = _long_numbers(file, index, table, record)
            if long_numbers:
                problems += long_numbers
                continue
            nested = [k for k, v in record.items() if isinstance(v, dict | list) and not _attributes(table, k, v)]
            for key in nested:
                problems.append(Problem(file, index, column_name(key), "must be text or a number", table))
            row = {column_name(k): cell_value(v) for k, v in record.items() if k not in nested}
            columns |= row.keys()
            raw.rows.append((index, row))
        raw.columns = sorted(columns)
        for col in TABLES[table][0]:
            missing = [line for line, row in raw.rows if col in missing_columns(table, _filled(row))]
            for line in missing:
                problems.append(Problem(file, line, col, f"missing required field {col!r}", table))
        tables.append(raw)
    return tables, problems


def _filled(row: dict[str, Any]) -> list[str]:
    return [k for k, v in row.items() if v is not None]


class FileReader(Protocol):
    """Reads the tables of one file from its bytes: what it could read, and a problem for the rest."""

    def __call__(
        self, data: bytes, file: str, *, max_bytes: int, max_rows: int
    ) -> tuple[list[RawTable], list[Problem]]: ...


def _read_csv_file(data: bytes, file: str, *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    table = table_name(Path(file).stem)
    if table is None:
        reason = f"a CSV file must be named after its table: {', '.join(t + '.csv' for t in TABLES)}"
        return [], [Problem(file, None, None, reason)]
    raw, problems = read_csv_bytes(data, file, table, max_rows=max_rows)
    return ([raw] if raw else []), problems


def _read_json_file(data: bytes, file: str, *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    return read_json_bytes(data, file, max_rows=max_rows)


FILE_READERS: dict[str, FileReader] = {".csv": _read_csv_file, ".xlsx": read_xlsx_bytes, ".json": _read_json_file}
"""File ending (lower case) -> its reader: the files a load reads, from the command line and from directories."""

SUFFIXES = tuple(FILE_READERS)


def read_bytes(data: bytes, file: str, *, max_bytes: int, max_rows: int) -> tuple[list[RawTable], list[Problem]]:
    """Read the tables of one file given its name and bytes (as an upload arrives), by its ending's reader.

    >>> read_bytes(b"x", "notes.txt", max_bytes=10, max_rows=10)[1][0].reason
    "unsupported file type '.txt': use .csv, .xlsx or .json"
    """
    if len(data) > max_bytes:
        raise InputTooLarge([Problem(file, None, None, f"{len(data)} bytes is over the limit of {max_bytes}")])
    suffix = Path(file).suffix.lower()
    reader = FILE_READERS.get(suffix)
    if reader is None:
        endings = ", ".join(FILE_READERS)
        endings = endings[::-1].replace(" ,", " ro ", 1)[::-1]
        return [], [Problem(file, None, None, f"unsupported file type {suffix or '(none)'!r}: use {endings}")]
    return reader(data, file, max_bytes=max_bytes, max_rows=max_rows)


OUTSIDE = (
    "a symbolic link to a file outside the directory: only the directory's own files are read from it; "
    "copy the file in, or name it on the command line"
)


def inside(path: Path, directory: Path) -> bool:
    """Whether ``path``, symbolic links followed, is a file inside ``directory`` (itself resolved)."""
    return path.resolve().is_relative_to(directory.resolve())


def input_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The files to read: each file given, and the .csv/.xlsx/.json files of each directory."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not found:
                problems.append(Problem(str(path), None, None, "no .csv, .xlsx or .json files in this directory"))
            outside = [p for p in found if not inside(p, path)]
            problems += [Problem(str(p), None, None, OUTSIDE) for p in outside]
            files += [p for p in found if p not in outside]
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, None, "no such file or directory"))
    return files, problems


def read_paths(
    paths: Iterable[Path], *, max_bytes: int, max_rows: int, progress: Progress | None = None
) -> tuple[list[RawTable], list[Problem]]:
    """Read every table of the given files and directories (``progress``: called with ``(files read, files)``)."""
    files, problems = input_files(paths)
    tables: list[RawTable] = []
    steps = Steps(progress, len(files))
    for path in files:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLarge([Problem(str(path), None, None, f"{size} bytes is over the limit of {max_bytes}")])
        found, found_problems = read_bytes(path.read_bytes(), str(path), max_bytes=max_bytes, max_rows=max_rows)
        tables += found
        problems += found_problems
        steps.advance()
    return tables, problems
