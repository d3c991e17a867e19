"""Directories written by other tools: each format is one :class:`DirectoryFormat` of :data:`DIRECTORY_FORMATS`.

A load (:func:`graphsvc.loaders.load.load_paths`) asks every format whether a directory it is given is one of
its own (``detect``); such a directory is read by the format (``read``: tables mapped to graphsvc's, problems,
and a summary of what was and was not mapped), and the graphsvc tables kept beside its files (``beside``: a
``needs.csv`` a planner added) are read the usual way. Any other directory is read file by file
(:data:`graphsvc.loaders.readers.FILE_READERS`). Options of a format (the HSDS mapping's ``--areas``,
``--categories``...) travel in the load's ``formats`` mapping under the format's name.

>>> [f.name for f in DIRECTORY_FORMATS]
['hsds']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.errors import Problem
from graphsvc.loaders.hsds import HsdsOptions, HsdsSummary, read_hsds_dirs
from graphsvc.loaders.hsds_read import graphsvc_tables_in, is_hsds_directory
from graphsvc.loaders.tables import RawTable

FormatRead = Callable[..., tuple[list[RawTable], list[Problem], list[HsdsSummary]]]
"""``read(directories, options, *, max_bytes, max_rows, keep_going)``."""


@dataclass(frozen=True)
class DirectoryFormat:
    """A directory layout written by another tool, and how it becomes graphsvc's tables."""

    name: str
    detect: Callable[[Path], bool]
    beside: Callable[[Path], list[Path]]
    read: FormatRead
    default_options: Callable[[], Any]


DIRECTORY_FORMATS: list[DirectoryFormat] = [
    DirectoryFormat("hsds", is_hsds_directory, graphsvc_tables_in, read_hsds_dirs, HsdsOptions),
]


def format_of(path: Path) -> DirectoryFormat | None:
    """The format whose directory ``path`` is, if any."""
    return next((f for f in DIRECTORY_FORMATS if f.detect(path)), None)
