"""Needs derived from what a directory user has: an area table and a standards table give ordinary needs rows.

A resource directory records who offers what, never what residents need. Where a planner knows how many
residents of each group live in each area, and has service standards ("one unit of elderly care per 100
older residents"), the needs follow:

* the **area table** (CSV): one row per community, its id in ``community`` (as the load made it:
  ``city:Belmont``), and one column per group of residents with its count (``population``, ``older``,
  ``children``, ``disability``, ``hardship``... any name); other text columns (``name``) are ignored;
* the **standards table** (CSV): ``category,group,units,per`` -- ``units`` of ``category`` for every ``per``
  residents of ``group``; several rows may feed one category.

A community's need in a category is the sum, over the standards of that category, of
``count(group) * units / per``. The rows are written as a needs table (``community,category,weight``) that
loads the usual way, so gaps, recommendations and the plan work unchanged. ``graphsvc/data/needs_standards.csv``
is a documented example to copy and adapt (docs/hsds.md says where standards come from).

>>> areas = {"city:A": {"older": 250.0, "children": 40.0}, "city:B": {"older": 0.0, "children": 10.0}}
>>> standards = [Standard("elderly_care", "older", 1.0, 100.0), Standard("children", "children", 1.0, 20.0)]
>>> derive_needs(areas, standards)
[('city:A', 'elderly_care', 2.5), ('city:A', 'children', 2.0), ('city:B', 'children', 0.5)]
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.readers import decode_text
from graphsvc.vocabulary import parse_category

__all__ = [
    "EXAMPLE_STANDARDS",
    "Standard",
    "derive_needs",
    "derive_needs_files",
    "read_areas",
    "read_standards",
    "write_needs_csv",
]

EXAMPLE_STANDARDS = "data/needs_standards.csv"
"""The shipped example standards table, a resource of the ``graphsvc`` package (illustrative figures)."""

_STANDARD_COLUMNS = ("category", "group", "units", "per")


@dataclass(frozen=True)
class Standard:
    """``units`` of ``category`` for every ``per`` residents of ``group`` (``line``: where it was read)."""

    category: str
    group: str
    units: float
    per: float
    line: int | None = None


def derive_needs(
    areas: Mapping[str, Mapping[str, float]], standards: Sequence[Standard]
) -> list[tuple[str, str, float]]:
    """``(community, category, weight)`` for every community and category with a need above 0, communities in
    the area table's order and categories in the standards' order; weights rounded to 3 decimals."""
    out = []
    order = list(dict.fromkeys(s.category for s in standards))
    for community, counts in areas.items():
        for cat in order:
            weight = sum(counts.get(s.group, 0.0) * s.units / s.per for s in standards if s.category == cat)
            if weight > 0:
                out.append((community, cat, round(weight, 3)))
    return out


def _rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    file = str(path)
    if not path.is_file():
        return [], [Problem(file, None, None, "no such file")]
    text, problem = decode_text(path.read_bytes(), file)
    if text is None:
        return [], [problem] if problem else []
    reader = csv.DictReader(io.StringIO(text))
    rows = [
        (n, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k is not None})
        for n, row in enumerate(reader, start=2)
    ]
    return rows, []


def _number(text: str, file: str, line: int, field: str, problems: list[Problem], *, positive: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        want = "a number above 0" if positive else "a number, 0 or more"
        problems.append(Problem(file, line, field, f"expected {want} (got {text!r})"))
        return 0.0
    return value


def read_standards(path: Path) -> tuple[list[Standard], list[Problem]]:
    """The standards table at ``path``; problems name file, line and field."""
    rows, problems = _rows(path)
    file = str(path)
    if rows and (missing := [c for c in _STANDARD_COLUMNS if c not in rows[0][1]]):
        return [], [
            Problem(file, 1, c, f"missing required column {c!r} (needs: category, group, units, per)") for c in missing
        ]
    out = []
    for line, row in rows:
        try:
            cat = parse_category(row["category"])
        except ValueError as error:
            problems.append(Problem(file, line, "category", str(error)))
            continue
        group = row["group"].lower()
        if not group:
            problems.append(Problem(file, line, "group", "empty: name a column of the area table"))
            continue
        units = _number(row["units"], file, line, "units", problems, positive=False)
        per = _number(row["per"], file, line, "per", problems, positive=True)
        if per > 0:
            out.append(Standard(cat, group, units, per, line))
    return out, problems


def read_areas(path: Path) -> tuple[dict[str, dict[str, float]], list[Problem]]:
    """The area table at ``path``: ``{community: {group: count}}``, every column but ``community`` and ``name``
    a group; problems name file, line and field."""
    rows, problems = _rows(path)
    file = str(path)
    if rows and "community" not in rows[0][1]:
        return {}, [Problem(file, 1, "community", "missing required column 'community' (the community's id)")]
    out: dict[str, dict[str, float]] = {}
    for line, row in rows:
        community = row.get("community", "")
        if not community:
            problems.append(Problem(file, line, "community", "empty: give the community's id"))
            continue
        if community in out:
            problems.append(Problem(file, line, "community", f"{community!r} appears twice"))
            continue
        counts = {}
        for group, text in row.items():
            if group in ("community", "name") or not text:
                continue
            counts[group] = _number(text, file, line, group, problems, positive=False)
        out[community] = counts
    return out, problems


def derive_needs_files(areas_path: Path, standards_path: Path | None = None) -> list[tuple[str, str, float]]:
    """Needs from an area table and a standards table (``None``: the shipped example, :data:`EXAMPLE_STANDARDS`).

    Raises :class:`~graphsvc.errors.ValidationFailed` listing every problem of either table, including a
    standard whose group is no column of the area table.
    """
    if standards_path is None:
        resource = resources.files("graphsvc").joinpath(EXAMPLE_STANDARDS)
        with resources.as_file(resource) as shipped:
            standards, problems = read_standards(Path(shipped))
    else:
        standards, problems = read_standards(standards_path)
    areas, area_problems = read_areas(areas_path)
    problems += area_problems
    groups = {g for counts in areas.values() for g in counts}
    for s in standards:
        if areas and s.group not in groups:
            where = str(standards_path or EXAMPLE_STANDARDS)
            reason = f"no column {s.group!r} in the area table {areas_path.name} (it has: {', '.join(sorted(groups))})"
            problems.append(Problem(where, s.line, "group", reason))
    if problems:
        raise ValidationFailed(problems)
    return derive_needs(areas, standards)


def write_needs_csv(needs: Sequence[tuple[str, str, float]], out: Path) -> None:
    """Write ``needs`` as a needs table, ``community,category,weight`` (UTF-8)."""
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["community", "category", "weight"])
        writer.writerows(needs)
