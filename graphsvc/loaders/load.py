"""A load: read the files, validate them against each other and the store, then write all or nothing.

:mod:`graphsvc.loaders` re-exports these names; see its docstring for the file format.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.hsds import HsdsOptions, HsdsSummary, read_hsds_dirs
from graphsvc.loaders.hsds_read import graphsvc_tables_in, is_hsds_directory
from graphsvc.loaders.limits import SizeLimits
from graphsvc.loaders.readers import read_bytes, read_paths
from graphsvc.loaders.tables import TABLES, RawTable
from graphsvc.loaders.validate import validate_tables
from graphsvc.model import Counts, Dataset
from graphsvc.progress import Progress, Stages, Steps
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore

__all__ = ["LoadReport", "load_paths", "load_uploads", "read_dataset", "write_csv"]

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
        return out


def _validate(
    tables: list[RawTable],
    problems: list[Problem],
    store: GraphStore | None,
    settings: Settings,
    progress: Progress | None = None,
) -> Dataset:
    dataset, found = validate_tables(
        tables,
        store,
        progress=progress,
        allow_lookalike_ids=settings.allow_lookalike_ids,
        limits=SizeLimits.of(settings),
    )
    problems = problems + found
    if problems:
        raise ValidationFailed(problems)
    return dataset


def read_dataset(
    paths: Iterable[Path | str], *, settings: Settings | None = None, store: GraphStore | None = None
) -> Dataset:
    """Read and validate files into a dataset without writing (``ValidationFailed`` on any problem)."""
    settings = settings or Settings()
    tables, problems, _ = _read(paths, settings, None)
    return _validate(tables, problems, store, settings)


def _write(
    store: GraphStore,
    tables: list[RawTable],
    dataset: Dataset,
    dry_run: bool,
    progress: Progress | None,
    replace: bool = False,
) -> LoadReport:
    before = store.counts()
    files = sorted({t.file for t in tables})
    rows = {t: 0 for t in TABLES}
    for raw in tables:
        rows[raw.table] += len(raw.rows)
    if dry_run:
        after = counts_after(store, dataset, replace=replace)
    else:
        steps = Steps(progress, dataset.row_count())
        # the store reports the rows written since its last call
        store.upsert(dataset, progress=steps.advance, replace=replace)
        steps.finish()
        after = store.counts()
    return LoadReport(files=files, rows=rows, before=before, after=after, dry_run=dry_run, replace=replace)


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
    hsds: HsdsOptions | None = None,
) -> LoadReport:
    """Load files and directories into ``store``; with ``dry_run`` only validate (the report's ``after``: the
    counts the load would give).

    ``replace``: the store is emptied in the same all-or-nothing write
    (:meth:`~graphsvc.store.base.GraphStore.upsert`), so the files must be whole: their links, needs and offers
    may name only their own entities. ``progress`` is called as each stage starts (:data:`READING` files,
    :data:`CHECKING` rows, :data:`WRITING` rows; a dry run writes none) and returns that stage's ``(done,
    total)`` hook; ``hsds`` says how HSDS directories among ``paths`` are mapped.
    """
    settings = settings or Settings()
    tables, problems, summaries = _read(paths, settings, hsds, progress(READING) if progress else None)
    checked_against = None if replace else store  # what a replacing load keeps of the store: nothing
    dataset = _validate(tables, problems, checked_against, settings, progress(CHECKING) if progress else None)
    writing = progress(WRITING) if progress and not dry_run else None
    report = _write(store, tables, dataset, dry_run, writing, replace)
    report.hsds = summaries
    return report


def _read(
    paths: Iterable[Path | str], settings: Settings, hsds: HsdsOptions | None, progress: Progress | None = None
) -> tuple[list[RawTable], list[Problem], list[HsdsSummary]]:
    """Read plain files and directories the usual way, and HSDS directories through their mapping (``progress``:
    ``(done, total)`` over the plain files, an HSDS directory counting as one)."""
    given = [Path(p) for p in paths]
    directories = [p for p in given if is_hsds_directory(p)]
    others = [p for p in given if p not in directories]
    others += [p for d in directories for p in graphsvc_tables_in(d)]  # a needs.csv kept beside the HSDS tables
    limits = {"max_bytes": settings.max_upload_bytes, "max_rows": settings.max_rows}
    steps = Steps(progress, len(directories))
    tables, problems = (
        read_paths(others, max_bytes=settings.max_upload_bytes, max_rows=settings.max_rows, progress=steps.part())
        if others
        else ([], [])
    )
    summaries: list[HsdsSummary] = []
    if directories:
        found, found_problems, summaries = read_hsds_dirs(directories, hsds or HsdsOptions(), **limits)
        tables += found
        problems += found_problems
    steps.finish()
    return tables, problems, summaries


def load_uploads(
    store: GraphStore, uploads: Iterable[tuple[str, bytes]], *, settings: Settings | None = None, dry_run: bool = False
) -> LoadReport:
    """Load uploaded files, given as ``(file name, content)`` pairs, into ``store``."""
    settings = settings or Settings()
    tables: list[RawTable] = []
    problems: list[Problem] = []
    for name, data in uploads:
        found, found_problems = read_bytes(data, name, max_bytes=settings.max_upload_bytes, max_rows=settings.max_rows)
        tables += found
        problems += found_problems
    if not tables and not problems:
        problems.append(Problem("(upload)", None, None, "no files were sent"))
    dataset = _validate(tables, problems, store, settings)
    return _write(store, tables, dataset, dry_run, None)


def write_csv(dataset: Dataset, outdir: Path | str) -> list[Path]:
    """Write a dataset as the four documented CSV files (UTF-8); return their paths."""
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
