"""The embedded default store: one SQLite file, standard library only."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

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
    node_attributes,
)
from graphsvc.model import (
    ENTITY_SCALARS,
    Area,
    Counts,
    Dataset,
    Entity,
    Link,
    Need,
    Offer,
    Outcome,
    Project,
    Sponsorship,
    closed_areas,
)
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore, RowsWritten, batches, missing_references, one_per_pair, referenced_ids
from graphsvc.vocabulary import DeclineReason, EntityKind, HierarchyLevel, LinkKind, OutcomeStatus, ProjectStatus

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

ENTITY_COLUMNS = ", ".join([*ENTITY_SCALARS, "attributes"])
LINKS_AS_PARTNERSHIPS = "SELECT source, target, kind, since, weight, project FROM links ORDER BY source, target, kind"
"""Every link as the plain values of :data:`graphsvc.graph.Partnership` (``since`` is kept as an ISO date)."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    street TEXT,
    subtype TEXT,
    capacity INTEGER,
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind, street);
CREATE INDEX IF NOT EXISTS entities_street ON entities(street);
CREATE TABLE IF NOT EXISTS links (
    source TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    target TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    since TEXT,
    until TEXT,
    weight REAL,
    project TEXT,
    PRIMARY KEY (source, target, kind)
);
CREATE INDEX IF NOT EXISTS links_target ON links(target);
CREATE TABLE IF NOT EXISTS needs (
    community TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    weight REAL NOT NULL,
    PRIMARY KEY (community, category)
);
CREATE TABLE IF NOT EXISTS offers (
    partner TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    capacity REAL NOT NULL,
    PRIMARY KEY (partner, category)
);
CREATE TABLE IF NOT EXISTS areas (
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    PRIMARY KEY (level, name)
);
CREATE TABLE IF NOT EXISTS data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS artifacts (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""

UPSERT_ENTITY = """
INSERT INTO entities (id, kind, name, name_en, street, subtype, capacity, attributes)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, name_en = excluded.name_en,
    street = excluded.street, subtype = excluded.subtype, capacity = excluded.capacity,
    attributes = excluded.attributes
"""
# A link whose reverse is stored (and not itself) updates the reverse: one link per pair, in its first direction.
UPSERT_LINK = """
INSERT INTO links (source, target, kind, since, until, weight, project)
SELECT CASE WHEN back THEN :target ELSE :source END, CASE WHEN back THEN :source ELSE :target END,
    :kind, :since, :until, :weight, :project
FROM (
    SELECT EXISTS (SELECT 1 FROM links WHERE source = :target AND target = :source AND kind = :kind)
        AND NOT EXISTS (SELECT 1 FROM links WHERE source = :source AND target = :target AND kind = :kind) AS back
)
WHERE true
ON CONFLICT (source, target, kind) DO UPDATE SET since = excluded.since, until = excluded.until,
    weight = excluded.weight, project = excluded.project
"""
UPSERT_AREA = """
INSERT INTO areas (level, name, parent) VALUES (?, ?, ?)
ON CONFLICT (level, name) DO UPDATE SET parent = excluded.parent
"""
# A parent an area names but the load does not list: kept as it is if the store has it.
IMPLIED_AREA = "INSERT INTO areas (level, name, parent) VALUES (?, ?, ?) ON CONFLICT (level, name) DO NOTHING"
AREAS_TABLE = (
    "CREATE TABLE IF NOT EXISTS areas (level TEXT NOT NULL, name TEXT NOT NULL, parent TEXT, PRIMARY KEY (level, name))"
)
LEVEL_ORDER = "CASE level WHEN 'street' THEN 0 WHEN 'district' THEN 1 WHEN 'city' THEN 2 ELSE 3 END"
UPSERT_NEED = """
INSERT INTO needs (community, category, weight) VALUES (?, ?, ?)
ON CONFLICT (community, category) DO UPDATE SET weight = excluded.weight
"""
UPSERT_OFFER = """
INSERT INTO offers (partner, category, capacity) VALUES (?, ?, ?)
ON CONFLICT (partner, category) DO UPDATE SET capacity = excluded.capacity
"""

# -- outcomes: what became of suggestions (a table of its own, created in files made before it existed) ----------
OUTCOMES_SCHEMA = """
CREATE TABLE IF NOT EXISTS outcomes (
    community TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    partner TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT,
    by_whom TEXT,
    rank TEXT,
    probability REAL,
    PRIMARY KEY (community, partner, status, at)
);
CREATE INDEX IF NOT EXISTS outcomes_partner ON outcomes(partner);
"""
UPSERT_OUTCOME = """
INSERT INTO outcomes (community, partner, status, at, reason, by_whom, rank, probability)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (community, partner, status, at) DO UPDATE SET reason = excluded.reason, by_whom = excluded.by_whom,
    rank = excluded.rank, probability = excluded.probability
"""
OUTCOME_COLUMNS = "community, partner, status, at, reason, by_whom, rank, probability"


def _outcome_row(o: Outcome) -> tuple[Any, ...]:
    return tuple(o.plain().values())


def _outcome(row: sqlite3.Row) -> Outcome:
    return Outcome.model_construct(
        community=row[0],
        partner=row[1],
        status=OutcomeStatus(row[2]),
        at=dt.date.fromisoformat(row[3]),
        reason=DeclineReason(row[4]) if row[4] else None,
        by=row[5],
        rank=row[6],
        probability=row[7],
    )


# One row, written by every write transaction (a missing row is version 0, so opening a store writes nothing).
BUMP_VERSION = """
INSERT INTO data_version (id, version) VALUES (1, 1)
ON CONFLICT (id) DO UPDATE SET version = version + 1
"""
READ_VERSION = "SELECT version FROM data_version WHERE id = 1"

# -- projects: their own two tables, created in a store made before projects existed on first open ------------------
PROJECTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    community TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    covers TEXT NOT NULL,
    budget REAL NOT NULL,
    status TEXT NOT NULL,
    proposed_on TEXT,
    start_on TEXT,
    end_on TEXT
);
CREATE INDEX IF NOT EXISTS projects_community ON projects(community);
CREATE TABLE IF NOT EXISTS project_sponsors (
    project TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    partner TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    amount REAL NOT NULL,
    PRIMARY KEY (project, partner)
);
CREATE INDEX IF NOT EXISTS project_sponsors_partner ON project_sponsors(partner);
"""
UPSERT_PROJECT = """
INSERT INTO projects (id, community, title, covers, budget, status, proposed_on, start_on, end_on)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET community = excluded.community, title = excluded.title, covers = excluded.covers,
    budget = excluded.budget, status = excluded.status, proposed_on = excluded.proposed_on,
    start_on = excluded.start_on, end_on = excluded.end_on
"""
DROP_SPONSORS = "DELETE FROM project_sponsors WHERE project = ?"
INSERT_SPONSOR = "INSERT INTO project_sponsors (project, partner, amount) VALUES (?, ?, ?)"


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _project_row(p: Project) -> tuple[Any, ...]:
    covers = json.dumps(p.covers, ensure_ascii=False)
    return (p.id, p.community, p.title, covers, p.budget, p.status.value, *map(_iso, (p.proposed_on, p.start, p.end)))


def _project(row: sqlite3.Row, sponsors: list[Sponsorship]) -> Project:
    return Project.model_construct(
        id=row["id"],
        community=row["community"],
        title=row["title"],
        covers=json.loads(row["covers"]),
        budget=row["budget"],
        status=ProjectStatus(row["status"]),
        sponsors=tuple(sponsors),
        proposed_on=_date(row["proposed_on"]),
        start=_date(row["start_on"]),
        end=_date(row["end_on"]),
    )


BATCH_SIZE = 5000
BUSY_SECONDS = 5.0
"""How long a write waits for another writer to finish before :class:`~graphsvc.errors.StoreBusy`."""


def _entity_row(e: Entity) -> tuple[Any, ...]:
    attributes = json.dumps(e.attributes, ensure_ascii=False, sort_keys=True)
    return (*e.scalars().values(), attributes)


def _link_row(link: Link) -> dict[str, Any]:
    since = link.since.isoformat() if link.since else None
    until = link.until.isoformat() if link.until else None
    return {
        "source": link.source,
        "target": link.target,
        "kind": link.kind.value,
        "since": since,
        "until": until,
        "weight": link.weight,
        "project": link.project,
    }


def _entity(row: sqlite3.Row) -> Entity:
    *values, attributes = tuple(row)
    return Entity.from_stored(values, json.loads(attributes))


def _link(row: sqlite3.Row) -> Link:
    return Link.model_construct(
        source=row["source"],
        target=row["target"],
        kind=LinkKind(row["kind"]),
        since=dt.date.fromisoformat(row["since"]) if row["since"] else None,
        until=dt.date.fromisoformat(row["until"]) if row["until"] else None,
        weight=row["weight"],
        project=row["project"],
    )


class SQLiteStore(GraphStore):
    """A store in one SQLite file (``sqlite:///path/graph.db``) or in memory (``sqlite://:memory:``).

    The file is in WAL mode, so several processes (API workers, a CLI load) can
    use it at once: readers never wait for a writer, and a writer waits up to
    ``busy_seconds`` for another writer before :class:`~graphsvc.errors.StoreBusy`.
    Each thread has its own connection. Writes run in one ``BEGIN IMMEDIATE``
    transaction, which also moves the data version when the write changed
    something.
    """

    @classmethod
    def from_uri(cls, uri: str, *, settings: Settings | None = None) -> SQLiteStore:
        """The store a ``sqlite:`` URI names (``sqlite:///path/graph.db``, ``sqlite://:memory:``); no I/O."""
        path = uri.removeprefix("sqlite:").removeprefix("//")
        if not path:
            raise ConfigError(f"store URI {uri!r} names no file: use sqlite:///path/graph.db")
        busy = (settings or Settings()).store_busy_seconds
        return cls(path, busy_seconds=busy)

    def __init__(self, path: str | Path, *, busy_seconds: float = BUSY_SECONDS) -> None:
        self.path = str(path)
        self.uri = f"sqlite://{self.path}"
        self.busy_seconds = busy_seconds
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None  # the one connection of an in-memory store
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file first opened
        self._lost: str | None = None  # why the store is lost, once its file was found deleted or replaced

    @property
    def _in_memory(self) -> bool:
        return self.path == ":memory:"

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            if not self._in_memory:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.busy_seconds, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if not self._in_memory:
                self._use_wal(conn)
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'data_version'").fetchall():
                conn.executescript(SCHEMA)  # a new file: only then is opening a write
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'outcomes'").fetchall():
                conn.executescript(OUTCOMES_SCHEMA)  # a new file, or one made before outcomes were kept
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'project_sponsors'").fetchall():
                conn.executescript(PROJECTS_SCHEMA)  # a new file, or one made before projects existed
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'areas'").fetchall():
                conn.execute(AREAS_TABLE)  # a file from before the area hierarchy: its (empty) table, once
            if not self._in_memory:
                self._remember_identity()
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, sqlite3.OperationalError):
                raise self._unavailable(exc) from exc
            if isinstance(exc, sqlite3.Error | OSError):
                raise StoreUnavailable(f"cannot open SQLite store {self.path}: {exc}") from exc
            raise
        with self._lock:
            self._opened.append(conn)
        return conn

    def _use_wal(self, conn: sqlite3.Connection) -> None:
        """Switch the file to WAL (a no-op once it is), retrying while another connection holds it.

        Switching needs the file to itself, and SQLite answers "database is locked" at once, without the busy
        timeout, to a connection that asks while another creates or switches a new file (several workers or a
        CLI load opening a store that does not exist yet): so it is asked again, for up to ``busy_seconds``.
        """
        deadline = time.monotonic() + self.busy_seconds
        pause = 0.001
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    # -- the file's identity --------------------------------------------------
    # A file deleted, moved or replaced (a restore) while this process has it open would go on taking writes
    # into the old file, which nobody else sees and the next start loses. The store remembers which file it
    # opened (device and inode) and checks that the path still names it before every statement: a few
    # microseconds of stat. Once lost, it stays lost: a restart opens what is at the path then.
    def _remember_identity(self) -> None:
        found = os.stat(self.path)
        identity = (found.st_dev, found.st_ino)
        with self._lock:
            if self._identity is None:
                self._identity = identity
        self._check_identity()

    def _check_identity(self) -> None:
        if self._lost is not None:
            raise StoreLost(self._lost)
        if self._identity is None:
            return
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            what = "was deleted or moved"
        except OSError as exc:
            raise StoreUnavailable(f"SQLite store {self.path}: cannot check its file: {exc}") from exc
        else:
            if (found.st_dev, found.st_ino) == self._identity:
                return
            what = "was replaced by another file"
        self._lost = (
            f"the SQLite store {self.path} {what} after this process opened it; to lose nothing, nothing is read "
            "from it or written to it any more: restart graphsvc to open the file now at that path"
        )
        log.error("%s", self._lost)
        raise StoreLost(self._lost)

    # Connections are opened on first use, so constructing a store does no I/O. A file store gives each thread its
    # own connection (WAL lets readers run beside one writer); an in-memory store has one, shared behind the lock.
    def _connection(self) -> sqlite3.Connection:
        if self._in_memory:
            if self._shared is None:
                self._shared = self._connect()
            return self._shared
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _unavailable(self, exc: sqlite3.Error) -> StoreUnavailable:
        """The store error a SQLite error means: busy, out of space, read-only, unreadable, or else unavailable."""
        text, name = str(exc), getattr(exc, "sqlite_errorname", "")
        if "locked" in text or "busy" in text:
            return StoreBusy(
                f"the SQLite store {self.path} is locked by another writer (waited {self.busy_seconds:g} s); "
                "try again when it has finished"
            )
        if name.startswith("SQLITE_FULL") or "disk is full" in text:
            return StoreUnavailable(
                f"the SQLite store {self.path} is out of space ({text}); nothing was written: free space on its "
                "disk, then try again"
            )
        read_only_folder = (
            name.startswith("SQLITE_CANTOPEN")
            and not self._in_memory
            and not os.access(Path(self.path).parent, os.W_OK)
        )
        if name.startswith("SQLITE_READONLY") or "readonly" in text or read_only_folder:
            return StoreUnavailable(
                f"the SQLite store {self.path} is read-only ({text}); nothing was written: make the file and its "
                "folder writable, then try again"
            )
        return StoreUnavailable(f"SQLite store {self.path}: {text}")

    @staticmethod
    def _is_storage_error(exc: BaseException) -> bool:
        """Whether ``exc`` is the file or its disk failing (out of space, read-only, I/O, not a database), not a
        mistake in a statement."""
        return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError

    @staticmethod
    def _roll_back(conn: sqlite3.Connection) -> None:
        """Roll back if a transaction is still open (SQLite ends one itself on some errors, such as a full disk)."""
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error as exc:  # the transaction is gone either way; the first error is the one to tell
                log.warning("rollback of %s failed: %s", conn, exc)

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """A transaction on this thread's connection: ``BEGIN IMMEDIATE`` to write, ``BEGIN`` to read consistently.

        A file that is out of space, read-only or failing is :class:`~graphsvc.errors.StoreUnavailable`, after
        the transaction was rolled back: nothing was written.
        """
        with self._lock if begin != "BEGIN" or self._in_memory else nullcontext():
            self._check_identity()
            conn = self._connection()
            try:
                conn.execute(begin)
            except sqlite3.Error as exc:
                if self._is_storage_error(exc):
                    raise self._unavailable(exc) from exc
                raise
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                self._roll_back(conn)
                if self._is_storage_error(exc):
                    raise self._unavailable(exc) from exc  # type: ignore[arg-type]
                raise

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock if self._in_memory else nullcontext():
            self._check_identity()
            try:
                return self._connection().execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                if self._is_storage_error(exc):
                    raise self._unavailable(exc) from exc
                raise

    # -- writes -------------------------------------------------------------
    def upsert(self, dataset: Dataset, *, progress: RowsWritten | None = None, replace: bool = False) -> None:
        listed, implied = closed_areas(dataset.areas)
        statements: list[tuple[str, list[Any]]] = [
            (UPSERT_ENTITY, [_entity_row(e) for e in dataset.entities]),
            (UPSERT_LINK, [_link_row(link) for link in one_per_pair(dataset.links)]),
            (UPSERT_NEED, [(n.community, n.category, n.weight) for n in dataset.needs]),
            (UPSERT_OFFER, [(o.partner, o.category, o.capacity) for o in dataset.offers]),
            (UPSERT_OUTCOME, [_outcome_row(o) for o in dataset.outcomes]),
            (UPSERT_AREA, [(a.level.value, a.name, a.parent) for a in listed]),
        ]
        with self._transaction() as conn:
            outside = referenced_ids(dataset) - {e.id for e in dataset.entities}
            existing = {} if replace else self._existing(conn, outside)
            problems = missing_references(dataset, existing)
            if problems:
                raise ValidationFailed(problems)
            if replace:
                self._delete_everything(conn)
            for sql, rows in statements:
                for batch in batches(rows, BATCH_SIZE):
                    conn.executemany(sql, batch)
                    if progress is not None:
                        progress(len(batch))
            self._upsert_projects(conn, dataset.projects, progress)
            conn.executemany(IMPLIED_AREA, [(a.level.value, a.name, a.parent) for a in implied])
            conn.execute(BUMP_VERSION)

    @staticmethod
    def _upsert_projects(conn: sqlite3.Connection, projects: list[Project], progress: RowsWritten | None) -> None:
        """Write projects in the caller's transaction: each replaces the one with its id, its sponsors too."""
        for batch in batches(projects, BATCH_SIZE):
            conn.executemany(UPSERT_PROJECT, [_project_row(p) for p in batch])
            conn.executemany(DROP_SPONSORS, [(p.id,) for p in batch])
            conn.executemany(INSERT_SPONSOR, [(p.id, sp.partner, sp.amount) for p in batch for sp in p.sponsors])
            if progress is not None:
                progress(len(batch))

    def delete_entity(self, entity_id: str) -> None:
        with self._transaction() as conn:
            if conn.execute("DELETE FROM entities WHERE id = ?", (entity_id,)).rowcount == 0:
                raise EntityNotFound(entity_id)
            conn.execute(BUMP_VERSION)

    def delete_link(self, source: str, target: str, kind: str) -> bool:
        with self._transaction() as conn:
            sql = "DELETE FROM links WHERE kind = ? AND ((source = ? AND target = ?) OR (source = ? AND target = ?))"
            deleted = conn.execute(sql, (kind, source, target, target, source)).rowcount > 0
            if deleted:
                conn.execute(BUMP_VERSION)
            return deleted

    def clear(self) -> None:
        with self._transaction() as conn:
            self._delete_everything(conn)
            conn.execute(BUMP_VERSION)

    @staticmethod
    def _delete_everything(conn: sqlite3.Connection) -> None:
        """Delete the data and the artifacts kept from it, in the caller's transaction."""
        tables = (
            "outcomes",
            "project_sponsors",
            "projects",
            "links",
            "needs",
            "offers",
            "entities",
            "areas",
            "artifacts",
        )
        for table in tables:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

    def data_version(self) -> int:
        rows = self._query(READ_VERSION)
        return int(rows[0][0]) if rows else 0

    def put_artifact(self, name: str, version: int, data: bytes) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO artifacts (name, version, data) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data",
                (name, version, sqlite3.Binary(data)),
            )

    def get_artifact(self, name: str) -> tuple[int, bytes] | None:
        rows = self._query("SELECT version, data FROM artifacts WHERE name = ?", (name,))
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    # -- reads --------------------------------------------------------------
    def get_entity(self, entity_id: str) -> Entity:
        rows = self._query("SELECT * FROM entities WHERE id = ?", (entity_id,))
        if not rows:
            raise EntityNotFound(entity_id)
        return _entity(rows[0])

    def get_entities(self, ids: Iterable[str]) -> list[Entity]:
        wanted = sorted(set(ids))
        found: list[Entity] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found += [_entity(r) for r in self._query(f"SELECT * FROM entities WHERE id IN ({marks})", chunk)]  # noqa: S608
        return sorted(found, key=lambda e: e.id)

    @staticmethod
    def _where(kind: EntityKind | None, street: str | None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if kind is not None:
            clauses.append("kind = ?")
            params.append(EntityKind(kind).value)
        if street is not None:
            clauses.append("street = ?")
            params.append(street)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def list_entities(
        self, *, kind: EntityKind | None = None, street: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Entity]:
        where, params = self._where(kind, street)
        sql = f"SELECT * FROM entities{where} ORDER BY id LIMIT ? OFFSET ?"  # noqa: S608 - fixed clauses
        return [_entity(r) for r in self._query(sql, [*params, -1 if limit is None else limit, offset])]

    def count_entities(self, *, kind: EntityKind | None = None, street: str | None = None) -> int:
        where, params = self._where(kind, street)
        return int(self._query(f"SELECT count(*) FROM entities{where}", params)[0][0])  # noqa: S608

    @staticmethod
    def _existing(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, EntityKind]:
        found: dict[str, EntityKind] = {}
        wanted = list(ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT id, kind FROM entities WHERE id IN ({marks})", chunk):  # noqa: S608
                found[row[0]] = EntityKind(row[1])
        return found

    def existing_kinds(self, ids: Iterable[str]) -> dict[str, EntityKind]:
        with self._lock if self._in_memory else nullcontext():
            self._check_identity()
            try:
                return self._existing(self._connection(), ids)
            except sqlite3.Error as exc:
                if self._is_storage_error(exc):
                    raise self._unavailable(exc) from exc
                raise

    def attribute_chars(self, ids: Iterable[str] | None = None) -> int:
        if ids is None:
            return int(self._query("SELECT coalesce(sum(length(attributes)), 0) FROM entities")[0][0])
        wanted, total = list(ids), 0
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = (
                f"SELECT coalesce(sum(length(attributes)), 0) FROM entities WHERE id IN ({','.join('?' * len(chunk))})"  # noqa: S608
            )
            total += int(self._query(sql, chunk)[0][0])
        return total

    def entity_ids(self) -> list[str]:
        return [row[0] for row in self._query("SELECT id FROM entities")]

    def list_links(self, entity_id: str | None = None) -> list[Link]:
        if entity_id is None:
            rows = self._query("SELECT * FROM links ORDER BY source, target, kind")
        else:
            sql = "SELECT * FROM links WHERE source = ? OR target = ? ORDER BY source, target, kind"
            rows = self._query(sql, (entity_id, entity_id))
        return [_link(r) for r in rows]

    def list_needs(self, community: str | None = None) -> list[Need]:
        where, params = ("", []) if community is None else (" WHERE community = ?", [community])
        rows = self._query(f"SELECT * FROM needs{where} ORDER BY community, category", params)  # noqa: S608
        return [Need.model_construct(community=r[0], category=r[1], weight=r[2]) for r in rows]

    def list_offers(self, partner: str | None = None) -> list[Offer]:
        where, params = ("", []) if partner is None else (" WHERE partner = ?", [partner])
        rows = self._query(f"SELECT * FROM offers{where} ORDER BY partner, category", params)  # noqa: S608
        return [Offer.model_construct(partner=r[0], category=r[1], capacity=r[2]) for r in rows]

    def list_outcomes(self, community: str | None = None, partner: str | None = None) -> list[Outcome]:
        sql = (
            f"SELECT {OUTCOME_COLUMNS} FROM outcomes WHERE (? IS NULL OR community = ?) AND (? IS NULL OR partner = ?) "  # noqa: S608
            "ORDER BY community, partner, at, status"
        )
        return [_outcome(r) for r in self._query(sql, (community, community, partner, partner))]

    def list_areas(self) -> list[Area]:
        rows = self._query(f"SELECT level, name, parent FROM areas ORDER BY {LEVEL_ORDER}, name")  # noqa: S608
        return [Area.model_construct(level=HierarchyLevel(r[0]), name=r[1], parent=r[2]) for r in rows]

    def counts(self) -> Counts:
        counts = Counts.empty()
        with self._transaction("BEGIN"):  # one read transaction: all counts of one version
            for kind, n in self._query("SELECT kind, count(*) FROM entities GROUP BY kind"):
                counts.entities[kind] = int(n)
            for table in ("links", "needs", "offers", "outcomes", "projects"):
                setattr(counts, table, int(self._query(f"SELECT count(*) FROM {table}")[0][0]))  # noqa: S608
        return counts

    # -- projects -------------------------------------------------------------
    def _projects(self, where: str, params: list[Any]) -> list[Project]:
        """Projects with their sponsors, in one statement (one state of the data), ordered by id then partner."""
        joined = "projects p LEFT JOIN project_sponsors s ON s.project = p.id"
        columns = "p.*, s.partner AS sponsor, s.amount AS amount"
        sql = f"SELECT {columns} FROM {joined}{where} ORDER BY p.id, s.partner"  # noqa: S608 - fixed clauses
        rows = self._query(sql, params)
        firsts: dict[str, sqlite3.Row] = {}
        sponsors: dict[str, list[Sponsorship]] = {}
        for r in rows:
            firsts.setdefault(r["id"], r)
            mine = sponsors.setdefault(r["id"], [])
            if r["sponsor"] is not None:
                mine.append(Sponsorship.model_construct(partner=r["sponsor"], amount=r["amount"]))
        return [_project(r, sponsors[project_id]) for project_id, r in firsts.items()]

    def list_projects(self, community: str | None = None) -> list[Project]:
        if community is None:
            return self._projects("", [])
        return self._projects(" WHERE p.community = ?", [community])

    def get_project(self, project_id: str) -> Project:
        found = self._projects(" WHERE p.id = ?", [project_id])
        if not found:
            raise NotFound(f"no project with id {project_id!r}")
        return found[0]

    def delete_project(self, project_id: str) -> bool:
        with self._transaction() as conn:
            deleted = conn.execute("DELETE FROM projects WHERE id = ?", (project_id,)).rowcount > 0
            if deleted:
                conn.execute(BUMP_VERSION)
            return deleted

    def snapshot(self) -> nx.Graph:
        """The whole district as a new graph: the graph :func:`~graphsvc.graph.build_graph` makes of
        :meth:`dataset`, built from the tables' plain rows by the same helpers of :mod:`graphsvc.graph` the Neo4j
        store uses, in the same order (nodes by id, links by source, target and kind), without a record object
        per row -- 3x faster at 100,000 communities (a snapshot is what every analysis and the API start from).
        """
        with paused():
            needs = self._by_owner("SELECT community, category, weight FROM needs ORDER BY community, category")
            offers = self._by_owner("SELECT partner, category, capacity FROM offers ORDER BY partner, category")
            nodes: list[tuple[str, dict[str, Any]]] = []
            for *values, attributes in self._query(f"SELECT {ENTITY_COLUMNS} FROM entities ORDER BY id"):  # noqa: S608
                node = node_attributes(dict(zip(ENTITY_SCALARS, values, strict=True)), json.loads(attributes))
                node["needs"] = needs.get(values[0]) or {}
                node["offers"] = offers.get(values[0]) or {}
                nodes.append((values[0], node))
            G = new_snapshot()
            add_areas(G, self.list_areas())
            add_entity_nodes(G, nodes)
            add_partnerships(G, cast("list[Partnership]", self._query(LINKS_AS_PARTNERSHIPS)))  # rows unpack as tuples
            add_outcomes(G, (o.plain() for o in self.list_outcomes()))
            add_projects(G, self.list_projects())
            return G

    def _by_owner(self, sql: str) -> dict[str, dict[str, float]]:
        """``(owner, category, number)`` rows as ``{owner: {category: number}}``, in the rows' order."""
        grouped: dict[str, dict[str, float]] = {}
        for owner, category, number in self._query(sql):
            amounts = grouped.get(owner)
            if amounts is None:
                amounts = grouped[owner] = {}
            amounts[category] = float(number)
        return grouped

    def snapshot_with_version(self) -> tuple[int, nx.Graph]:
        """The snapshot and its data version, read in one transaction (WAL: a writer does not block it)."""
        with self._transaction("BEGIN"):
            return self.data_version(), self.snapshot()

    # -- life cycle ---------------------------------------------------------
    def ping(self) -> None:
        self._query("SELECT 1")

    def close(self) -> None:
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
            self._shared = None
            self._local = threading.local()
