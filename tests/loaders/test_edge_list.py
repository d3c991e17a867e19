"""Edge lists as researchers have them: separators, headers, extra columns, encodings and bad lines."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graphsvc.analysis.linkmodel.linkpred import task_for
from graphsvc.errors import ValidationFailed
from graphsvc.loaders.edge_list import read_edge_list


def links(B: nx.Graph) -> list[tuple[str, str]]:
    """The links of a bipartite graph as (side 0, side 1), sorted."""
    return sorted((u, v) if B.nodes[u]["bipartite"] == 0 else (v, u) for u, v in B.edges())


def test_whitespace_with_weight_column(tmp_path: Path) -> None:
    path = tmp_path / "weighted.txt"
    path.write_text("% konect-style comment\n1  2 0.5\n2\t 3 1.5\n3 1 2\n1 2 9\n4 4 1\n")
    G = read_edge_list(path)
    assert sorted(G.edges()) == [("1", "2"), ("1", "3"), ("2", "3")]  # duplicate and self-loop dropped
    assert all(not data for *_, data in G.edges(data=True))  # the weight column is ignored


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_separators_and_detected_header(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "edges.csv"
    path.write_text(
        sep.join(["source", "target", "weight"])
        + "\n"
        + "\n".join(sep.join(r) for r in [("1", "2", "3"), ("2", "3", "1")])
    )
    assert sorted(read_edge_list(path).edges()) == [("1", "2"), ("2", "3")]
    # told there is no header, the header line is a link like any other
    assert ("source", "target") in read_edge_list(path, header=False).edges()


def test_semicolon_membership_table_with_named_columns(tmp_path: Path) -> None:
    path = tmp_path / "membership.csv"
    rows = ["CodeCity;NameCity;Code_Network;Year", "C001;Aachen;N01;2001", "C002;Bonn;N01;2003", "C001;Aachen;N02;2004"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")  # Excel's UTF-8 with BOM
    B = read_edge_list(path, bipartite=True, columns="CodeCity,Code_Network")
    assert links(B) == [("C001", "N01"), ("C001", "N02"), ("C002", "N01")]
    assert {n for n, side in B.nodes(data="bipartite") if side == 0} == {"C001", "C002"}
    assert task_for(B).kind == "bipartite"
    # the same columns by 1-based number: the header over codes is detected without being told
    assert links(read_edge_list(path, bipartite=True, columns=[1, 3])) == links(B)
    # over names it cannot be told from a link: say so
    assert links(read_edge_list(path, bipartite=True, header=True)) == [("C001", "Aachen"), ("C002", "Bonn")]


def test_bipartite_sides_sharing_ids_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("1 1\n1 2\n2 1\n")
    B = read_edge_list(path, bipartite=True)
    assert links(B) == [("L:1", "R:1"), ("L:1", "R:2"), ("L:2", "R:1")]
    assert B.nodes["L:1"]["bipartite"] == 0 and B.nodes["R:1"]["bipartite"] == 1


def test_bad_lines_name_file_line_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\nc,d\n# fine\ne\nf,\n")
    with pytest.raises(ValidationFailed) as error:
        read_edge_list(path, header=False)
    problems = error.value.problems
    assert [(p.file, p.line) for p in problems] == [(str(path), 4), (str(path), 5)]
    assert "expected at least 2 cells" in problems[0].reason and "comma" in problems[0].reason
    assert problems[1].reason == "empty node id" and problems[1].field == "column 2"


def test_unknown_column_lists_the_header(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("CodeCity;Code_Network\nC1;N1\n")
    with pytest.raises(ValidationFailed) as error:
        read_edge_list(path, columns="CodeCity,Network")
    [problem] = error.value.problems
    assert problem.field == "columns" and problem.line == 1 and "Code_Network" in problem.reason


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content)
    with pytest.raises(ValidationFailed, match="no links found"):
        read_edge_list(path)


def test_gb18030_file(tmp_path: Path) -> None:
    path = tmp_path / "gb.csv"
    path.write_bytes("城市,网络\n珠海,湾区网络\n澳门,湾区网络\n".encode("gb18030"))
    B = read_edge_list(path, bipartite=True, columns="城市,网络")
    assert links(B) == [("澳门", "湾区网络"), ("珠海", "湾区网络")]


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("1 2\n".encode("utf-16"))
    with pytest.raises(ValidationFailed, match="UTF-16"):
        read_edge_list(path)
