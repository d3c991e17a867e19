"""The Neo4j store: the same storage contract, kept in a Neo4j database.

The graph model, built only from graphsvc's fixed vocabulary:

* every entity is a node ``(:Entity:<Kind> {id, kind, name, name_en, street, subtype, capacity, attributes_json})``
  where ``<Kind>`` is one of ``Community``, ``Organization``, ``Enterprise``, ``School``, ``Media``;
* every link is a relationship ``(source)-[:<LINK_KIND> {since, until, weight, project}]->(target)`` whose type
  is one of ``FUNDING``, ``VOLUNTEERING``, ``SERVICE``, ``INTERNSHIP``, ``PUBLICITY``, ``TRAINING``, ``VENUE``,
  ``COORDINATION``;
* needs and offers are ``(:Community)-[:NEEDS {weight}]->(:Category {code, zh, en})`` and
  ``(:Entity)-[:OFFERS {capacity}]->(:Category)``;
* the data version is one node ``(:DataVersion {key: 'data', version})`` whose counter every write transaction
  increments.

Every statement lives in :mod:`graphsvc.store.neo4j_queries`, the rows it takes and the records it gives back
are shaped in :mod:`graphsvc.store.neo4j_rows`. Every value is a query parameter; labels and
relationship types are looked up in its dictionaries, never taken from input. An upsert runs as one managed write
transaction of batched ``UNWIND $rows ... MERGE`` statements: MERGE makes it idempotent, so the driver may retry
it after a transient error, and a failure anywhere rolls the whole load back. A load too large for the server's
transaction memory (over ``SINGLE_TRANSACTION_ROWS`` rows, or refused as out of memory) runs in batches of
transactions instead, halved while the server has no memory for them, and undoes itself if a batch fails
(``Neo4jStore._upsert_in_batches``): all or nothing for the user either way. A server that has no memory even
for small batches is reported as such (:class:`OutOfMemory`), not as "busy". Batches into an empty store
``CREATE`` instead of ``MERGE`` and need no undo marks: a failed one deletes what it wrote by its keys.
"""

from __future__ import annotations

import queue
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import neo4j
import neo4j.exceptions
import networkx as nx

from graphsvc.collector import paused
from graphsvc.errors import (
    ConfigError,
    EntityNotFound,
    NotFound,
    StoreBusy,
    StoreLost,
    StoreUnavailable,
    ValidationFailed,
)
from graphsvc.graph import (
    Partnership,
    add_areas,
    add_entity_nodes,
    add_outcomes,
    add_partnerships,
    add_projects,
    new_snapshot,
)
from graphsvc.model import Area, Counts, Dataset, Entity, Link, Need, Offer, Outcome, Project, closed_areas
from graphsvc.settings import Settings
from graphsvc.store.base import (
    SNAPSHOT_ATTEMPTS,
    FirstLoadStream,
    GraphStore,
    RowsWritten,
    batches,
    missing_references,
    one_per_pair,
    referenced_ids,
)
from graphsvc.store.neo4j_queries import (
    ATTRIBUTE_CHARS,
    ATTRIBUTE_CHARS_OF,
    BUMP_VERSION,
    CLEAR,
    CLEAR_ARTIFACTS,
    CLEAR_PROJECTS,
    COMPLETE_ENTITIES,
    COMPLETE_PROJECTS,
    COMPLETE_RELATIONSHIPS,
    CONSTRAINTS,
    COUNT_ENTITIES,
    COUNTS,
    CREATE_NEEDS,
    CREATE_OFFERS,
    CREATE_PROJECTS,
    DELETE_AREAS,
    DELETE_ARTIFACTS,
    DELETE_ENTITIES,
    DELETE_ENTITY,
    DELETE_PROJECT,
    DELETE_PROJECTS,
    DELETE_PROJECTS_OF,
    ENTITY_IDS,
    EXISTING_KINDS,
    GET_ARTIFACT,
    GET_ENTITIES,
    GET_ENTITY,
    IS_EMPTY,
    LINK_TYPES,
    LIST_AREAS,
    LIST_ENTITIES,
    LIST_LINKS,
    LIST_NEEDS,
    LIST_OFFERS,
    LIST_OUTCOMES,
    LIST_PROJECTS,
    MERGE_AREAS,
    MERGE_CATEGORIES,
    MERGE_IDENTITY,
    MERGE_NEEDS,
    MERGE_OFFERS,
    MERGE_OUTCOMES,
    MERGE_PROJECTS,
    PRIOR_ENTITIES,
    PRIOR_LINKS,
    PRIOR_NEEDS,
    PRIOR_OFFERS,
    PRIOR_PROJECTS,
    PUT_ARTIFACT,
    READ_IDENTITY,
    READ_VERSION,
    RESTORE_LINKS,
    RESTORE_NEEDS,
    RESTORE_OFFERS,
    RESTORE_PROJECTS,
    SNAPSHOT_PAGE,
    UNDO_CREATED_ENTITIES,
    UNDO_CREATED_PROJECTS,
    UNDO_CREATED_RELATIONSHIPS,
    UNDO_FIRST_AREAS,
    UNDO_FIRST_ENTITIES,
    UNDO_FIRST_PROJECTS,
    create_entities_query,
    create_links_query,
    delete_link_query,
    merge_entities_query,
    merge_links_query,
    restore_entities_query,
)
from graphsvc.store.neo4j_rows import (
    entity_from_record,
    entity_props,
    link_from_record,
    link_row,
    outcome_from_record,
    outcome_row,
    parse_neo4j_uri,
    project_from_record,
    project_row,
    snapshot_page_rows,
)
from graphsvc.vocabulary import AREA_LEVELS, EntityKind, HierarchyLevel, LinkKind, categories

BATCH_SIZE = 10_000
SINGLE_TRANSACTION_ROWS = 50_000
"""Loads of at most this many rows run as one transaction; larger ones in batches (see ``_upsert_in_batches``)."""
BATCH_ROWS = 5_000
"""Rows per transaction of a load in batches. Measured on a first load of 20,000 communities (395,789 rows, the
statements one after another, load 3.6-4.8): the server's CPU 13.9-16.3 s at 10,000 rows, 11.5-12.4 s at 5,000,
11.4-13.8 s at 2,000 (its young-generation collections: 12.4 s in two loads at 10,000, 9.1 s at 5,000): a batch's
parameters and transaction state outlive fewer collections. The client's CPU was the same (1.8-2.0 s)."""
MIN_BATCH_ROWS = 500
SNAPSHOT_PAGE_ENTITIES = 10_000
"""Entities per page of the snapshot's read (with their needs, offers and links: one record per page)."""
T = TypeVar("T")
FIRST_LOAD: dict[str, str] = {
    **{merge_entities_query(kind): create_entities_query(kind) for kind in EntityKind},
    **{merge_links_query(kind): create_links_query(kind) for kind in LinkKind},
    MERGE_NEEDS: CREATE_NEEDS,
    MERGE_OFFERS: CREATE_OFFERS,
    MERGE_PROJECTS: CREATE_PROJECTS,
}
"""The statement a first load into an empty store runs instead of each upsert (outcomes, few, keep MERGE)."""


class OutOfMemory(StoreUnavailable):
    """The Neo4j server has no memory left for a transaction (its ``db.memory.transaction`` limits)."""


class ReadOnlyDatabase(StoreUnavailable):
    """The Neo4j server holds the database read-only (``server.databases.default_to_read_only`` or ``read_only``)."""


READ_ONLY_CODES = frozenset(
    {"Neo.ClientError.General.WriteOnReadOnlyAccessDatabase", "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"}
)


class Neo4jStore(GraphStore):
    """A store in a Neo4j database, reached through a driver the caller gives (or :meth:`from_uri` makes).

    The constructor does no I/O; the first call that needs the database creates the constraints.
    """

    def __init__(
        self, driver: neo4j.Driver, *, database: str = "neo4j", uri: str | None = None, owns_driver: bool = False
    ) -> None:
        self.driver = driver
        self.database = database
        self.uri = uri or "neo4j"
        self._owns_driver = owns_driver
        # The store's own bookmarks (not the driver's shared ones), so that a database replaced by a bulk import
        # (its transaction ids start again) can be followed by forgetting them: :meth:`_forget_bookmarks`.
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._schema_ready = False
        self._identity: str | None = None  # the database's identity, as first met
        self._lost: str | None = None  # why the store is lost, once the database answered with another identity
        self.single_transaction_rows = SINGLE_TRANSACTION_ROWS
        self.batch_rows = BATCH_ROWS
        self.snapshot_page = SNAPSHOT_PAGE_ENTITIES

    @classmethod
    def from_uri(cls, uri: str, *, settings: Settings | None = None) -> Neo4jStore:
        """A store for ``bolt://user@host:port``; the password comes from the URI or ``GRAPHSVC_NEO4J_PASSWORD``."""
        settings = settings or Settings()
        address, user, password = parse_neo4j_uri(uri)
        if password is None and settings.neo4j_password is not None:
            password = settings.neo4j_password.get_secret_value()
        if password is None:
            raise ConfigError("no Neo4j password: set GRAPHSVC_NEO4J_PASSWORD")
        driver = neo4j.GraphDatabase.driver(
            address,
            auth=(user, password),
            connection_timeout=5.0,
            max_transaction_retry_time=settings.neo4j_retry_seconds,
            notifications_min_severity="OFF",
        )
        shown = urlunsplit((urlsplit(address).scheme, f"{user}@{urlsplit(address).netloc}", "", "", ""))
        return cls(driver, database=settings.neo4j_database, uri=shown, owns_driver=True)

    # -- plumbing -----------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Driver errors that mean "the server is not there" become :class:`StoreUnavailable`."""
        try:
            yield
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} is unreachable: {exc}") from exc
        except neo4j.exceptions.AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except neo4j.exceptions.TransientError as exc:
            if "OutOfMemory" in (exc.code or ""):
                raise OutOfMemory(
                    f"Neo4j at {self.uri} ran out of memory for a transaction ({exc.code}): {exc.message}. "
                    "Nothing was written. Give the server more memory (dbms.memory.transaction.total.max, "
                    "db.memory.transaction.max, the heap) or load fewer rows at a time."
                ) from exc
            raise StoreUnavailable(f"Neo4j at {self.uri} is busy or restarting: {exc.message}") from exc
        except neo4j.exceptions.ClientError as exc:
            if exc.code in READ_ONLY_CODES:
                raise ReadOnlyDatabase(
                    f"the Neo4j database {self.database!r} at {self.uri} is read-only: nothing was written (its "
                    "server holds it read-only; writes work again once it is writable)"
                ) from exc
            raise
        except neo4j.exceptions.DatabaseError as exc:  # the server failed, not the request (e.g. its disk is full)
            raise StoreUnavailable(
                f"Neo4j at {self.uri} failed the transaction ({exc.code}); its log says why (a full disk, for "
                "one): nothing was written"
            ) from exc
        except neo4j.exceptions.IncompleteCommit as exc:
            raise StoreUnavailable(
                f"the connection to Neo4j at {self.uri} was lost during commit; the write may or may not have "
                "happened: load the same files again (loads are idempotent)"
            ) from exc

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        try:
            self._make_schema()
        except ReadOnlyDatabase:
            # A read-only database can still be read: its identity is read as it is, and the schema made (and the
            # identity kept) by the first write once it is writable again.
            with self._errors():
                records, _, _ = self.driver.execute_query(
                    READ_IDENTITY, database_=self.database, routing_=neo4j.RoutingControl.READ
                )
            self._remember_identity(records[0]["identity"])

    def _make_schema(self) -> None:
        with self._errors():
            for statement in CONSTRAINTS:
                self.driver.execute_query(statement, database_=self.database, bookmark_manager_=self._bookmarks)
            rows = [{"code": c.code, "zh": c.zh, "en": c.en, "group": c.group} for c in categories().values()]
            self.driver.execute_query(
                MERGE_CATEGORIES, {"rows": rows}, database_=self.database, bookmark_manager_=self._bookmarks
            )
            records, _, _ = self.driver.execute_query(
                MERGE_IDENTITY, {"id": uuid.uuid4().hex}, database_=self.database, bookmark_manager_=self._bookmarks
            )
        self._remember_identity(records[0]["identity"])
        self._schema_ready = True

    def _forget_bookmarks(self) -> None:
        """After the database was replaced by a bulk import: its transaction ids start again, so the bookmarks
        of the transactions before it would make the server wait for transactions it will never have."""
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._schema_ready = False  # the imported database has no constraints yet

    def _remember_identity(self, identity: str | None) -> None:
        """Remember the database's identity the first time, and from then on refuse a database with another one
        (:class:`~graphsvc.errors.StoreLost`): it was wiped or replaced, and what this process wrote or read
        would not be what other processes see."""
        if self._lost is not None:
            raise StoreLost(self._lost)
        if self._identity is None:
            self._identity = identity
            return
        if identity == self._identity:
            return
        what = "was wiped" if identity is None else "was replaced by another database"
        self._lost = (
            f"the Neo4j database {self.database!r} at {self.uri} {what} after this process first used it; to lose "
            "nothing, nothing is read from it or written to it any more: restart graphsvc to use it as it is now"
        )
        raise StoreLost(self._lost)

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        self._ensure_schema()
        with self._errors():
            records, _, _ = self.driver.execute_query(
                query,
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                bookmark_manager_=self._bookmarks,
            )
        return list(records)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        self._ensure_schema()
        self._remember_identity(self._read(READ_IDENTITY)[0]["identity"])  # never write into another database
        with self._errors(), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    # -- writes -------------------------------------------------------------
    def upsert(self, dataset: Dataset, *, progress: RowsWritten | None = None, replace: bool = False) -> None:
        """Write ``dataset``: in one transaction if it is small enough, else in batches that undo themselves.

        A load of at most :attr:`single_transaction_rows` rows (or any load that fits the server's transaction
        memory) runs as one managed transaction. A larger one, or one the server has no memory for, runs as
        :meth:`_upsert_in_batches`: all or nothing too, by undoing what it wrote if a batch fails. With
        ``replace``, the one transaction first deletes every entity and artifact; in batches, see
        :meth:`_replace_in_batches`.
        """
        statements, outside = self._statements(dataset)
        if replace:
            problems = missing_references(dataset, [])
            if problems:
                raise ValidationFailed(problems)
        rows = sum(len(r) for _, r in statements)
        if rows > self.single_transaction_rows:
            self._in_batches(dataset, statements, outside, progress, replace)
            return

        def work(tx: neo4j.ManagedTransaction) -> list[int]:
            if replace:
                tx.run(DELETE_PROJECTS).consume()
                tx.run(DELETE_ENTITIES).consume()
                tx.run(DELETE_AREAS).consume()
                tx.run(DELETE_ARTIFACTS).consume()
            else:
                existing = [r["id"] for r in tx.run(EXISTING_KINDS, ids=outside)] if outside else []
                problems = missing_references(dataset, existing)
                if problems:
                    raise ValidationFailed(problems)
            # Into a store holding no entity, project or area (this transaction's view), nothing can be found:
            # CREATE, as a first load in batches does (all in this one transaction, so nothing to undo).
            first = bool(tx.run(IS_EMPTY).single(strict=True)["empty"])
            written = []
            for query, rows in statements:
                for batch in batches(rows, BATCH_SIZE):
                    tx.run(FIRST_LOAD.get(query, query) if first else query, rows=list(batch), load=None).consume()
                    written.append(len(batch))
            written.append(_write_areas(tx, dataset))
            tx.run(BUMP_VERSION).consume()
            return written

        try:
            counts = self._write(work)
        except OutOfMemory:
            self._in_batches(dataset, statements, outside, progress, replace)
            return
        # The transaction may be retried, so progress is reported once it has committed.
        for count in counts:
            if progress is not None:
                progress(count)

    def first_load_stream(self, rows: int) -> FirstLoadStream | None:
        """A first load written while it is still checked (:class:`StreamedFirstLoad`): for a load of more than
        :attr:`single_transaction_rows` rows (a smaller one is one transaction, written in a moment) into a store
        that holds no entity, project or area; else ``None``."""
        if rows <= self.single_transaction_rows or not self._read(IS_EMPTY)[0]["empty"]:
            return None
        stream = StreamedFirstLoad(self)
        stream.start()
        return stream

    def bulk_upsert(self, dataset: Dataset, *, progress: RowsWritten | None = None, replace: bool = False) -> None:
        """A first load through Neo4j's offline importer: the local server restarts (see
        :func:`graphsvc.store.neo4j_bulk.bulk_load`)."""
        from graphsvc.store.neo4j_bulk import bulk_load

        bulk_load(self, dataset, replace=replace, progress=progress)

    def _statements(self, dataset: Dataset) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[str]]:
        """The batched statements of a load, and the ids it references without defining them."""
        # One row per key, the last one given (as MERGE's last SET, and as the bulk path): a first load CREATEs.
        entities_by_kind: dict[EntityKind, list[dict[str, Any]]] = defaultdict(list)
        for e in {e.id: e for e in dataset.entities}.values():
            entities_by_kind[e.kind].append({"id": e.id, "props": entity_props(e)})
        links_by_kind: dict[LinkKind, list[dict[str, Any]]] = defaultdict(list)
        for link in one_per_pair(dataset.links):
            links_by_kind[link.kind].append(link_row(link))
        statements: list[tuple[str, list[dict[str, Any]]]] = []
        statements += [(merge_entities_query(kind), rows) for kind, rows in sorted(entities_by_kind.items())]
        statements += [(merge_links_query(kind), rows) for kind, rows in sorted(links_by_kind.items())]
        statements.append((MERGE_NEEDS, [n.model_dump() for n in {n.key: n for n in dataset.needs}.values()]))
        statements.append((MERGE_OFFERS, [o.model_dump() for o in {o.key: o for o in dataset.offers}.values()]))
        if dataset.outcomes:
            statements.append((MERGE_OUTCOMES, [outcome_row(o) for o in dataset.outcomes]))
        if dataset.projects:
            statements.append((MERGE_PROJECTS, [project_row(p) for p in {p.id: p for p in dataset.projects}.values()]))
        new_ids = {e.id for e in dataset.entities}
        return statements, sorted(referenced_ids(dataset) - new_ids)

    def _in_batches(
        self,
        dataset: Dataset,
        statements: list[tuple[str, list[dict[str, Any]]]],
        outside: list[str],
        progress: RowsWritten | None,
        replace: bool,
    ) -> None:
        if replace:
            self._replace_in_batches(dataset, statements, progress)
        else:
            self._upsert_in_batches(dataset, statements, outside, progress)

    def _replace_in_batches(
        self, dataset: Dataset, statements: list[tuple[str, list[dict[str, Any]]]], progress: RowsWritten | None
    ) -> None:
        """A replacing load too large for one transaction: what the store holds is read, the store cleared and
        the load written in batches (:meth:`_upsert_in_batches`, which undoes itself if a batch fails); if it
        fails, what the store held is written back before the error is raised. The artifacts kept from the old
        data are not put back: the data version has moved, so they were stale anyway. (If this process dies
        half-way, the store holds part of the load: loading the same files again with ``replace`` completes it.)
        """
        held = self.dataset()
        self.clear()
        try:
            self._upsert_in_batches(dataset, statements, [], progress)
        except BaseException:
            self.clear()
            self.upsert(held)
            raise

    def _upsert_in_batches(
        self,
        dataset: Dataset,
        statements: list[tuple[str, list[dict[str, Any]]]],
        outside: list[str],
        progress: RowsWritten | None,
    ) -> None:
        """A load too large for one transaction: each batch is its own transaction, sized to the server's memory.

        Before writing, the load is validated and what it will change is read (the entities, links, needs and
        offers it names that already exist). New nodes and relationships carry the load's id while it runs. If
        a batch fails (after the driver's retries, and after halving batches the server has no memory for),
        the load is undone — what it created is deleted, what it changed is put back — and the error is raised:
        the store is as it was. When every batch has committed, the marks are removed. The data version moves
        before and after, so no reader keeps a view taken half-way under the final version. (If this process
        dies half-way, the marked part stays; loading the same files again completes it.) Into a store that
        holds no entity, project or area, the load is :meth:`_first_load` instead: no prior state, no marks.
        """
        existing = [r["id"] for r in self._read(EXISTING_KINDS, ids=outside)] if outside else []
        problems = missing_references(dataset, existing)
        if problems:
            raise ValidationFailed(problems)
        if self._read(IS_EMPTY)[0]["empty"]:
            self._first_load(dataset, statements, progress)
            return
        prior = self._prior_state(dataset)
        load = uuid.uuid4().hex
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())
        try:
            for query, rows in statements:
                self._write_rows(query, rows, load, progress)
            written = self._write(lambda tx: _write_areas(tx, dataset))  # few rows: one transaction, or none
            if progress is not None:
                progress(written)
        except BaseException:
            self._undo(load, prior)
            raise
        self._finish(COMPLETE_RELATIONSHIPS, load)
        self._finish(COMPLETE_ENTITIES, load)
        self._finish(COMPLETE_PROJECTS, load)
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())

    def _first_load(
        self, dataset: Dataset, statements: list[tuple[str, list[dict[str, Any]]]], progress: RowsWritten | None
    ) -> None:
        """A load in batches into a store that holds no entity, project or area: the same rows, each written by
        ``CREATE`` (:data:`FIRST_LOAD`: no lookup of a node or relationship that cannot exist yet), with no marks
        to remove afterwards and no prior state to read. If a batch fails, what the load wrote is deleted by the
        keys it holds (its entities with their relationships, its projects and areas), so the store is empty
        again. Should another process write into the store during the load, its writes stay unless they touch
        the load's entities, which a failed load deletes with whatever was attached to them."""
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())
        try:
            for query, rows in statements:
                self._write_rows(FIRST_LOAD.get(query, query), rows, None, progress)
            written = self._write(lambda tx: _write_areas(tx, dataset))
            if progress is not None:
                progress(written)
        except BaseException:
            self._undo_first_load(dataset)
            raise
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())

    def _undo_first_load(self, dataset: Dataset) -> None:
        """Delete what a first load wrote (see :meth:`_first_load`), by its keys, and move the data version on."""
        self._undo_first_load_keys({e.id for e in dataset.entities}, {p.id for p in dataset.projects}, dataset.areas)

    def _undo_first_load_keys(self, entity_ids: set[str], project_ids: set[str], areas: list[Area]) -> None:
        """Delete the projects, the entities (with their relationships) and the areas (the listed ones and those
        they imply) of a first load by their keys, and move the data version on."""
        listed, implied = closed_areas(areas)
        undo: list[tuple[str, str, list[Any]]] = [
            (UNDO_FIRST_PROJECTS, "ids", sorted(project_ids)),
            (UNDO_FIRST_ENTITIES, "ids", sorted(entity_ids)),
            (UNDO_FIRST_AREAS, "rows", [{"level": a.level.value, "name": a.name} for a in listed + implied]),
        ]
        for query, name, values in undo:
            for chunk in batches(values, BATCH_SIZE):
                self._write(lambda tx, c=list(chunk), q=query, n=name: tx.run(q, {n: c}).consume())  # type: ignore[misc]
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())

    def _write_rows(
        self, query: str, rows: list[dict[str, Any]], load: str | None, progress: RowsWritten | None
    ) -> None:
        """``rows`` through ``query``, one transaction per batch; a batch the server has no memory for is halved."""
        size = min(self.batch_rows, max(1, len(rows)))
        start = 0
        while start < len(rows):
            batch = rows[start : start + size]
            try:
                self._write(lambda tx, b=batch: tx.run(query, rows=b, load=load).consume())  # type: ignore[misc]
            except OutOfMemory:
                if size <= MIN_BATCH_ROWS:
                    raise
                size = max(MIN_BATCH_ROWS, size // 2)
                continue
            start += len(batch)
            if progress is not None:
                progress(len(batch))

    def _prior_state(self, dataset: Dataset) -> dict[str, list[dict[str, Any]]]:
        """What a load will change, as it is before it (to put back if the load fails)."""
        ids = [e.id for e in dataset.entities]
        links = [{"source": x.source, "target": x.target, "type": LINK_TYPES[x.kind]} for x in dataset.links]
        needs = [{"community": n.community, "category": n.category} for n in dataset.needs]
        offers = [{"partner": o.partner, "category": o.category} for o in dataset.offers]
        prior: dict[str, list[dict[str, Any]]] = {"entities": [], "links": [], "needs": [], "offers": []}
        for id_chunk in batches(ids, BATCH_SIZE):
            prior["entities"] += [dict(r) for r in self._read(PRIOR_ENTITIES, ids=list(id_chunk))]
        prior["projects"] = []  # projects the load replaces, with their community and sponsors, to put back
        for id_chunk in batches([p.id for p in dataset.projects], BATCH_SIZE):
            prior["projects"] += [dict(r) for r in self._read(PRIOR_PROJECTS, ids=list(id_chunk))]
        for key, query, wanted in (
            ("links", PRIOR_LINKS, links),
            ("needs", PRIOR_NEEDS, needs),
            ("offers", PRIOR_OFFERS, offers),
        ):
            for chunk in batches(wanted, BATCH_SIZE):
                prior[key] += [dict(r) for r in self._read(query, rows=list(chunk))]
        return prior

    def _undo(self, load: str, prior: dict[str, list[dict[str, Any]]]) -> None:
        """Delete what load ``load`` created and put back what it changed."""
        with self._errors(), self.driver.session(database=self.database) as session:
            session.run(UNDO_CREATED_PROJECTS, load=load).consume()
            session.run(UNDO_CREATED_RELATIONSHIPS, load=load).consume()
            session.run(UNDO_CREATED_ENTITIES, load=load).consume()
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in prior["entities"]:
            by_kind[row["kind"]].append({"id": row["id"], "props": row["props"]})
        restores = [(restore_entities_query(EntityKind(kind)), rows) for kind, rows in sorted(by_kind.items())]
        restores += [
            (RESTORE_LINKS, prior["links"]),
            (RESTORE_NEEDS, prior["needs"]),
            (RESTORE_OFFERS, prior["offers"]),
            (RESTORE_PROJECTS, prior.get("projects", [])),
        ]
        for query, rows in restores:
            for chunk in batches(rows, MIN_BATCH_ROWS):
                self._write(lambda tx, c=list(chunk), q=query: tx.run(q, rows=c).consume())  # type: ignore[misc]
        self._write(lambda tx: tx.run(BUMP_VERSION).consume())

    def _finish(self, query: str, load: str) -> None:
        self._ensure_schema()
        with self._errors(), self.driver.session(database=self.database) as session:
            session.run(query, load=load).consume()

    def delete_entity(self, entity_id: str) -> None:
        def work(tx: neo4j.ManagedTransaction) -> int:
            tx.run(DELETE_PROJECTS_OF, id=entity_id).consume()  # its projects go with it (rolled back if absent)
            deleted = int(tx.run(DELETE_ENTITY, id=entity_id).single(strict=True)["n"])
            if deleted:
                tx.run(BUMP_VERSION).consume()
            return deleted

        if self._write(work) == 0:
            raise EntityNotFound(entity_id)

    def delete_link(self, source: str, target: str, kind: str) -> bool:
        query = delete_link_query(LinkKind(kind))

        def work(tx: neo4j.ManagedTransaction) -> int:
            deleted = int(tx.run(query, source=source, target=target).single(strict=True)["n"])
            if deleted:
                tx.run(BUMP_VERSION).consume()
            return deleted

        return self._write(work) > 0

    def clear(self) -> None:
        """Delete every entity with its links, needs and offers, and the kept artifacts; the vocabulary's
        categories stay.

        The deletion runs in batches of transactions (a large district does not fit one), so the data version
        moves before and after it: a reader during a clear may see it part done, but never under the version of
        the data before or after it.
        """
        self._ensure_schema()
        with self._errors(), self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(BUMP_VERSION).consume())
            session.run(CLEAR_PROJECTS).consume()
            session.run(CLEAR).consume()
            session.run(DELETE_AREAS).consume()
            session.run(CLEAR_ARTIFACTS).consume()
            session.execute_write(lambda tx: tx.run(BUMP_VERSION).consume())

    def data_version(self) -> int:
        """The data version, read with the database's identity: the freshness tick notices a database replaced."""
        record = self._read(READ_VERSION)[0]
        self._remember_identity(record["identity"])
        return int(record["version"])

    def put_artifact(self, name: str, version: int, data: bytes) -> None:
        self._write(lambda tx: tx.run(PUT_ARTIFACT, name=name, version=version, data=data).consume())

    def get_artifact(self, name: str) -> tuple[int, bytes] | None:
        records = self._read(GET_ARTIFACT, name=name)
        return (int(records[0]["version"]), bytes(records[0]["data"])) if records else None

    # -- reads --------------------------------------------------------------
    def get_entity(self, entity_id: str) -> Entity:
        records = self._read(GET_ENTITY, id=entity_id)
        if not records:
            raise EntityNotFound(entity_id)
        return entity_from_record(records[0])

    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        return [entity_from_record(r) for r in self._read(GET_ENTITIES, ids=sorted(set(ids)))]

    def list_entities(
        self, *, kind: EntityKind | None = None, street: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        kind_value = EntityKind(kind).value if kind is not None else None
        limit_value = limit if limit is not None else 2**62
        records = self._read(LIST_ENTITIES, kind=kind_value, street=street, limit=limit_value, offset=offset)
        return [entity_from_record(r) for r in records]

    def count_entities(self, *, kind: EntityKind | None = None, street: str | None = None) -> int:
        kind_value = EntityKind(kind).value if kind is not None else None
        return int(self._read(COUNT_ENTITIES, kind=kind_value, street=street)[0]["n"])

    def existing_kinds(self, ids: Iterable[str]) -> dict[str, EntityKind]:
        return {r["id"]: EntityKind(r["kind"]) for r in self._read(EXISTING_KINDS, ids=list(ids))}

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int:
        if ids is None:
            return int(self._read(ATTRIBUTE_CHARS)[0]["chars"])
        return int(self._read(ATTRIBUTE_CHARS_OF, ids=list(ids))[0]["chars"])

    def entity_ids(self) -> list[str]:
        return [r["id"] for r in self._read(ENTITY_IDS)]

    def list_links(self, entity_id: str | None = None) -> list[Link]:
        return [link_from_record(r) for r in self._read(LIST_LINKS, id=entity_id)]

    def list_needs(self, community: str | None = None) -> list[Need]:
        records = self._read(LIST_NEEDS, id=community)
        return [Need.model_construct(community=r[0], category=r[1], weight=r[2]) for r in records]

    def list_offers(self, partner: str | None = None) -> list[Offer]:
        records = self._read(LIST_OFFERS, id=partner)
        return [Offer.model_construct(partner=r[0], category=r[1], capacity=r[2]) for r in records]

    def list_areas(self) -> list[Area]:
        return _areas(self._read(LIST_AREAS))

    def counts(self) -> Counts:
        counts = Counts.empty()
        record = self._read(COUNTS)[0]  # one query: all counts from one state of the data
        for kind, n in record["kinds"]:
            counts.entities[kind] = int(n)
        counts.links, counts.needs, counts.offers = int(record["links"]), int(record["needs"]), int(record["offers"])
        counts.outcomes = int(record["outcomes"])
        counts.projects = int(record["projects"])
        return counts

    def list_outcomes(self, community: str | None = None, partner: str | None = None) -> list[Outcome]:
        return [outcome_from_record(r) for r in self._read(LIST_OUTCOMES, community=community, partner=partner)]

    # -- projects ---------------------------------------------------------------
    def list_projects(self, community: str | None = None) -> list[Project]:
        return [project_from_record(r) for r in self._read(LIST_PROJECTS, community=community, id=None)]

    def get_project(self, project_id: str) -> Project:
        records = self._read(LIST_PROJECTS, community=None, id=project_id)
        if not records:
            raise NotFound(f"no project with id {project_id!r}")
        return project_from_record(records[0])

    def delete_project(self, project_id: str) -> bool:
        def work(tx: neo4j.ManagedTransaction) -> int:
            deleted = int(tx.run(DELETE_PROJECT, id=project_id).single(strict=True)["n"])
            if deleted:
                tx.run(BUMP_VERSION).consume()
            return deleted

        return self._write(work) > 0

    def snapshot(self) -> nx.Graph:
        """The whole district as a new graph (see :meth:`snapshot_with_version`)."""
        return self.snapshot_with_version()[1]

    def snapshot_with_version(self) -> tuple[int, nx.Graph]:
        """The whole district as a new graph, with the data version it shows, read in one transaction.

        Every entity comes with its needs, offers and outgoing links, in pages of :attr:`snapshot_page`
        entities, each page one record of lists (``SNAPSHOT_PAGE``). Neo4j reads committed data, so the
        version is read before and after the pages: if a write committed in between, the snapshot is read
        again (``StoreBusy`` if writes kept landing through every attempt). The graph is built by the same
        helpers of :mod:`graphsvc.graph` as :func:`~graphsvc.graph.build_graph`, in the same order as the
        SQLite store's (nodes by id, links by source, target and kind), once the read has checked out.
        """
        self._ensure_schema()
        for _ in range(SNAPSHOT_ATTEMPTS):
            with paused():
                with self._errors(), self.driver.session(database=self.database) as session:
                    before, after, nodes, links, outcomes, projects, areas = session.execute_read(self._read_snapshot)
                if before == after:
                    nodes.sort(key=itemgetter(0))
                    links.sort(key=itemgetter(0, 1, 2))
                    G = new_snapshot()
                    add_areas(G, areas)
                    add_entity_nodes(G, nodes)
                    add_partnerships(G, links)
                    add_outcomes(G, outcomes)
                    add_projects(G, projects)
                    return before, G
        raise StoreBusy(f"the data in {self.uri} kept changing while it was read; try again")

    def _read_snapshot(
        self, tx: neo4j.ManagedTransaction
    ) -> tuple[
        int, int, list[tuple[str, dict[str, Any]]], list[Partnership], list[dict[str, Any]], list[Project], list[Area]
    ]:
        """The data version, every page of the snapshot's rows, the recorded outcomes, the projects, the areas, and
        the data version again."""
        before = int(tx.run(READ_VERSION).single(strict=True)["version"])
        nodes: list[tuple[str, dict[str, Any]]] = []
        links: list[Partnership] = []
        start = ""
        while True:
            page = tx.run(SNAPSHOT_PAGE, {"from": start, "page": self.snapshot_page}).single(strict=True)
            rows = page["rows"]
            snapshot_page_rows(rows, nodes, links)
            if len(rows) < self.snapshot_page:
                break
            start = page["last"] + "\0"
        outcomes = [outcome_from_record(r).plain() for r in tx.run(LIST_OUTCOMES, community=None, partner=None)]
        projects = [project_from_record(r) for r in tx.run(LIST_PROJECTS, community=None, id=None)]
        areas = _areas(list(tx.run(LIST_AREAS)))
        after = int(tx.run(READ_VERSION).single(strict=True)["version"])
        return before, after, nodes, links, outcomes, projects, areas

    # -- life cycle ---------------------------------------------------------
    def ping(self) -> None:
        if self._lost is not None:
            raise StoreLost(self._lost)
        with self._errors():
            self.driver.verify_connectivity()

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()


_ENTITY_QUERIES = {kind: merge_entities_query(kind) for kind in EntityKind}
_LINK_QUERIES = {kind: merge_links_query(kind) for kind in LinkKind}


class StreamedFirstLoad(FirstLoadStream):
    """A first load into an empty Neo4j store, written by a thread of its own while the loader still checks it
    (:meth:`Neo4jStore.first_load_stream`).

    The records sent go into one buffer per statement (the ``CREATE`` statements of ``FIRST_LOAD``, as
    :meth:`Neo4jStore._first_load` writes them), each written in transactions of ``batch_rows`` rows as it
    fills; the first record that is not an entity writes out every entity first (the loader sends all of them
    before any other).
    The driver waits for the server without the GIL, so the server writes while the loader checks. A repeated
    entity or project id (a problem the loader's checks report) is written once, so the server refuses nothing
    the checks would not. :meth:`abort` deletes what was written by its keys (as a failed first load does): the
    store is empty again. The data version moves when the load starts and when it ends or is undone.
    """

    def __init__(self, store: Neo4jStore) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[Sequence[Any] | None] = queue.SimpleQueue()
        self._written: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._entities_written = False
        self._entity_ids: set[str] = set()
        self._project_ids: set[str] = set()
        self._sent: Counter[type] = Counter()
        self._areas: list[Area] = []
        self._thread = threading.Thread(target=self._run, name="graphsvc-first-load", daemon=True)

    def start(self) -> None:
        self.store._write(lambda tx: tx.run(BUMP_VERSION).consume())
        self._thread.start()

    def send(self, records: Sequence[Entity | Link | Need | Offer | Outcome | Project]) -> None:
        if self._error is not None:
            raise self._error
        if records:
            self._queue.put(records)

    def commit(self, dataset: Dataset, progress: RowsWritten | None = None) -> None:
        self._queue.put(None)
        while self._thread.is_alive() or not self._written.empty():
            try:
                written = self._written.get(timeout=0.1)
            except queue.Empty:
                continue
            if progress is not None:
                progress(written)
        self._thread.join()
        if self._error is not None:
            raise self._error
        expected: Counter[type] = Counter(type(r) for table in _WRITTEN_TABLES for r in getattr(dataset, table))
        if +self._sent != +expected:
            raise RuntimeError(f"a streamed first load was sent {dict(self._sent)}, not its dataset's {dict(expected)}")
        problems = missing_references(dataset, [])  # the store's own check, as every load's: names only its own
        if problems:
            raise ValidationFailed(problems)
        self._areas = dataset.areas
        written = self.store._write(lambda tx: _write_areas(tx, dataset))
        if progress is not None:
            progress(written)
        self.store._write(lambda tx: tx.run(BUMP_VERSION).consume())

    def abort(self) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join()
        self.store._undo_first_load_keys(self._entity_ids, self._project_ids, self._areas)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                records = self._queue.get()
                if records is None:
                    self._flush(whole=True)
                    return
                if not isinstance(records[0], Entity) and not self._entities_written:
                    self._flush(whole=True)  # what comes now names entities: every one is written first
                    self._entities_written = True
                self._take(records)
                self._flush(whole=False)
        except BaseException as exc:  # raised in the loader's thread by send() or commit()
            self._error = exc

    def _take(self, records: Sequence[Entity | Link | Need | Offer | Outcome | Project]) -> None:
        """Each record's row into its statement's buffer (a repeated entity or project id: the first only)."""
        self._sent[type(records[0])] += len(records)
        for r in records:
            if isinstance(r, Entity):
                if r.id in self._entity_ids:
                    continue
                self._entity_ids.add(r.id)
                query, row = _ENTITY_QUERIES[r.kind], {"id": r.id, "props": entity_props(r)}
            elif isinstance(r, Link):
                query, row = _LINK_QUERIES[r.kind], link_row(r)
            elif isinstance(r, Need):
                query, row = MERGE_NEEDS, r.model_dump()
            elif isinstance(r, Offer):
                query, row = MERGE_OFFERS, r.model_dump()
            elif isinstance(r, Outcome):
                query, row = MERGE_OUTCOMES, outcome_row(r)
            else:
                if r.id in self._project_ids:
                    continue
                self._project_ids.add(r.id)
                query, row = MERGE_PROJECTS, project_row(r)
            self._buffers.setdefault(query, []).append(row)

    def _flush(self, *, whole: bool) -> None:
        """Write every full batch of the buffers (``whole``: everything they hold)."""
        size = self.store.batch_rows
        for query, rows in self._buffers.items():
            while len(rows) >= size or (whole and rows):
                if self._stop.is_set():
                    return
                batch = rows[:size]
                del rows[:size]
                self.store._write_rows(FIRST_LOAD.get(query, query), batch, None, self._written.put)


_WRITTEN_TABLES = ("entities", "links", "needs", "offers", "outcomes", "projects")
"""The tables of a dataset a :class:`StreamedFirstLoad` is sent (its areas come with its ``commit``)."""


def _write_areas(tx: neo4j.ManagedTransaction, dataset: Dataset) -> int:
    """Write the areas ``dataset`` lists (their parents created where absent); how many it lists."""
    listed, _ = closed_areas(dataset.areas)
    if listed:
        rows = [
            {"level": a.level.value, "name": a.name, "parent": a.parent, "parent_level": (a.parent_key or ("", ""))[0]}
            for a in listed
        ]
        tx.run(MERGE_AREAS, rows=rows).consume()
    return len(listed)


def _areas(records: Iterable[Any]) -> list[Area]:
    """Area records from ``LIST_AREAS`` rows, ordered by level from street up, then by name."""
    areas = [
        Area.model_construct(level=HierarchyLevel(r["level"]), name=r["name"], parent=r["parent"]) for r in records
    ]
    return sorted(areas, key=lambda a: (AREA_LEVELS.index(a.level), a.name))
