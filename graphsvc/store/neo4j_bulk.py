"""A first load into an empty Neo4j store at bulk speed, through Neo4j's offline importer.

:func:`bulk_load` writes the load as the importer's CSV files -- the same graph model as the ordinary path of
:class:`~graphsvc.store.neo4j.Neo4jStore` (labels and relationship types from the store's dictionaries, the
same properties and types), with the store's categories, its identity and its data version moved on by one --
and hands them to :func:`graphsvc.neo4j_server.import_database`, which replaces the database of the local server
(stopped, imported, started again). It is only for a store with no entities (or a load that replaces
everything), on the server ``graphsvc neo4j start`` runs on this machine: the server restarts, so clients see it
unavailable for some seconds. All or nothing: the load is validated before anything is stopped, and if the
importer fails the database is put back as it was.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graphsvc.errors import ConfigError, ValidationFailed
from graphsvc.model import Dataset
from graphsvc.store.base import RowsWritten, missing_references, one_per_pair
from graphsvc.store.neo4j_queries import KIND_LABELS, LINK_TYPES, READ_VERSION
from graphsvc.vocabulary import categories

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
    rest = Dataset(outcomes=dataset.outcomes, projects=dataset.projects, areas=dataset.areas)
    if rest.row_count():
        # The importer writes the four tables; outcomes, projects and areas follow in one ordinary transaction
        # (they name the entities just imported). Should it fail, the imported data is removed again: a first
        # load leaves the store empty, as it was (with --replace, the old data is not brought back).
        try:
            store.upsert(rest)
        except Exception:
            store.clear()
            raise
    if progress is not None:
        progress(dataset.row_count())
