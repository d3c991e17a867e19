"""Records to and from Neo4j: node properties and relationship rows to write, records read back, the URI.

:class:`~graphsvc.store.neo4j.Neo4jStore` sends these rows with the statements of
:mod:`graphsvc.store.neo4j_queries` and turns what it reads back into records here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j

from graphsvc.errors import ConfigError
from graphsvc.graph import Partnership, node_attributes
from graphsvc.model import ENTITY_SCALARS, Entity, Link, Outcome, Project, Sponsorship
from graphsvc.store.neo4j_queries import TYPE_KINDS
from graphsvc.vocabulary import DeclineReason, OutcomeStatus, ProjectStatus

__all__ = [
    "entity_from_record",
    "entity_props",
    "link_from_record",
    "link_row",
    "native_value",
    "outcome_from_record",
    "outcome_row",
    "parse_neo4j_uri",
    "project_from_record",
    "project_row",
    "snapshot_page_rows",
]


def native_value(value: Any) -> Any:
    """Neo4j temporal values as Python ones."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def entity_from_record(record: neo4j.Record) -> Entity:
    *values, attributes = tuple(record)
    return Entity.from_stored(values, json.loads(attributes or "{}"))


def link_from_record(record: neo4j.Record) -> Link:
    source, target, rel_type, since, until, weight, project = tuple(record)
    return Link.model_construct(
        source=source,
        target=target,
        kind=TYPE_KINDS[rel_type],
        since=native_value(since),
        until=native_value(until),
        weight=weight,
        project=project,
    )


def snapshot_page_rows(
    rows: list[list[Any]], nodes: list[tuple[str, dict[str, Any]]], links: list[Partnership]
) -> None:
    """Add one page of the snapshot's rows (see ``SNAPSHOT_PAGE``) to ``nodes`` and ``links``.

    A node's attributes are those of :func:`~graphsvc.graph.node_attributes`, with its needs and offers as
    ``{category: number}`` in category order; links come as the plain values of
    :func:`~graphsvc.graph.add_partnerships`, kinds as their codes.

    >>> nodes, links = [], []
    >>> row = ["c1", "community", "社区", None, "拱北", None, None, "{}", [["youth", 2], ["elderly_care", 1.0]], [],
    ...        [["e1", "FUNDING", "2021-03-05", None, "p"]]]
    >>> snapshot_page_rows([row], nodes, links)
    >>> nodes[0][1]["needs"], links
    ({'elderly_care': 1.0, 'youth': 2.0}, [('c1', 'e1', 'funding', '2021-03-05', None, 'p')])
    """
    kinds = {rel_type: kind.value for rel_type, kind in TYPE_KINDS.items()}
    for *values, attributes, needs, offers, out in rows:
        node = node_attributes(dict(zip(ENTITY_SCALARS, values, strict=True)), json.loads(attributes or "{}"))
        node["needs"] = {category: float(weight) for category, weight in sorted(needs)}
        node["offers"] = {category: float(capacity) for category, capacity in sorted(offers)}
        source = values[0]
        nodes.append((source, node))
        links += [
            (source, target, kinds[rel_type], since, weight, project)
            for target, rel_type, since, weight, project in out
        ]


def entity_props(e: Entity) -> dict[str, Any]:
    """The node properties of an entity (the free attributes as one JSON string)."""
    props: dict[str, Any] = e.scalars()
    del props["id"]
    props["attributes_json"] = json.dumps(e.attributes, ensure_ascii=False, sort_keys=True)
    return props


def link_row(link: Link) -> dict[str, Any]:
    return {
        "source": link.source,
        "target": link.target,
        "since": link.since,
        "until": link.until,
        "weight": link.weight,
        "project": link.project,
    }


def parse_neo4j_uri(uri: str) -> tuple[str, str, str | None]:
    """Split ``bolt://user[:password]@host:port`` into (address URI, user, password or None).

    >>> parse_neo4j_uri("bolt://neo4j@127.0.0.1:7687")
    ('bolt://127.0.0.1:7687', 'neo4j', None)
    """
    parts = urlsplit(uri)
    if not parts.hostname:
        raise ConfigError(f"store URI {uri!r} names no host: use bolt://user@host:7687")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    address = urlunsplit((parts.scheme, netloc, "", parts.query, ""))
    password = unquote(parts.password) if parts.password else None
    return address, unquote(parts.username or "neo4j"), password


# -- outcomes ------------------------------------------------------------------------------------------------------
def outcome_row(outcome: Outcome) -> dict[str, Any]:
    """An outcome's row for ``MERGE_OUTCOMES`` (its date a Neo4j date)."""
    return {**outcome.plain(), "at": outcome.at}


def outcome_from_record(record: neo4j.Record) -> Outcome:
    """An outcome read back (``LIST_OUTCOMES``), not validated again."""
    return Outcome.model_construct(
        community=record["community"],
        partner=record["partner"],
        status=OutcomeStatus(record["status"]),
        at=native_value(record["at"]),
        reason=DeclineReason(record["reason"]) if record["reason"] else None,
        by=record["by"],
        rank=record["rank"],
        probability=record["probability"],
    )


# -- projects -------------------------------------------------------------------------------------------------------


def project_row(p: Project) -> dict[str, Any]:
    """The row ``MERGE_PROJECTS`` takes for one project (``covers`` as one JSON string, dates as dates)."""
    props = {
        "title": p.title,
        "covers_json": json.dumps(p.covers, ensure_ascii=False),
        "budget": p.budget,
        "status": p.status.value,
        "proposed_on": p.proposed_on,
        "start": p.start,
        "end": p.end,
    }
    sponsors = [{"partner": s.partner, "amount": s.amount} for s in p.sponsors]
    return {"id": p.id, "community": p.community, "props": props, "sponsors": sponsors}


def project_from_record(record: neo4j.Record) -> Project:
    """A project read by ``LIST_PROJECTS``."""
    return Project.model_construct(
        id=record["id"],
        community=record["community"],
        title=record["title"],
        covers=json.loads(record["covers_json"]),
        budget=record["budget"],
        status=ProjectStatus(record["status"]),
        sponsors=tuple(Sponsorship.model_construct(partner=s, amount=a) for s, a in record["sponsors"]),
        proposed_on=native_value(record["proposed_on"]),
        start=native_value(record["start"]),
        end=native_value(record["end"]),
    )
