"""Limits on every size a file controls: a cell, an extra attribute, a record, an entity's extra attributes in
all, and the store's extra attributes in all.

Uploads and files are already bounded in bytes and rows (``GRAPHSVC_MAX_UPLOAD_BYTES``, ``GRAPHSVC_MAX_ROWS``);
these bound what one row may carry, so that one 30 MB note or 200 columns of 100 KB cannot be stored and then
served in every list, and the store as a whole cannot grow without bound through many imports. Each is a
setting (README, "Settings"); a value over one is a problem with its file, line and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from graphsvc.errors import Problem
from graphsvc.loaders.tables import TABLES, RawTable

if TYPE_CHECKING:
    from graphsvc.model import Entity
    from graphsvc.settings import Settings


class AttributeSizes(Protocol):
    """What the store check asks of a store (every :class:`~graphsvc.store.base.GraphStore` has it)."""

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int: ...


@dataclass(frozen=True)
class SizeLimits:
    """The largest sizes a load may bring, in characters (see the README's settings for each)."""

    cell_chars: int = 10_000
    attribute_chars: int = 10_000
    record_chars: int = 100_000
    entity_attribute_chars: int = 50_000
    store_attribute_chars: int = 200_000_000

    @classmethod
    def of(cls, settings: Settings) -> SizeLimits:
        return cls(
            cell_chars=settings.max_cell_chars,
            attribute_chars=settings.max_attribute_chars,
            record_chars=settings.max_record_chars,
            entity_attribute_chars=settings.max_entity_attribute_chars,
            store_attribute_chars=settings.max_store_attribute_chars,
        )


def stored_attribute_chars(attributes: Mapping[str, Any]) -> int:
    """The size of an entity's extra attributes as both stores keep them (one JSON object).

    >>> stored_attribute_chars({}), stored_attribute_chars({"note": "拱北"})
    (2, 14)
    """
    return len(json.dumps(attributes, ensure_ascii=False, sort_keys=True))


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0  # numbers and dates are bounded by their own rules


def row_problems(raw: RawTable, line: int, row: Mapping[str, Any], limits: SizeLimits) -> list[Problem]:
    """Problems for the values of one raw row over the cell, extra attribute or record limit."""
    required, optional = TABLES[raw.table]
    known = {*required, *optional}
    values: list[tuple[str, str | None, Any]] = []  # (field, extra attribute name or None, value)
    for column, value in row.items():
        if raw.table == "entities" and column == "attributes" and isinstance(value, Mapping):
            values += [(f"attributes.{k}", str(k), v) for k, v in value.items()]
        elif raw.table == "entities" and column not in known:
            values.append((column, column, value))
        else:
            values.append((column, None, value))
    problems = []
    for field, extra, value in values:
        size = _size(value)
        if extra is None and size > limits.cell_chars:
            reason = (
                f"a value of {size} characters; a cell may hold at most {limits.cell_chars} (GRAPHSVC_MAX_CELL_CHARS)"
            )
            problems.append(Problem(raw.file, line, field, reason, raw.sheet))
        elif extra is not None and size > limits.attribute_chars:
            reason = (
                f"an extra attribute of {size} characters; each may hold at most {limits.attribute_chars} "
                "(GRAPHSVC_MAX_ATTRIBUTE_CHARS)"
            )
            problems.append(Problem(raw.file, line, field, reason, raw.sheet))
    total = sum(_size(v) + len(extra or "") for _, extra, v in values)
    if not problems and total > limits.record_chars:
        reason = (
            f"the record holds {total} characters; a record may hold at most {limits.record_chars} "
            "(GRAPHSVC_MAX_RECORD_CHARS)"
        )
        problems.append(Problem(raw.file, line, None, reason, raw.sheet))
    return problems


def entity_problems(raw: RawTable, line: int, entity: Entity, limits: SizeLimits) -> list[Problem]:
    """A problem if the entity's extra attributes together are over their limit."""
    size = stored_attribute_chars(entity.attributes)
    if size <= limits.entity_attribute_chars:
        return []
    reason = (
        f"the extra attributes of {entity.id!r} hold {size} characters in all; an entity's may hold at most "
        f"{limits.entity_attribute_chars} (GRAPHSVC_MAX_ENTITY_ATTRIBUTE_CHARS)"
    )
    return [Problem(raw.file, line, "attributes", reason, raw.sheet)]


def store_problems(
    entities: list[tuple[RawTable, int, Entity]], store: AttributeSizes | None, limits: SizeLimits
) -> list[Problem]:
    """A problem if the store's extra attributes in all would be over their limit after this load.

    The entities of the load replace those the store holds with the same ids, so their stored size is taken
    off; the problem names the load's entity that takes the store over the limit.
    """
    if not entities:
        return []
    first = {e.id: (raw, line, e) for raw, line, e in reversed(entities)}  # a duplicate id is reported elsewhere
    stored = store.attribute_chars() - store.attribute_chars(list(first)) if store is not None else 0
    total = stored
    for raw, line, entity in sorted(first.values(), key=lambda item: (item[0].file, item[1])):
        total += stored_attribute_chars(entity.attributes)
        if total > limits.store_attribute_chars:
            reason = (
                f"with this entity the store would hold more than {limits.store_attribute_chars} characters of "
                f"extra attributes in all (it holds {stored}; GRAPHSVC_MAX_STORE_ATTRIBUTE_CHARS): delete "
                "entities or extra columns first"
            )
            return [Problem(raw.file, line, "attributes", reason, raw.sheet)]
    return []
