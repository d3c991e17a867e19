"""Edge lists as researchers have them, read into a graph for :func:`graphsvc.analysis.evaluation.evaluate`.

The reader is forgiving about layout (separator, header, extra columns, encoding) and strict about
content: every line it cannot use is reported with the file, the line number and what is wrong, in one
:class:`~graphsvc.errors.ValidationFailed`, and nothing is returned.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from graphsvc.errors import Problem, ValidationFailed
from graphsvc.loaders.readers import decode_text

SEPARATORS = {";": "semicolon", "\t": "tab", ",": "comma"}
"""Separators tried in this order on the first non-comment line; none of them: any run of whitespace."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _separator(line: str) -> str | None:
    return next((sep for sep in SEPARATORS if sep in line), None)


def _split(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    return [cell.strip() for cell in next(csv.reader([line], delimiter=sep))]


def _is_number(cell: str) -> bool:
    return bool(_NUMBER.fullmatch(cell))


def _looks_like_header(first: list[str], rest: list[list[str]], picked: tuple[int, int]) -> bool:
    """A first line whose picked cells are not numbers while the next lines' are, or one the CSV sniffer votes for."""
    cells = [first[i] for i in picked if i < len(first)]
    later = [row[i] for row in rest for i in picked if i < len(row)]
    if later and all(_is_number(c) for c in later):
        return not all(_is_number(c) for c in cells)
    if any(_is_number(c) for c in cells):
        return False
    # text ids: each header cell differs in shape from every id below it (no digit where all ids have
    # one, or another length where all ids have the same length)
    for i in picked:
        column = [row[i] for row in rest if i < len(row)]
        if i >= len(first) or not column:
            return False
        digits = all(any(ch.isdigit() for ch in c) for c in column) and not any(ch.isdigit() for ch in first[i])
        lengths = {len(c) for c in column}
        if not digits and (len(lengths) != 1 or len(first[i]) in lengths):
            return False
    return True


def _pick(
    columns: Sequence[str | int] | str | None, header: list[str] | None, file: str, line: int | None
) -> tuple[tuple[int, int], list[Problem]]:
    """0-based indices of the two node columns: by header name or 1-based index; the first two by default."""
    if columns is None:
        return (0, 1), []
    wanted = [c.strip() for c in columns.split(",")] if isinstance(columns, str) else list(columns)
    if len(wanted) != 2:
        return (0, 1), [Problem(file, None, "columns", f"give exactly two columns, got {len(wanted)}: {wanted}")]
    out: list[int] = []
    problems: list[Problem] = []
    for col in wanted:
        if isinstance(col, int) or (isinstance(col, str) and col.isdigit()):
            index = int(col)
            if index < 1:
                problems.append(Problem(file, None, "columns", f"column numbers start at 1, got {index}"))
            out.append(index - 1)
        elif header is not None and col in header:
            out.append(header.index(col))
        else:
            names = ", ".join(header) if header else "(no header line)"
            problems.append(Problem(file, line, "columns", f"no column named {col!r}; the header has: {names}"))
            out.append(0)
    if not problems and out[0] == out[1]:
        problems.append(Problem(file, None, "columns", "the two columns must differ"))
    return (out[0], out[1]), problems


def read_edge_list(
    path: str | Path,
    *,
    bipartite: bool = False,
    header: bool | None = None,
    columns: Sequence[str | int] | str | None = None,
) -> nx.Graph:
    """Read an edge list (two node ids per line) into a simple undirected graph.

    Format
    ------
    - One link per line; cells separated by semicolons, tabs, commas (the first of these found on the
      first line that is not a comment, in that order) or else by any run of spaces. Delimited cells may
      be quoted as in CSV; cells are stripped of surrounding spaces.
    - Lines that are blank or start with ``#`` or ``%`` are skipped (comments).
    - An optional header line: ``header=True``/``False`` says whether there is one; ``None`` (default)
      detects it: its node cells are not numbers while the lines below are, or, for text ids, each
      has no digit where every id below has one, or another length where every id below has the same
      length (so a header over names such as ``city,network`` needs ``header=True``). ``columns``
      given by name implies a header.
    - ``columns``: which two columns are the link's ends, by header name or 1-based number (``"A,B"``,
      ``["A", "B"]`` or ``[1, 3]``); the first two by default. Other columns (a weight, a date, ...)
      are ignored.
    - Encoding: UTF-8 with or without BOM, else GB18030 (GBK); anything else is an error.
    - Self-loops and repeated links are dropped (the graph is simple and unweighted).

    With ``bipartite=True`` the two columns are two different sides (NetworkX's ``bipartite`` node
    attribute 0 and 1): links are predicted from side 0 to side 1. Nodes are the ids as written, or
    ``"L:<id>"`` and ``"R:<id>"`` if the two columns share ids.

    Raises
    ------
    graphsvc.errors.ValidationFailed
        Listing every problem as a :class:`~graphsvc.errors.Problem` (file, line, field, reason): a line
        with too few cells or an empty id, an unknown column, an undecodable file, or no links at all.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "g.txt")
    ...     _ = open(p, "w").write("# a comment\\n1 2 0.5\\n2 3 1.0\\n3 3 1.0\\n2 1 2.0\\n")
    ...     G = read_edge_list(p)
    >>> sorted(G.edges())
    [('1', '2'), ('2', '3')]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "members.csv")
    ...     _ = open(p, "w").write("Year;CodeCity;Code_Network\\n2020;C01;N1\\n2021;C02;N1\\n")
    ...     B = read_edge_list(p, bipartite=True, columns="CodeCity,Code_Network")
    >>> sorted(B["N1"]), B.nodes["C01"]["bipartite"], B.nodes["N1"]["bipartite"]
    (['C01', 'C02'], 0, 1)
    """
    file = str(path)
    text, problem = decode_text(Path(path).read_bytes(), file)
    if text is None:
        raise ValidationFailed([problem] if problem else [Problem(file, None, None, "cannot decode the file")])
    lines = [(number, raw.strip()) for number, raw in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line and not line.startswith(("#", "%"))]
    if not lines:
        raise ValidationFailed([Problem(file, None, None, "no links found: the file is empty or only comments")])
    sep = _separator(lines[0][1])
    rows = [(number, _split(line, sep)) for number, line in lines]
    given = columns.split(",") if isinstance(columns, str) else list(columns or [])
    named = any(isinstance(c, str) and not c.strip().isdigit() for c in given)
    if header is None:
        if named:
            header = True
        else:
            picked, _ = _pick(columns, None, file, None)
            header = _looks_like_header(rows[0][1], [r for _, r in rows[1:101]], picked)
    head = rows[0][1] if header else None
    picked, problems = _pick(columns, head, file, rows[0][0] if header else None)
    if problems:
        raise ValidationFailed(problems)
    body = rows[1:] if header else rows
    need = max(picked) + 1
    links: list[tuple[str, str]] = []
    for number, cells in body:
        if len(cells) < need:
            where = "a separator" if sep is None else f"the {SEPARATORS[sep]} separator"
            problems.append(
                Problem(file, number, None, f"expected at least {need} cells split by {where}, got {len(cells)}")
            )
            continue
        a, b = cells[picked[0]], cells[picked[1]]
        empty = [name for name, value in ((picked[0], a), (picked[1], b)) if not value]
        if empty:
            field = head[empty[0]] if head else f"column {empty[0] + 1}"
            problems.append(Problem(file, number, field, "empty node id"))
            continue
        links.append((a, b))
    if problems:
        raise ValidationFailed(problems)
    if not links:
        raise ValidationFailed([Problem(file, None, None, "no links found: only a header line")])
    G = nx.Graph(name=Path(path).name)
    if bipartite:
        clash = bool({a for a, _ in links} & {b for _, b in links})
        for a, b in links:
            u, v = (f"L:{a}", f"R:{b}") if clash else (a, b)
            G.add_node(u, bipartite=0)
            G.add_node(v, bipartite=1)
            G.add_edge(u, v)
    else:
        G.add_edges_from((a, b) for a, b in links if a != b)
    return G
