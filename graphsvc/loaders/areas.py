"""The area hierarchy of a load: the ``areas`` table's rows and the area columns of ``entities``, as areas.

An entity row with ``street`` 拱北 and ``district`` 香洲 says that the street 拱北 lies in the district 香洲;
``city`` and ``province`` go on up. An area given two different parents anywhere in a load is a problem at the
row that says the second one (a street lies in one district). An area column with nothing below it on its row
(a ``district`` on a row without a ``street``) places nothing and stays a free attribute, as before.

>>> from graphsvc.loaders.tables import RawTable
>>> raw = RawTable("entities", "entities.csv", rows=[(2, {"street": "拱北", "district": "香洲", "city": "珠海"})])
>>> areas, problems = hierarchy_of([raw], [])
>>> [(a.level.value, a.name, a.parent) for a in areas], problems
([('street', '拱北', '香洲'), ('district', '香洲', '珠海')], [])
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from graphsvc.errors import Problem
from graphsvc.loaders.tables import AREA_COLUMNS, RawTable
from graphsvc.model import Area
from graphsvc.vocabulary import AREA_LEVELS


def _text(value: object) -> str | None:
    text = None if value is None else str(value).strip()
    return text or None


def placed_areas(row: Mapping[str, object]) -> set[str]:
    """The area columns of an entity row that place an area: each needs the level below it on the row (a
    ``district`` needs a ``street``, a ``city`` a ``district``...). A column that places nothing stays a free
    attribute, as any other column, so files that used such a column as a note load as before.

    >>> sorted(placed_areas({"street": "拱北", "district": "香洲", "province": "广东"}))
    ['district']
    """
    chain = [_text(row.get("street")), *(_text(row.get(column)) for column in AREA_COLUMNS)]
    return {AREA_COLUMNS[i] for i in range(len(AREA_COLUMNS)) if chain[i] is not None and chain[i + 1] is not None}


def hierarchy_of(
    tables: Sequence[RawTable], listed: Sequence[tuple[RawTable, int, Area]]
) -> tuple[list[Area], list[Problem]]:
    """The areas of a load: ``listed`` (the ``areas`` table's valid rows, with where each came from) and those the
    area columns of the ``entities`` tables say; and a problem for every area given a second, different parent."""
    chosen: dict[tuple[str, str], tuple[Area, str, int]] = {}
    problems: list[Problem] = []

    def put(area: Area, raw: RawTable, line: int, field: str) -> None:
        seen = chosen.get(area.key)
        if seen is None or seen[0].parent is None:
            chosen[area.key] = (area, raw.file, line)
        elif area.parent is not None and area.parent != seen[0].parent:
            level = area.level.value
            reason = (
                f"{level} {area.name!r} lies in {seen[0].parent!r} at {seen[1]}:{seen[2]}; "
                f"a {level} lies in one area, give the same {field} on every row"
            )
            problems.append(Problem(raw.file, line, field, reason, raw.sheet))

    for raw, line, area in listed:
        put(area, raw, line, "parent")
    for raw in tables:
        if raw.table != "entities":
            continue
        for line, row in raw.rows:
            chain = [_text(row.get("street")), *(_text(row.get(column)) for column in AREA_COLUMNS)]
            for i, (child, parent) in enumerate(itertools.pairwise(chain)):
                if parent is None:
                    continue
                field = AREA_COLUMNS[i]
                if child is None:  # places nothing: kept as a free attribute (placed_areas)
                    continue
                try:
                    area = Area(level=AREA_LEVELS[i], name=child, parent=parent)
                except ValidationError as exc:
                    problems.append(Problem(raw.file, line, field, exc.errors()[0]["msg"], raw.sheet))
                    continue
                put(area, raw, line, field)
    return [area for area, _, _ in chosen.values()], problems
