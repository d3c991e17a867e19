"""The default recommendation lists kept next to the fitted model, so one community's list is read, not computed.

``graphsvc fit`` computes, with the kept model, the default list of every community (the list ``graphsvc
recommend COMMUNITY`` prints with no options: :data:`DEFAULT_K` partners, no filter, rank ``gain``) and keeps
them in the store as artifacts (:meth:`~graphsvc.store.base.GraphStore.put_artifact`) under the data version
they were computed on, like the model (:mod:`graphsvc.fitted`). A new process asking the default question
then reads one small part instead of building the district's graph and its recommender (seconds to minutes on
a city). Every write moves the data version, so lists of older data are never read: the question is computed
again, as it is for any other options.

The lists are grouped into parts of about :data:`PART_SIZE` communities (a community's part is a hash of its
id), each a zlib-compressed JSON object ``{community: list}``; a header artifact says how many parts there are.
The header is written last, so a reader never finds a header whose parts are missing. Reading imports nothing
but the standard library.

>>> from graphsvc.store.sqlite import SQLiteStore
>>> store = SQLiteStore(":memory:")
>>> version = store.data_version()
>>> keep_answers(store, version, {"c1": b'{"community": "c1", "recommendations": []}'}, seed=0)
1
>>> kept_answer(store, "c1", seed=0)
{'community': 'c1', 'recommendations': []}
>>> kept_answer(store, "c2", seed=0) is None       # not kept: computed by the caller
True
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from graphsvc.analysis.core.options import DEFAULT_K

if TYPE_CHECKING:
    from graphsvc.store.base import GraphStore

FORMAT = 2
"""Layout of the header and parts below; kept answers of another format are not read."""
PART_SIZE = 500
"""Communities per part, about: a reader decompresses one part (a few hundred kB)."""


def header_name(seed: int | None) -> str:
    """The artifact naming how many parts the lists of the model fitted with ``seed`` are kept in."""
    return f"answers/seed={seed}"


def part_name(seed: int | None, part: int) -> str:
    return f"answers/seed={seed}/part={part}"


def part_of(community: str, parts: int) -> int:
    """The part a community's list is kept in (a stable hash of its id)."""
    return zlib.crc32(community.encode()) % parts


def keep_answers(store: GraphStore, version: int, answers: Mapping[str, bytes], *, seed: int | None = 0) -> int:
    """Keep ``answers`` (community id -> its default list as JSON bytes) computed on the data at ``version``;
    returns the number of parts written."""
    parts = max(1, math.ceil(len(answers) / PART_SIZE))
    grouped: list[list[str]] = [[] for _ in range(parts)]
    for community, data in answers.items():
        grouped[part_of(community, parts)].append(f"{json.dumps(community)}:{data.decode()}")
    for part, members in enumerate(grouped):
        store.put_artifact(part_name(seed, part), version, zlib.compress(("{" + ",".join(members) + "}").encode()))
    header = {"format": FORMAT, "parts": parts, "k": DEFAULT_K, "communities": len(answers)}
    store.put_artifact(header_name(seed), version, json.dumps(header).encode())
    return parts


def kept_count(store: GraphStore, *, seed: int | None = 0) -> int | None:
    """How many communities' lists are kept for the store's current data (``None``: none are)."""
    header = _header(store, seed)
    return None if header is None else int(header[1]["communities"])


def _header(store: GraphStore, seed: int | None, version: int | None = None) -> tuple[int, dict[str, Any]] | None:
    kept = store.get_artifact(header_name(seed))
    if kept is None or kept[0] != (store.data_version() if version is None else version):
        return None
    try:
        header = json.loads(kept[1])
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("k") != DEFAULT_K:
        return None
    return kept[0], header


def kept_answer(store: GraphStore, community: str, *, seed: int | None = 0) -> dict[str, Any] | None:
    """The default list of ``community`` kept for the store's current data (as JSON data), or ``None``."""
    header = _header(store, seed)
    if header is None:
        return None
    version, doc = header
    part = store.get_artifact(part_name(seed, part_of(community, int(doc["parts"]))))
    if part is None or part[0] != version:
        return None
    try:
        found = json.loads(zlib.decompress(part[1])).get(community)
    except (ValueError, zlib.error):
        return None
    return found if isinstance(found, dict) else None


def kept_parts(store: GraphStore, *, version: int, seed: int | None = 0) -> list[bytes]:
    """Every part of the default lists kept for the data at ``version``, as stored (compressed); none if the
    lists kept are of other data or a part is missing. Read them with :func:`lists_in`."""
    header = _header(store, seed, version)
    if header is None:
        return []
    parts = []
    for part in range(int(header[1]["parts"])):
        kept = store.get_artifact(part_name(seed, part))
        if kept is None or kept[0] != version:
            return []
        parts.append(kept[1])
    return parts


def lists_in(parts: list[bytes]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(community, list)`` of every list in ``parts`` (:func:`kept_parts`); a part that cannot be read ends
    the iteration (the lists it held are computed by the caller)."""
    for data in parts:
        try:
            lists = json.loads(zlib.decompress(data))
        except (ValueError, zlib.error):
            return
        yield from lists.items()
