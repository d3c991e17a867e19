"""A load: read the files, validate them against each other and the store, then write all or nothing.

:mod:`graphsvc.loaders` re-exports these names; see its docstring for the file format.

On request (``keep_going``), a load writes the consistent part instead: each row with a problem -- a service
naming an organization the directory does not hold, a value over its length, a link to an unknown id -- is
left out, then the rest is checked again (a row naming one left out is left out in turn) until every row
left is consistent; the report lists each row left out with its file, line and reason
(:attr:`LoadReport.skipped`) and counts them per reason. A problem that is no row's (a file that cannot be
read, a missing column) still refuses the whole load.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphsvc.collector import paused
from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.formats import DirectoryFormat, format_of
from graphsvc.loaders.hsds import HsdsSummary
from graphsvc.loaders.limits import SizeLimits
from graphsvc.loaders.readers import read_bytes, read_paths
from graphsvc.loaders.tables import BASE_TABLES, TABLES, RawTable, is_file_problem
from graphsvc.loaders.validate import EmptyStore, RecordsHook, StoreView, validate_tables
from graphsvc.model import Counts, Dataset
from graphsvc.progress import Progress, Stages, Steps
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore

__all__ = ["LoadReport", "load_paths", "load_uploads", "project_rows", "read_dataset", "reason_kind", "write_csv"]

READING, CHECKING, WRITING = "Reading files", "Checking rows", "Writing rows"
"""The stages of a load, as :func:`load_paths` names them to its ``progress`` hook."""


@dataclass
class LoadReport:
    """What a load read, and the store's counts before and after (a dry run: what they would be after)."""

    files: list[str]
    rows: dict[str, int]
    before: Counts
    after: Counts
    dry_run: bool = False
    replace: bool = False
    problems: list[Problem] = field(default_factory=list)
    hsds: list[HsdsSummary] = field(default_factory=list)
    keep_going: bool = False
    skipped: list[Problem] = field(default_factory=list)
    """With ``keep_going``: every problem of every row left out (a row with two problems is listed twice)."""

    @property
    def skipped_rows(self) -> int:
        """How many rows were left out (each place -- file, sheet, line -- once)."""
        return len({(p.file, p.sheet, p.line) for p in self.skipped})

    def skipped_by_reason(self) -> dict[str, int]:
        """How many problems of each kind (:func:`reason_kind`) left rows out, most first."""
        return dict(Counter(reason_kind(p) for p in self.skipped).most_common())

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "files": self.files,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "replace": self.replace,
            "before": self.before.model_dump(),
            "after": self.after.model_dump(),
        }
        if self.hsds:
            out["hsds"] = [summary.as_dict() for summary in self.hsds]
        if self.keep_going:
            out["keep_going"] = True
            out["skipped_rows"] = self.skipped_rows
            out["skipped_by_reason"] = self.skipped_by_reason()
            out["skipped"] = [p.as_dict() for p in self.skipped]
        return out


_GOT = re.compile(r"\s*\(got .*\)$")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'(?:… \(\d+ characters\))?|\"(?:[^\"\\]|\\.)*\"")


def reason_kind(problem: Problem) -> str:
    """A problem's reason without the values it quotes, with its field: what skipped rows are counted by.

    >>> reason_kind(Problem("s.csv", 3, "organization_id", "no HSDS organization with id 'o9' in this directory"))
    '[organization_id] no HSDS organization with id … in this directory'
    >>> reason_kind(Problem("a.csv", 2, "id", "String should have at most 200 characters (got 'county:x')"))
    '[id] String should have at most 200 characters'
    """
    reason = _QUOTED.sub("…", _GOT.sub("", problem.reason))
    return f"[{problem.field}] {reason}" if problem.field else reason


def _validate(
    tables: list[RawTable],
    problems: list[Problem],
    store: StoreView | None,
    settings: Settings,
    progress: Progress | None = None,
    on_records: RecordsHook | None = None,
) -> Dataset:
    dataset, found = _check(tables, store, settings, progress, on_records)
    problems = problems + found
    if problems:
        raise ValidationFailed(problems)
    return dataset


def _check(
    tables: list[RawTable],
    store: StoreView | None,
    settings: Settings,
    progress: Progress | None = None,
    on_records: RecordsHook | None = None,
) -> tuple[Dataset, list[Problem]]:
    """:func:`~graphsvc.loaders.validate.validate_tables` with the limits and id rules of ``settings``.

    The cyclic garbage collector is paused meanwhile (:func:`~graphsvc.collector.paused`): a large load makes
    hundreds of thousands of records and no garbage in cycles, and the collector's passes over them took a third
    of the check's CPU (20,000 communities, 395,789 rows: 10.4 s -> 7.2 s).
    """
    with paused():
        return validate_tables(
            tables,
            store,
            progress=progress,
            allow_lookalike_ids=settings.allow_lookalike_ids,
            limits=SizeLimits.of(settings),
            on_records=on_records,
        )


def _without(tables: list[RawTable], places: set[tuple[str, str | None, int | None]]) -> list[RawTable]:
    return [replace(t, rows=[(n, row) for n, row in t.rows if (t.file, t.sheet, n) not in places]) for t in tables]


def _consistent_part(
    tables: list[RawTable],
    problems: list[Problem],
    store: GraphStore | None,
    settings: Settings,
    progress: Progress | None = None,
) -> tuple[list[RawTable], Dataset, list[Problem]]:
    """The rows left once every row with a problem is left out (again and again, as rows naming rows left out
    fail in turn), their dataset, and the problems of every row left out.

    A problem of a whole file (:func:`~graphsvc.loaders.tables.is_file_problem`: no line, a missing column) is
    no row's: it raises :class:`ValidationFailed`, as does a round that leaves no row out (which would not end).
    """
    skipped: list[Problem] = []
    first = True
    while True:
        whole = [p for p in problems if is_file_problem(p)]
        if whole:
            raise ValidationFailed(whole)
        places = {(p.file, p.sheet, p.line) for p in problems}
        kept = _without(tables, places)
        if not first and sum(len(t.rows) for t in kept) == sum(len(t.rows) for t in tables):
            raise ValidationFailed(problems)
        skipped += problems
        tables, first = kept, False
        dataset, problems = _check(tables, store, settings, progress)
        progress = None  # the bar follows the first check only
        if not problems:
            return tables, dataset, skipped


def read_dataset(
    paths: Iterable[Path | str], *, settings: Settings | None = None, store: GraphStore | None = None
) -> Dataset:
    """Read and validate files into a dataset without writing (``ValidationFailed`` on any problem)."""
    settings = settings or Settings()
    tables, problems, _ = _read(paths, settings, {})
    return _validate(tables, problems, store, settings)


def _write(
    store: GraphStore,
    tables: list[RawTable],
    dataset: Dataset,
    dry_run: bool,
    progress: Progress | None,
    replace: bool = False,
    bulk: bool = False,
) -> LoadReport:
    before = store.counts()
    if dry_run:
        after = counts_after(store, dataset, replace=replace)
    else:
        steps = Steps(progress, dataset.row_count())
        # the store reports the rows written since its last call
        write = store.bulk_upsert if bulk else store.upsert
        write(dataset, progress=steps.advance, replace=replace)
        steps.finish()
        after = store.counts()
    return _report(tables, before, after, dry_run=dry_run, replace=replace)


def _report(tables: list[RawTable], before: Counts, after: Counts, *, dry_run: bool, replace: bool) -> LoadReport:
    files = sorted({t.file for t in tables})
    rows = {t: 0 for t in BASE_TABLES}
    for raw in tables:
        rows[raw.table] = rows.get(raw.table, 0) + len(raw.rows)
    return LoadReport(files=files, rows=rows, before=before, after=after, dry_run=dry_run, replace=replace)


def _streamed(
    store: GraphStore, tables: list[RawTable], settings: Settings, progress: Stages | None
) -> LoadReport | None:
    """A first load written while it is checked, if ``store`` has a writer for it
    (:meth:`~graphsvc.store.base.GraphStore.first_load_stream`: Neo4j, a large load into an empty store); else
    ``None``, before anything is checked or written.

    The rows that pass their own checks go to the writer as they are checked, and the server writes them while
    the rest is checked (at 20,000 communities the checks and the server's writing took about as long each).
    The checks are all made, against the store as it was when the load began (empty: :class:`EmptyStore`, so
    they do not see the load's own rows arriving); if one finds a problem, or anything fails, what was written is
    deleted and the error raised: the store is empty again, as after any failed load.
    """
    stream = store.first_load_stream(sum(len(t.rows) for t in tables))
    if stream is None:
        return None
    try:
        before = store.counts()  # empty; counted as any load's are
        checking = progress(CHECKING) if progress else None
        dataset = _validate(tables, [], EmptyStore(), settings, checking, on_records=stream.send)
        steps = Steps(progress(WRITING) if progress else None, dataset.row_count())
        stream.commit(dataset, steps.advance)
        steps.finish()
    except BaseException:
        stream.abort()
        raise
    return _report(tables, before, store.counts(), dry_run=False, replace=False)


def counts_after(store: GraphStore, dataset: Dataset, *, replace: bool = False) -> Counts:
    """The counts ``store`` would show once ``dataset`` is loaded into it, without writing: records whose key the
    store holds are updates, not additions; with ``replace``, the dataset's own."""
    if replace:
        return Counts.of(dataset)
    return Counts.of(store.dataset().updated_with(dataset))


def load_paths(
    store: GraphStore,
    paths: Iterable[Path | str],
    *,
    settings: Settings | None = None,
    dry_run: bool = False,
    replace: bool = False,
    progress: Stages | None = None,
    formats: Mapping[str, Any] | None = None,
    keep_going: bool = False,
    bulk: bool = False,
) -> LoadReport:
    """Load files and directories into ``store``; with ``dry_run`` only validate (the report's ``after``: the
    counts the load would give).

    ``replace``: the store is emptied in the same all-or-nothing write
    (:meth:`~graphsvc.store.base.GraphStore.upsert`), so the files must be whole: their links, needs and offers
    may name only their own entities. ``progress`` is called as each stage starts (:data:`READING` files,
    :data:`CHECKING` rows, :data:`WRITING` rows; a dry run writes none) and returns that stage's ``(done,
    total)`` hook; ``formats`` holds the options of the directory formats (:mod:`graphsvc.loaders.formats`) by name,
    e.g. ``{"hsds": HsdsOptions(...)}``: how such directories among ``paths`` are mapped. With ``keep_going`` the
    consistent rows are written and each row with a problem is left out and reported
    (:attr:`LoadReport.skipped`); without it any problem refuses the whole load
    (:class:`~graphsvc.errors.ValidationFailed`). ``bulk``: a first load into an empty store goes through the
    store's bulk importer (:meth:`~graphsvc.store.base.GraphStore.bulk_upsert`). Otherwise a large first load
    into an empty Neo4j store is written while it is checked (:func:`_streamed`), all or nothing as well.
    """
    settings = settings or Settings()
    reading = progress(READING) if progress else None
    tables, problems, summaries = _read(paths, settings, formats or {}, reading, keep_going=keep_going)
    if not (problems or dry_run or replace or keep_going or bulk):
        streamed = _streamed(store, tables, settings, progress)
        if streamed is not None:
            streamed.hsds = summaries
            return streamed
    checking = progress(CHECKING) if progress else None
    checked_against = None if replace else store  # what a replacing load keeps of the store: nothing
    skipped: list[Problem] = []
    if keep_going:
        tables, dataset, skipped = _consistent_part(tables, problems, checked_against, settings, checking)
    else:
        dataset = _validate(tables, problems, checked_against, settings, checking)
    writing = progress(WRITING) if progress and not dry_run else None
    report = _write(store, tables, dataset, dry_run, writing, replace, bulk)
    report.hsds, report.keep_going, report.skipped = summaries, keep_going, skipped
    return report


def _read(
    paths: Iterable[Path | str],
    settings: Settings,
    formats: Mapping[str, Any],
    progress: Progress | None = None,
    *,
    keep_going: bool = False,
) -> tuple[list[RawTable], list[Problem], list[HsdsSummary]]:
    """Read plain files and directories the usual way, and directories of another tool's format through its
    mapping (``progress``: ``(done, total)`` over the plain files, such a directory counting as one).

    With the cyclic garbage collector paused, as for :func:`_check` (20,000 communities: 1.7 s -> 1.2 s)."""
    with paused():
        given = [Path(p) for p in paths]
        by_format: dict[str, tuple[DirectoryFormat, list[Path]]] = {}
        others: list[Path] = []
        for path in given:
            found_format = format_of(path)
            if found_format is None:
                others.append(path)
            else:
                by_format.setdefault(found_format.name, (found_format, []))[1].append(path)
                others += found_format.beside(path)  # a needs.csv kept beside the format's tables
        directories = sum(len(dirs) for _, dirs in by_format.values())
        limits = {"max_bytes": settings.max_upload_bytes, "max_rows": settings.max_rows}
        steps = Steps(progress, directories)
        tables, problems = (
            read_paths(others, max_bytes=settings.max_upload_bytes, max_rows=settings.max_rows, progress=steps.part())
            if others
            else ([], [])
        )
        summaries: list[HsdsSummary] = []
        for name, (directory_format, dirs) in by_format.items():
            options = formats.get(name) or directory_format.default_options()
            found, found_problems, found_summaries = directory_format.read(
                dirs, options, **limits, keep_going=keep_going
            )
            tables += found
            problems += found_problems
            summaries += found_summaries
        steps.finish()
        return tables, problems, summaries


def load_uploads(
    store: GraphStore,
    uploads: Iterable[tuple[str, bytes]],
    *,
    settings: Settings | None = None,
    dry_run: bool = False,
    keep_going: bool = False,
) -> LoadReport:
    """Load uploaded files, given as ``(file name, content)`` pairs, into ``store`` (``keep_going``: as in
    :func:`load_paths`)."""
    settings = settings or Settings()
    tables: list[RawTable] = []
    problems: list[Problem] = []
    for name, data in uploads:
        found, found_problems = read_bytes(data, name, max_bytes=settings.max_upload_bytes, max_rows=settings.max_rows)
        tables += found
        problems += found_problems
    if not tables and not problems:
        problems.append(Problem("(upload)", None, None, "no files were sent"))
    skipped: list[Problem] = []
    if keep_going:
        tables, dataset, skipped = _consistent_part(tables, problems, store, settings)
    else:
        dataset = _validate(tables, problems, store, settings)
    report = _write(store, tables, dataset, dry_run, None)
    report.keep_going, report.skipped = keep_going, skipped
    return report


def write_csv(dataset: Dataset, outdir: Path | str) -> list[Path]:
    """Write a dataset as the documented CSV files (UTF-8): the four tables, and ``outcomes.csv``, ``projects.csv``
    and ``areas.csv`` when it has outcomes, projects or an area hierarchy; return their paths."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    extra = sorted({k for e in dataset.entities for k in e.attributes})
    required, optional = TABLES["entities"]
    entity_rows: list[dict[str, object]] = [{**e.scalars(), **e.attributes} for e in dataset.entities]
    tables: dict[str, tuple[list[str], list[dict[str, object]]]] = {
        "entities": ([*required, *optional, *extra], entity_rows),
        "links": (
            [*TABLES["links"][0], *TABLES["links"][1]],
            [{**link.model_dump(mode="json"), "kind": link.kind.value} for link in dataset.links],
        ),
        "needs": (list(TABLES["needs"][0]), [n.model_dump() for n in dataset.needs]),
        "offers": (list(TABLES["offers"][0]), [o.model_dump() for o in dataset.offers]),
    }
    if dataset.outcomes:  # a file of its own only when outcomes are recorded
        columns = [*TABLES["outcomes"][0], *TABLES["outcomes"][1]]
        tables["outcomes"] = (columns, [o.plain() for o in dataset.outcomes])
    if dataset.projects:  # a file of its own only where there are projects
        tables["projects"] = ([*TABLES["projects"][0], *TABLES["projects"][1]], project_rows(dataset))
    if dataset.areas:  # the optional hierarchy: its own file, only when there is one
        tables["areas"] = (
            [*TABLES["areas"][0], *TABLES["areas"][1]],
            [{"level": a.level.value, "name": a.name, "parent": a.parent} for a in dataset.areas],
        )
    written = []
    for table, (columns, rows) in tables.items():
        path = out / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        written.append(path)
    return written


# -- projects -----------------------------------------------------------------------------------------------------


def _amount(value: float) -> str:
    return f"{value:g}" if value == int(value) else repr(value)


def project_rows(dataset: Dataset) -> list[dict[str, object]]:
    """The projects of ``dataset`` as rows of ``projects.csv``: ``covers`` and ``sponsors`` as ``a:1; b:2``,
    which the loaders read back to the same projects."""
    rows: list[dict[str, object]] = []
    for p in dataset.projects:
        rows.append(
            {
                "id": p.id,
                "community": p.community,
                "title": p.title,
                "covers": "; ".join(f"{k}:{_amount(v)}" for k, v in p.covers.items()),
                "budget": _amount(p.budget),
                "status": p.status.value,
                "sponsors": "; ".join(f"{s.partner}:{_amount(s.amount)}" for s in p.sponsors) or None,
                "proposed_on": p.proposed_on.isoformat() if p.proposed_on else None,
                "start": p.start.isoformat() if p.start else None,
                "end": p.end.isoformat() if p.end else None,
            }
        )
    return rows
