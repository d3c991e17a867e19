"""A first load into an empty Neo4j store at bulk speed, through Neo4j's offline importer.

:func:`bulk_load` writes the load as the importer's CSV files -- the same graph model as the ordinary path of
:class:`~graphsvc.store.neo4j.Neo4jStore` (labels and relationship types from the store's dictionaries, the
same properties and types; every table, projects, outcomes and areas too), with the store's categories, its
identity and its data version moved on by one -- and hands them to
:func:`graphsvc.neo4j_server.import_database`, which replaces the database of the local server (stopped,
imported, started again). It is only for a store with no entities (or a load that replaces everything), on the
server ``graphsvc neo4j start`` runs on this machine: the server restarts, so clients see it unavailable for
some seconds. All or nothing: the load is validated before anything is stopped, and if the importer fails the
database is put back as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graphsvc.errors import ConfigError, ValidationFailed
from graphsvc.model import Dataset, closed_areas
from graphsvc.store.base import RowsWritten, missing_references, one_per_pair
from graphsvc.store.neo4j_queries import KIND_LABELS, LINK_TYPES, PROJECT_LABEL, PROJECT_OF, READ_VERSION, SPONSORS
from graphsvc.store.neo4j_rows import project_row
from graphsvc.vocabulary import AREA_NODE_LABEL, AREA_PARENT_TYPE, OUTCOME_RELATIONSHIP, categories

if TYPE_CHECKING:
    from graphsvc.store.neo4j import Neo4jStore

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _write(path: Path, header: str, rows: Iterable[Iterable[Any]]) -> Path:
    """One importer CSV: every field quoted (a missing value is an empty one, which the importer is told to leave
    out: graphsvc's texts are never empty)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return path


def import_files(
    dataset: Dataset, directory: Path, identity: str | None, version: int
) -> tuple[list[Path], list[Path]]:
    """Write ``dataset`` (with the vocabulary's categories, ``identity`` and data ``version``) as importer CSVs.

    Later rows with the same key win, as in the ordinary path's MERGE; a link whose reverse is also in the load
    is written once, in the direction first given.
    """
    entities = {e.id: e for e in dataset.entities}
    entity_lines = (
        [
            e.id,
            f"Entity;{KIND_LABELS[e.kind]}",
            e.kind.value,
            e.name,
            e.name_en,
            e.street,
            e.subtype.value if e.subtype is not None else None,
            e.capacity,
            json.dumps(e.attributes, ensure_ascii=False, sort_keys=True),
        ]
        for e in entities.values()
    )
    nodes = [
        _write(
            directory / "entities.csv",
            "id:ID(Entity),:LABEL,kind,name,name_en,street,subtype,capacity:long,attributes_json",
            entity_lines,
        ),
        _write(
            directory / "categories.csv",
            "code:ID(Category),:LABEL,zh,en,group",
            ([c.code, "Category", c.zh, c.en, c.group] for c in categories().values()),
        ),
        _write(
            directory / "version.csv", "key:ID(DataVersion),:LABEL,version:long", [["data", "DataVersion", version]]
        ),
    ]
    if identity is not None:
        nodes.append(
            _write(
                directory / "identity.csv", "key:ID(StoreIdentity),:LABEL,id", [["store", "StoreIdentity", identity]]
            )
        )
    links = {(x.source, x.target, x.kind): x for x in one_per_pair(dataset.links)}
    needs = {n.key: n for n in dataset.needs}
    offers = {o.key: o for o in dataset.offers}
    relationships = [
        _write(
            directory / "links.csv",
            ":START_ID(Entity),:END_ID(Entity),:TYPE,since:date,until:date,weight:double,project",
            (
                [
                    x.source,
                    x.target,
                    LINK_TYPES[x.kind],
                    x.since.isoformat() if x.since else None,
                    x.until.isoformat() if x.until else None,
                    x.weight,
                    x.project,
                ]
                for x in links.values()
            ),
        ),
        _write(
            directory / "needs.csv",
            ":START_ID(Entity),:END_ID(Category),:TYPE,weight:double",
            ([n.community, n.category, "NEEDS", n.weight] for n in needs.values()),
        ),
        _write(
            directory / "offers.csv",
            ":START_ID(Entity),:END_ID(Category),:TYPE,capacity:double",
            ([o.partner, o.category, "OFFERS", o.capacity] for o in offers.values()),
        ),
    ]
    more_nodes, more_relationships = _import_rest(dataset, directory)
    return nodes + more_nodes, relationships + more_relationships


IMPORT_TYPES = {
    **{"budget": "double", "proposed_on": "date", "start": "date", "end": "date"},  # a project's
    **{"at": "date", "probability": "double"},  # an outcome's
}
"""The importer's type of each project or outcome property that is not text."""


def _properties(rows: list[dict[str, Any]]) -> tuple[list[str], str]:
    """The property names of ``rows`` (the ordinary path's, in its order) and their importer header."""
    names = list(rows[0]) if rows else []
    return names, "".join(f",{n}:{IMPORT_TYPES[n]}" if n in IMPORT_TYPES else f",{n}" for n in names)


def _csv_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


ENDS = ("community", "partner")
"""An outcome row's two ends (the relationship's start and end, not properties)."""


def _import_rest(dataset: Dataset, directory: Path) -> tuple[list[Path], list[Path]]:
    """The importer's CSVs of the projects (with their community and sponsors), the outcomes and the areas (with
    the parents they name), as the ordinary path writes them: ``MERGE_PROJECTS``, ``MERGE_OUTCOMES``,
    ``MERGE_AREAS`` (later rows with the same key win)."""
    projects = [project_row(p) for p in {p.id: p for p in dataset.projects}.values()]
    outcomes = [o.plain() for o in {o.key: o for o in dataset.outcomes}.values()]
    project_names, project_header = _properties([p["props"] for p in projects])
    outcome_names, outcome_header = _properties([{k: v for k, v in o.items() if k not in ENDS} for o in outcomes])
    listed, implied = closed_areas(dataset.areas)
    area_id = "{}\t{}".format
    nodes = [
        _write(
            directory / "projects.csv",
            "id:ID(Project),:LABEL" + project_header,
            ([p["id"], PROJECT_LABEL, *(_csv_value(p["props"][n]) for n in project_names)] for p in projects),
        ),
        _write(
            directory / "areas.csv",
            ":ID(Area),:LABEL,level,name",
            ([area_id(a.level.value, a.name), AREA_NODE_LABEL, a.level.value, a.name] for a in listed + implied),
        ),
    ]
    relationships = [
        _write(
            directory / "project_of.csv",
            ":START_ID(Project),:END_ID(Entity),:TYPE",
            ([p["id"], p["community"], PROJECT_OF] for p in projects),
        ),
        _write(
            directory / "sponsors.csv",
            ":START_ID(Entity),:END_ID(Project),:TYPE,amount:double",
            ([s["partner"], p["id"], SPONSORS, s["amount"]] for p in projects for s in p["sponsors"]),
        ),
        _write(
            directory / "outcomes.csv",
            ":START_ID(Entity),:END_ID(Entity),:TYPE" + outcome_header,
            ([o["community"], o["partner"], OUTCOME_RELATIONSHIP, *(o[n] for n in outcome_names)] for o in outcomes),
        ),
        _write(
            directory / "areas_in.csv",
            ":START_ID(Area),:END_ID(Area),:TYPE",
            (
                [area_id(a.level.value, a.name), area_id(*a.parent_key), AREA_PARENT_TYPE]
                for a in listed
                if a.parent_key is not None
            ),
        ),
    ]
    return nodes, relationships


def bulk_load(
    store: Neo4jStore,
    dataset: Dataset,
    *,
    replace: bool = False,
    progress: RowsWritten | None = None,
    home: Path | str | None = None,
    password: str | None = None,
    report: Callable[[str], None] | None = None,
) -> None:
    """Load ``dataset`` into ``store``'s database through Neo4j's offline importer (see the module's docstring).

    ``home``: the local server's home (default ``$GRAPHSVC_NEO4J_HOME``); ``password``: the one it runs with
    (default ``$GRAPHSVC_NEO4J_PASSWORD``). Refused (:class:`~graphsvc.errors.ConfigError`) when the store
    holds entities and ``replace`` is not given, or when the store is not that local server.
    """
    from graphsvc import neo4j_server

    parts = urlsplit(store.uri if "://" in store.uri else f"bolt://{store.uri}")
    if parts.hostname not in LOCAL_HOSTS or parts.port is None:
        raise ConfigError(f"a bulk load needs the local Neo4j server of `graphsvc neo4j start`, not {store.uri}")
    problems = missing_references(dataset, [])
    if problems:
        raise ValidationFailed(problems)
    if not replace and store.count_entities() > 0:
        raise ConfigError(
            "a bulk load is for an empty store (or with --replace): this one holds entities; load without --bulk"
        )
    record = store._read(READ_VERSION)[0]
    with tempfile.TemporaryDirectory(prefix="graphsvc-bulk-") as tmp:
        directory = Path(tmp)
        nodes, relationships = import_files(dataset, directory, record["identity"], int(record["version"]) + 1)
        neo4j_server.import_database(
            neo4j_server.ImportFiles(nodes, relationships),
            home=home,
            port=parts.port,
            password=password,
            workdir=directory,
            report=report,
        )
    store._forget_bookmarks()
    store._ensure_schema()
    if progress is not None:
        progress(dataset.row_count())
