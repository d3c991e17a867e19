"""How the district arrives: files -> validated records -> one all-or-nothing write.

The file format (see the README) is four tables -- ``entities``, ``links``,
``needs``, ``offers`` -- as CSV files named after them, as sheets of one Excel
workbook, or as lists in one JSON document. :func:`load_paths` (CLI) and
:func:`load_uploads` (API) read, validate against the file set *and* the store,
and write only when no problem was found: a file with any problem changes
nothing, and the raised :class:`~graphsvc.errors.ValidationFailed` lists every
problem with its file, line and field.

A directory of Open Referral HSDS tables is recognised and mapped to the four
tables by :mod:`graphsvc.loaders.hsds` (docs/hsds.md); the report then carries
an :class:`~graphsvc.loaders.hsds.HsdsSummary` of what was and was not mapped.
"""

from graphsvc.loaders.hsds import HsdsOptions
from graphsvc.loaders.load import LoadReport, load_paths, load_uploads, read_dataset, write_csv

__all__ = ["HsdsOptions", "LoadReport", "load_paths", "load_uploads", "read_dataset", "write_csv"]
