"""The documented file format: four tables, their columns, and raw rows read from files.

A table arrives as a :class:`RawTable`: where it came from (file, sheet) and its
rows as ``(line, {column: text})``. Readers for CSV, Excel and JSON produce raw
tables; :mod:`graphsvc.loaders.validate` turns them into records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphsvc.errors import Problem

TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "entities": (("id", "kind", "name"), ("name_en", "street", "subtype", "capacity")),
    "links": (("source", "target", "kind"), ("since", "until", "weight", "project")),
    "needs": (("community", "category", "weight"), ()),
    "offers": (("partner", "category", "capacity"), ("description",)),
    "outcomes": (("community", "partner", "status"), ("reason", "at", "by", "rank", "probability")),
    "projects": (
        ("id", "community", "title", "covers", "budget"),
        ("status", "sponsors", "proposed_on", "start", "end"),
    ),
    "areas": (("level", "name"), ("parent",)),
}
"""For each table: its required columns, then its optional ones. Entities keep any other column as an attribute,
except the area columns (:data:`AREA_COLUMNS`)."""

BASE_TABLES = ("entities", "links", "needs", "offers")
"""The four tables every load reports (``areas``, the optional hierarchy, is reported when a load has one)."""

AREA_COLUMNS = ("district", "city", "province")
"""Columns of ``entities`` that place an entity's street in the area hierarchy: the street lies in the
``district``, the district in the ``city``, the city in the ``province`` (each one optional)."""

STAND_INS: dict[tuple[str, str], str] = {("offers", "category"): "description"}
"""Required columns another may stand in for: an offer's ``description`` is matched to categories
(:mod:`graphsvc.loaders.category_text`) when it has no ``category``."""


def missing_columns(table: str, present: Collection[str]) -> list[str]:
    """The required columns of ``table`` that are not in ``present`` and that nothing stands in for.

    >>> missing_columns("offers", ["partner", "description", "capacity"]), missing_columns("needs", ["community"])
    ([], ['category', 'weight'])
    """
    return [c for c in TABLES[table][0] if c not in present and STAND_INS.get((table, c)) not in present]


COLUMN_ALIASES: dict[str, str] = {
    "编号": "id",
    "类型": "kind",
    "名称": "name",
    "英文名称": "name_en",
    "街道": "street",
    "镇街": "street",
    "子类型": "subtype",
    "容量": "capacity",
    "服务能力": "capacity",
    "来源": "source",
    "目标": "target",
    "开始日期": "since",
    "结束日期": "until",
    "权重": "weight",
    "项目": "project",
    "社区": "community",
    "类别": "category",
    "合作方": "partner",
    "描述": "description",
    "业务范围": "description",
    "状态": "status",
    "结果": "status",
    "原因": "reason",
    "婉拒原因": "reason",
    "日期": "at",
    "记录人": "by",
    "排序": "rank",
    "可能性": "probability",
    # projects (公益项目)
    "项目名称": "title",
    "标题": "title",
    "覆盖需求": "covers",
    "预算": "budget",
    "认购方": "sponsors",
    "提出日期": "proposed_on",
    "开始": "start",
    "结束": "end",
    "区": "district",
    "区县": "district",
    "市": "city",
    "省": "province",
    "层级": "level",
    "上级": "parent",
}
"""Chinese column headers accepted beside the English ones."""

TABLE_ALIASES: dict[str, str] = {
    "实体": "entities",
    "链接": "links",
    "需求": "needs",
    "供给": "offers",
    "项目": "projects",
    "公益项目": "projects",
    "区域": "areas",
}


def column_name(header: Any) -> str:
    """The canonical name of a column header (trimmed, lower case, Chinese aliases resolved)."""
    text = "" if header is None else str(header).strip().lstrip("\ufeff")
    return COLUMN_ALIASES.get(text, text.lower())


def table_name(name: str) -> str | None:
    """The table a file stem or sheet name stands for, or ``None``."""
    text = name.strip()
    text = TABLE_ALIASES.get(text, text.lower())
    return text if text in TABLES else None


@dataclass
class RawTable:
    """One table as read from a file, before validation."""

    table: str
    file: str
    sheet: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def cell_value(value: Any) -> Any:
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


MISSING_COLUMN = "missing required column"
DUPLICATE_COLUMN = "appears twice"


def is_file_problem(problem: Problem) -> bool:
    """Whether ``problem`` is a whole file's (no line, or its header: a missing or repeated column), which no
    row can be skipped for.

    >>> is_file_problem(Problem("a.csv", 1, "weight", f"{MISSING_COLUMN} 'weight'")), is_file_problem(
    ...     Problem("a.csv", 2, "weight", "Field required")
    ... )
    (True, False)
    """
    return (
        problem.line is None or problem.reason.startswith(MISSING_COLUMN) or problem.reason.endswith(DUPLICATE_COLUMN)
    )


def start_table(table: str, file: str, sheet: str | None, header: Iterable[Any]) -> tuple[RawTable, list[Problem]]:
    columns = [column_name(h) for h in header]
    raw = RawTable(table=table, file=file, sheet=sheet, columns=columns)
    problems = []
    required = TABLES[table][0]
    for col in missing_columns(table, columns):
        problems.append(Problem(file, 1, col, f"{MISSING_COLUMN} {col!r} ({table} need: {', '.join(required)})", sheet))
    seen: set[str] = set()
    for col in columns:
        if col in seen and col:
            problems.append(Problem(file, 1, col, f"column {col!r} {DUPLICATE_COLUMN}", sheet))
        seen.add(col)
    return raw, problems
