"""Reading an Open Referral HSDS directory: its tables as rows that remember their file and line.

HSDS (the Human Services Data Specification) comes as one table per object, in
CSV or JSON, under names that changed between versions: ``organizations.csv``
and ``physical_address.csv`` in 1.x, ``organization.csv`` and ``address.csv``
in 3.0, ``addresses.csv`` in the Ohana API's export. :data:`TABLE_NAMES` maps
every accepted file name to one canonical table; :func:`read_hsds_tables`
reads the tables graphsvc uses and lists the files it leaves aside.

JSON files hold a list of records (or ``{"contents": [...]}``, as the 3.0 API
pages them). Nested objects -- a service's ``organization``, ``service_areas``
and ``attributes``, a location's ``addresses`` -- become rows of their own
table, linked to their parent, so the nested and the tabular forms read alike.

>>> table_of("physical_address.csv"), table_of("organization.json"), table_of("phones.csv")
('address', 'organization', None)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.errors import InputTooLarge, Problem
from graphsvc.loaders.readers import OUTSIDE, decode_text, inside
from graphsvc.loaders.readers import SUFFIXES as GRAPHSVC_SUFFIXES
from graphsvc.loaders.tables import MISSING_COLUMN, table_name

__all__ = [
    "TABLE_NAMES",
    "HsdsTables",
    "Row",
    "graphsvc_tables_in",
    "is_hsds_directory",
    "read_hsds_tables",
    "table_of",
]

TABLE_NAMES: dict[str, str] = {
    "organization": "organization",
    "organizations": "organization",
    "program": "program",
    "programs": "program",
    "service": "service",
    "services": "service",
    "location": "location",
    "locations": "location",
    "address": "address",
    "addresses": "address",
    "physical_address": "address",
    "physical_addresses": "address",
    "service_area": "service_area",
    "service_areas": "service_area",
    "service_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_location": "service_at_location",
    "services_at_locations": "service_at_location",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_terms": "taxonomy_term",
    "taxonomy": "taxonomy",
    "taxonomies": "taxonomy",
    "service_taxonomy": "service_taxonomy",
    "attribute": "attribute",
    "attributes": "attribute",
}
"""File stems (and nested JSON keys) -> the HSDS table they hold. Other tables (phones, schedules...) are not read."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "organization": ("id", "name"),
    "service": ("id", "name"),
    "location": ("id",),
    "address": ("location_id",),
    "service_area": ("service_id",),
    "service_at_location": ("service_id", "location_id"),
    "service_taxonomy": ("service_id", "taxonomy_id"),
    "attribute": ("link_id", "taxonomy_term_id"),
    "program": ("id",),
    "taxonomy_term": ("id", "name"),
}
"""The fields graphsvc cannot do without, per table."""

SUFFIXES = (".csv", ".json")


def table_of(file_name: str) -> str | None:
    """The canonical HSDS table a file holds, from its name; ``None`` for tables graphsvc does not read."""
    path = Path(file_name)
    return TABLE_NAMES.get(path.stem.strip().lower()) if path.suffix.lower() in SUFFIXES else None


def is_hsds_directory(path: Path) -> bool:
    """Whether ``path`` is a directory holding HSDS tables (a services table, and organizations or nested JSON)."""
    if not path.is_dir():
        return False
    tables = {table_of(p.name): p.suffix.lower() for p in path.iterdir() if p.is_file()}
    return "service" in tables and ("organization" in tables or tables["service"] == ".json")


def graphsvc_tables_in(directory: Path) -> list[Path]:
    """Files of an HSDS directory that hold graphsvc's own tables (``needs.csv``...): loaded the usual way."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.is_file()
        and p.suffix.lower() in GRAPHSVC_SUFFIXES
        and table_name(p.stem) is not None
        and inside(p, directory)  # a link out of it is reported by read_hsds_tables
    )


@dataclass
class Row:
    """One record of an HSDS table, with the file and line (or JSON position) it came from."""

    table: str
    file: str
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str | None:
        """The trimmed text of a field, ``None`` when it is missing or blank."""
        value = self.values.get(key)
        return value or None

    def problem(self, field_name: str | None, reason: str) -> Problem:
        return Problem(self.file, self.line, field_name, reason)


@dataclass
class HsdsTables:
    """The HSDS tables of a directory, by canonical name, and what was read or left aside."""

    directory: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    @property
    def version(self) -> str:
        """``3.0`` when the files carry 3.0's (singular) table names or its fields, else ``1.x``."""
        stems = {Path(f).stem.lower() for f in self.files}
        if stems & {"organization", "service", "location", "address", "taxonomy_term", "attribute"}:
            return "3.0"
        if self.rows("attribute"):
            return "3.0"
        located = self.rows("address") + self.rows("location")
        return "3.0" if any("address_type" in r.values or "location_type" in r.values for r in located) else "1.x"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_columns(table: str, file: str, columns: Iterable[str]) -> list[Problem]:
    present = set(columns)
    return [
        Problem(file, 1, col, f"{MISSING_COLUMN} {col!r} (HSDS {table} needs: {', '.join(REQUIRED[table])})")
        for col in REQUIRED.get(table, ())
        if col not in present
    ]


def _read_csv(data: bytes, file: str, table: str, max_rows: int) -> tuple[list[Row], list[Problem]]:
    text, problem = decode_text(data, file)
    if text is None:
        return [], [problem] if problem else []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lstrip("\ufeff").lower() for h in next(reader, [])]
    if not header:
        return [], [Problem(file, None, None, "the file is empty; the first line must name the columns")]
    if table == "taxonomy_term" and "id" not in header and "taxonomy_id" in header:
        header[header.index("taxonomy_id")] = "id"  # the Ohana export names a term's id "taxonomy_id"
    problems = _check_columns(table, file, header)
    rows: list[Row] = []
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                if len(rows) >= max_rows:
                    raise InputTooLarge([Problem(file, line, None, f"more than {max_rows} rows; split the file")])
                rows.append(Row(table, file, line, {c: v.strip() for c, v in zip(header, values, strict=False) if c}))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(file, reader.line_num, None, f"unreadable CSV: {exc}"))
    return rows, problems


def _flatten(table: str, record: dict[str, Any], file: str, line: int, out: list[Row]) -> None:
    """Add ``record`` and the records nested in it to ``out``, each as a row of its own table."""
    values: dict[str, str] = {}
    children: list[tuple[str, dict[str, Any], dict[str, str]]] = []
    own_id = _text(record.get("id"))
    for key, value in record.items():
        name = str(key).strip().lower()
        child_table = TABLE_NAMES.get(name)
        if isinstance(value, dict) and child_table:
            child_id = _text(value.get("id"))
            values.setdefault(f"{child_table}_id", child_id)
            children.append((child_table, value, {}))
        elif isinstance(value, list) and child_table and all(isinstance(v, dict) for v in value):
            link = {"link_id": own_id, "link_entity": table} if child_table == "attribute" else {f"{table}_id": own_id}
            children += [(child_table, v, link) for v in value]
        elif isinstance(value, list):
            values[name] = ", ".join(_text(v) for v in value if not isinstance(v, dict | list))
        elif not isinstance(value, dict):
            values[name] = _text(value)
    out.append(Row(table, file, line, values))
    for child_table, child, link in children:
        _flatten(child_table, {**link, **child}, file, line, out)


def _read_json(data: bytes, file: str, table: str, max_rows: int) -> tuple[list[Row], list[Problem]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return [], [Problem(file, None, None, f"JSON must be UTF-8: {exc}")]
    except json.JSONDecodeError as exc:
        return [], [Problem(file, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})")]
    if isinstance(doc, dict):
        doc = next((doc[k] for k in ("contents", "data", "items", table) if isinstance(doc.get(k), list)), [doc])
    if not isinstance(doc, list):
        return [], [Problem(file, None, None, f"an HSDS JSON file holds a list of {table} records")]
    if len(doc) > max_rows:
        raise InputTooLarge([Problem(file, None, None, f"more than {max_rows} records; split the file")])
    rows: list[Row] = []
    problems: list[Problem] = []
    for index, record in enumerate(doc, start=1):
        if isinstance(record, dict):
            _flatten(table, record, file, index, rows)
        else:
            problems.append(Problem(file, index, None, f"each {table} record must be an object"))
    for row in rows:
        missing = [c for c in REQUIRED.get(row.table, ()) if not row.get(c)]
        problems += [row.problem(c, f"missing required field {c!r} of an HSDS {row.table}") for c in missing]
    return rows, problems


def read_hsds_tables(directory: Path, *, max_bytes: int, max_rows: int) -> tuple[HsdsTables, list[Problem]]:
    """Read the HSDS tables graphsvc uses from ``directory``; other files are listed in ``ignored``."""
    found = HsdsTables(directory=str(directory))
    problems: list[Problem] = []
    own = set(graphsvc_tables_in(directory))
    files = sorted(p for p in directory.iterdir() if p.is_file())
    problems += [Problem(str(p), None, None, OUTSIDE) for p in files if not inside(p, directory)]
    paths = [p for p in files if p not in own and inside(p, directory)]
    has_terms = any(table_of(p.name) == "taxonomy_term" for p in paths)
    for path in paths:
        table = table_of(path.name)
        if table == "taxonomy" and not has_terms:
            table = "taxonomy_term"  # 1.x calls its terms table "taxonomy"; 3.0 keeps taxonomies apart
        if table is None:
            found.ignored.append(str(path))
            continue
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLarge([Problem(str(path), None, None, f"{size} bytes is over the limit of {max_bytes}")])
        read = _read_csv if path.suffix.lower() == ".csv" else _read_json
        rows, found_problems = read(path.read_bytes(), str(path), table, max_rows)
        problems += found_problems
        found.files.append(str(path))
        for row in rows:
            found.tables.setdefault(row.table, []).append(row)
    for table, rows in found.tables.items():
        found.tables[table] = _unique(rows)
    return found, problems


def _unique(rows: list[Row]) -> list[Row]:
    """Drop repeats of a record nested several times in JSON (same table, id and values); keep the first."""
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for row in rows:
        key = (row.table, tuple(sorted(row.values.items())))
        if row.get("id") and key in seen:
            continue
        seen.add(key)
        kept.append(row)
    return kept
