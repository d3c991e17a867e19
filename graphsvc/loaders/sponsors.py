"""The sponsors present at a fair: a small CSV a hub fills in (``partner,budget[,capacity]``).

Read like the district's tables (UTF-8 or GBK, Chinese headers), checked row by row; every problem is named by
file, line and field, and any problem refuses the whole file (:class:`~graphsvc.errors.ValidationFailed`).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sponsors.csv"
>>> _ = path.write_text("认购方,预算,容量\\nent-0001,20000,2\\nmed-001,5000,\\n", encoding="utf-8")
>>> [(s.partner, s.budget, s.capacity) for s in read_sponsors(path)]
[('ent-0001', 20000.0, 2), ('med-001', 5000.0, None)]
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.readers import decode_text
from graphsvc.loaders.tables import column_name

SPONSOR_COLUMNS = {"partner": ("partner", "认购方", "sponsor"), "budget": ("budget",), "capacity": ("capacity",)}
"""The columns of a sponsors file and the headers accepted for each (Chinese ones through the tables' aliases)."""


@dataclass(frozen=True)
class PresentSponsor:
    """One row of a sponsors file."""

    partner: str
    budget: float
    capacity: int | None = None


def _column(header: str) -> str:
    name = column_name(header)
    for column, accepted in SPONSOR_COLUMNS.items():
        if name in accepted or header.strip() in accepted:
            return column
    return name


def read_sponsors(path: Path | str) -> list[PresentSponsor]:
    """The sponsors a file names, in its order (``ValidationFailed`` naming every bad row)."""
    file = str(path)
    text, problem = decode_text(Path(path).read_bytes(), file)
    if text is None:
        raise ValidationFailed([problem] if problem else [Problem(file, None, None, "cannot read the file")])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise ValidationFailed([Problem(file, None, None, "the file is empty; the first line names the columns")])
    header = [_column(h) for h in rows[0]]
    problems = [
        Problem(file, 1, c, f"missing required column {c!r} (sponsors need: partner, budget)")
        for c in ("partner", "budget")
        if c not in header
    ]
    if problems:
        raise ValidationFailed(problems)
    out: list[PresentSponsor] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        row = {c: v.strip() for c, v in zip(header, values, strict=False)}
        partner = row.get("partner", "")
        if not partner:
            problems.append(Problem(file, line, "partner", "a sponsor's id is required"))
            continue
        if partner in seen:
            problems.append(Problem(file, line, "partner", f"duplicate of line {seen[partner]} ({partner!r})"))
            continue
        seen[partner] = line
        try:
            budget = float(row.get("budget", "").replace(",", ""))
            if not math.isfinite(budget) or budget < 0:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(file, line, "budget", f"must be a number of yuan, 0 or more (got {row.get('budget')!r})")
            )
            continue
        capacity: int | None = None
        if row.get("capacity"):
            try:
                capacity = int(row["capacity"])
                if capacity < 0:
                    raise ValueError
            except ValueError:
                problems.append(
                    Problem(file, line, "capacity", f"must be a whole number, 0 or more (got {row['capacity']!r})")
                )
                continue
        out.append(PresentSponsor(partner, budget, capacity))
    if problems:
        raise ValidationFailed(problems)
    return out
