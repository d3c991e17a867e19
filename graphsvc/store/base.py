"""The storage interface every store implements.

A store keeps the four tables (entities, links, needs, offers) and hands the
whole district back as a snapshot graph. :meth:`GraphStore.upsert` is the one
write primitive: it is all-or-nothing and idempotent (records are keyed by
entity id; by ``(source, target, kind)`` for links; by ``(community,
category)`` / ``(partner, category)`` for needs and offers), so loading the same
files twice leaves the same store.

Every write that commits also moves the store's **data version**
(:meth:`GraphStore.data_version`), in the same transaction as the write. It is
kept in the store itself, so every process that opens the same store sees the
same number: a process that remembers the version its snapshot was built at
knows, with one cheap read, whether the data has changed since (the API's
workers poll it; fitted models are kept under it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from graphsvc.collector import paused
from graphsvc.errors import NotFound, Problem, StoreBusy
from graphsvc.graph import build_graph
from graphsvc.model import Area, Counts, Dataset, Entity, Link, Need, Offer, Outcome, Project
from graphsvc.vocabulary import EntityKind

if TYPE_CHECKING:  # a snapshot's type: the graph is built by graphsvc.graph, which imports networkx then
    import networkx as nx

RowsWritten = Callable[[int], None]
"""A store's write progress: called with the number of rows written so far (not the analyses' ``(done, total)``
hook of :mod:`graphsvc.progress`: a load's bar knows its total from the dataset)."""
T = TypeVar("T")
SNAPSHOT_ATTEMPTS = 5


class FirstLoadStream(ABC):
    """A first load into an empty store, written while the load is still being checked
    (:meth:`GraphStore.first_load_stream`).

    The loader hands it the records of rows that passed their own checks as they come (:meth:`send`: every
    entity before any link, need, offer, outcome or project), then either the whole checked dataset
    (:meth:`commit`) or nothing more (:meth:`abort`: the checks found a problem, or anything else failed).
    After ``abort`` the store is empty again, as before the load.
    """

    @abstractmethod
    def send(self, records: Sequence[Entity | Link | Need | Offer | Outcome | Project]) -> None:
        """Queue records of one table for writing; raise the writer's error if it has failed."""

    @abstractmethod
    def commit(self, dataset: Dataset, progress: RowsWritten | None = None) -> None:
        """Write the rest of ``dataset`` (what was not sent: its areas) once every record of it was sent, and
        wait for the writer (``progress``: as :meth:`GraphStore.upsert`'s, every row of the dataset counted once).
        If this raises, call :meth:`abort`."""

    @abstractmethod
    def abort(self) -> None:
        """Stop writing and delete what was written: the store is as it was before the load."""


def batches(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``rows`` in consecutive slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def missing_references(dataset: Dataset, existing: Iterable[str]) -> list[Problem]:
    """Problems for links, needs and offers of ``dataset`` that name unknown ids."""
    known = {e.id for e in dataset.entities} | set(existing)
    problems: list[Problem] = []
    refs: list[tuple[str, str, str]] = []
    refs += [("links", "source", link.source) for link in dataset.links]
    refs += [("links", "target", link.target) for link in dataset.links]
    refs += [("needs", "community", n.community) for n in dataset.needs]
    refs += [("offers", "partner", o.partner) for o in dataset.offers]
    refs += [("outcomes", field, getattr(o, field)) for o in dataset.outcomes for field in ("community", "partner")]
    refs += project_references(dataset)
    for table, field, ref in refs:
        if ref not in known:
            problems.append(Problem(table, None, field, f"no entity with id {ref!r}"))
    return problems


def one_per_pair(links: Sequence[Link]) -> list[Link]:
    """``links`` with at most one per :attr:`~graphsvc.model.Link.pair`: a later link of a pair replaces an earlier
    one's values, in the direction the earlier one was written."""
    kept: dict[tuple[str, str, str], Link] = {}
    for link in links:
        first = kept.get(link.pair)
        if first is not None and first.key != link.key:
            link = link.model_copy(update={"source": first.source, "target": first.target})
        kept[link.pair] = link
    return list(kept.values())


def referenced_ids(dataset: Dataset) -> set[str]:
    """Every entity id that the links, needs and offers of ``dataset`` name."""
    ids = {link.source for link in dataset.links} | {link.target for link in dataset.links}
    ids |= {n.community for n in dataset.needs} | {o.partner for o in dataset.offers}
    ids |= {o.community for o in dataset.outcomes} | {o.partner for o in dataset.outcomes}
    ids |= {ref for _, _, ref in project_references(dataset)}
    return ids


def project_references(dataset: Dataset) -> list[tuple[str, str, str]]:
    """``(table, field, id)`` of every entity the projects of ``dataset`` name: their communities and sponsors."""
    refs = [("projects", "community", p.community) for p in dataset.projects]
    refs += [("projects", "sponsors", s.partner) for p in dataset.projects for s in p.sponsors]
    return refs


class GraphStore(ABC):
    """One district's entities, partnerships, needs and offers."""

    uri: str

    # -- writes -------------------------------------------------------------
    @abstractmethod
    def upsert(self, dataset: Dataset, *, progress: RowsWritten | None = None, replace: bool = False) -> None:
        """Insert or replace every record of ``dataset`` in one all-or-nothing step.

        ``progress``, if given, is called with the number of rows written since
        its last call (for progress bars on long loads).

        Links, needs and offers must name entities that exist in the store or
        in ``dataset``; otherwise :class:`~graphsvc.errors.ValidationFailed`
        is raised and nothing changes. A link whose reverse (same kind, the
        two ends swapped) is stored updates that one: a pair has one link.

        ``replace``: empty the store first (its data and the artifacts kept from it, as :meth:`clear`) in the
        same all-or-nothing step, so that it then holds exactly ``dataset``, whose links, needs and offers must
        name its own entities. If the load fails, the store keeps what it held.
        """

    def bulk_upsert(self, dataset: Dataset, *, progress: RowsWritten | None = None, replace: bool = False) -> None:
        """:meth:`upsert` for a first load into an empty store (or one that ``replace``-s it), through the store's
        own bulk importer where it has one (Neo4j: its offline importer, see :mod:`graphsvc.store.neo4j_bulk`);
        a store without one loads the ordinary way. All or nothing, as :meth:`upsert`."""
        self.upsert(dataset, progress=progress, replace=replace)

    def first_load_stream(self, rows: int) -> FirstLoadStream | None:
        """A writer for a load of about ``rows`` rows into this store that starts writing while the load is still
        being checked, if the store is empty (no entity, project or area) and has such a writer for a load that
        large (Neo4j: see ``Neo4jStore.first_load_stream``); else ``None``: the load is written by
        :meth:`upsert` once checked."""
        return None

    @abstractmethod
    def delete_entity(self, entity_id: str) -> None:
        """Delete an entity with its links, needs and offers (``EntityNotFound`` if absent)."""

    @abstractmethod
    def delete_link(self, source: str, target: str, kind: str) -> bool:
        """Delete one link, written in either direction; return whether it existed."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything: the data, and the artifacts kept from it (a fitted model, kept lists)."""

    @abstractmethod
    def data_version(self) -> int:
        """The store's data version: a number that changes with every committed write (one cheap read).

        Loads, imports, deletes and clears move it in the same transaction as the
        write; reads and writes that fail or change nothing leave it. It never goes
        back while the store exists, so two reads that return the same number saw
        the same data. A store never written answers 0.
        """

    @abstractmethod
    def put_artifact(self, name: str, version: int, data: bytes) -> None:
        """Keep ``data`` (something computed from the data, e.g. a fitted model) under ``name``, made from the
        data at ``version``; it replaces what ``name`` held. Not a write of the data: the version stays."""

    @abstractmethod
    def get_artifact(self, name: str) -> tuple[int, bytes] | None:
        """``(version, data)`` last kept under ``name``, or ``None``. Callers compare the version with
        :meth:`data_version`: any write since makes the artifact stale."""

    def upsert_entities(self, entities: Iterable[Entity]) -> None:
        self.upsert(Dataset(entities=list(entities)))

    def upsert_links(self, links: Iterable[Link]) -> None:
        self.upsert(Dataset(links=list(links)))

    def upsert_needs(self, needs: Iterable[Need]) -> None:
        self.upsert(Dataset(needs=list(needs)))

    def upsert_offers(self, offers: Iterable[Offer]) -> None:
        self.upsert(Dataset(offers=list(offers)))

    # -- reads --------------------------------------------------------------
    @abstractmethod
    def get_entity(self, entity_id: str) -> Entity:
        """The entity with this id (``EntityNotFound`` if absent)."""

    @abstractmethod
    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        """The entities with these ids that exist, ordered by id (one round trip)."""

    @abstractmethod
    def list_entities(
        self, *, kind: EntityKind | None = None, street: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        """Entities ordered by id, optionally filtered and paged."""

    @abstractmethod
    def count_entities(self, *, kind: EntityKind | None = None, street: str | None = None) -> int:
        """How many entities :meth:`list_entities` would return without paging."""

    @abstractmethod
    def existing_kinds(self, ids: Iterable[str]) -> dict[str, EntityKind]:
        """For the given ids, the kind of each one that exists in the store."""

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int:
        """Characters of the extra attributes (each entity's as one JSON object) of ``ids``, or of every entity."""
        import json

        entities = self.list_entities() if ids is None else self.get_entities(ids)
        return sum(len(json.dumps(e.attributes, ensure_ascii=False, sort_keys=True)) for e in entities)

    def entity_ids(self) -> list[str]:
        """Every entity's id, in no order (a load checks its new ids against them for look-alikes)."""
        return [e.id for e in self.list_entities()]

    @abstractmethod
    def list_links(self, entity_id: str | None = None) -> list[Link]:
        """Links (touching ``entity_id`` if given), ordered by key."""

    @abstractmethod
    def list_needs(self, community: str | None = None) -> list[Need]:
        """Needs (of ``community`` if given), ordered by key."""

    @abstractmethod
    def list_offers(self, partner: str | None = None) -> list[Offer]:
        """Offers (of ``partner`` if given), ordered by key."""

    @abstractmethod
    def list_outcomes(self, community: str | None = None, partner: str | None = None) -> list[Outcome]:
        """Recorded outcomes (of ``community``, of ``partner`` if given), ordered by community, partner, date and
        status. Outcomes are written by :meth:`upsert` (a dataset's ``outcomes``), keyed by ``(community, partner,
        status, at)``, and deleted with either entity."""

    @abstractmethod
    def list_areas(self) -> list[Area]:
        """The area hierarchy: every area (streets and above, with the parents their records name), ordered by
        level from street up, then by name; empty for a district without one."""

    @abstractmethod
    def counts(self) -> Counts:
        """Counts by entity kind and of links, needs and offers."""

    def dataset(self) -> Dataset:
        """Everything in the store, as one dataset."""
        return Dataset(
            entities=self.list_entities(),
            links=self.list_links(),
            needs=self.list_needs(),
            offers=self.list_offers(),
            outcomes=self.list_outcomes(),
            projects=self.list_projects(),
            areas=self.list_areas(),
        )

    def snapshot(self) -> nx.Graph:
        """The whole district as a new graph (see :mod:`graphsvc.graph`)."""
        with paused():
            return build_graph(self.dataset())

    def snapshot_with_version(self) -> tuple[int, nx.Graph]:
        """The snapshot with the data version it shows: never part of a write (never a mix of two versions).

        This generic way reads the version before and after the snapshot and reads again if a write committed
        in between; a store that can read in one transaction does so instead. ``StoreBusy`` if writes kept
        landing through every attempt.
        """
        for _ in range(SNAPSHOT_ATTEMPTS):
            before = self.data_version()
            graph = self.snapshot()
            if self.data_version() == before:
                return before, graph
        raise StoreBusy(f"the data in {self.uri} kept changing while it was read; try again")

    # -- projects -----------------------------------------------------------
    # Kept with the data: written by :meth:`upsert` (a project replaces the one with its id, sponsors and all),
    # deleted with their community; a deleted sponsor leaves the projects it sponsored.
    @abstractmethod
    def list_projects(self, community: str | None = None) -> list[Project]:
        """Projects (of ``community`` if given), ordered by id, each with its sponsors ordered by partner id."""

    def get_project(self, project_id: str) -> Project:
        """The project with this id (``NotFound`` if absent)."""
        for project in self.list_projects():
            if project.id == project_id:
                return project
        raise NotFound(f"no project with id {project_id!r}")

    @abstractmethod
    def delete_project(self, project_id: str) -> bool:
        """Delete one project with its sponsorships; return whether it existed."""

    # -- life cycle ---------------------------------------------------------
    @abstractmethod
    def ping(self) -> None:
        """Return if the store answers, else raise ``StoreUnavailable``."""

    def close(self) -> None:  # noqa: B027 - a no-op unless a store holds connections
        """Release connections; the store is not used afterwards."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
