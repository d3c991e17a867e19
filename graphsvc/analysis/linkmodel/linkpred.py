"""The link-prediction task behind recommendations and their evaluation: which pairs, which splits, which metrics.

A *task* says which pairs are predicted: on a snapshot, community -> partner
(the recommender's question); on a graph whose nodes carry NetworkX's
``bipartite`` attribute (0/1), side 0 -> side 1; on any other graph, any pair.
Negative pairs are always drawn from the same kind of pair as the positives
(a community and a partner it is not linked to), never from pairs no method
would be asked about, or the figures flatter every method.

Ranking metrics are computed per held-out link against its own negatives, with
ties broken *in expectation* (a tied positive is equally likely to sit at any
place among the tied negatives), so a constant score gets the random
baseline's figures and no method profits from ties.

>>> import numpy as np
>>> m = ranking_metrics(np.array([3.0, 1.0]), np.array([[1.0, 2.0], [1.0, 2.0]]), k=1)
>>> {name: round(x, 4) for name, x in m.items()}   # 2nd positive: rank 2 or 3 -> (1/2 + 1/3) / 2
{'hits@1': 0.5, 'mrr': 0.7083, 'auc': 0.625}
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import networkx as nx
import numpy as np
from scipy.special import digamma

from graphsvc.analysis.core.common import is_community, is_partner, is_typed
from graphsvc.errors import UnsupportedGraph

TaskKind = Literal["community-partner", "bipartite", "any"]
Pair = tuple[Hashable, Hashable]


def _key(node: Hashable) -> tuple[str, Hashable]:
    return (str(type(node)), node)


@dataclass(frozen=True)
class PairTask:
    """Which pairs a graph's link prediction is about: queries (left) and candidates (right)."""

    kind: TaskKind
    queries: tuple[Hashable, ...]
    candidates: tuple[Hashable, ...]

    def is_query(self, G: nx.Graph, node: Hashable) -> bool:
        if self.kind == "community-partner":
            return is_community(G, node)
        if self.kind == "bipartite":
            return bool(G.nodes[node].get("bipartite") == 0)
        return True

    def is_candidate(self, G: nx.Graph, node: Hashable) -> bool:
        if self.kind == "community-partner":
            return is_partner(G, node)
        if self.kind == "bipartite":
            return bool(G.nodes[node].get("bipartite") == 1)
        return True

    def target_edges(self, G: nx.Graph, rng: np.random.Generator) -> list[Pair]:
        """The edges of ``G`` that are pairs of this task, oriented (query, candidate), in a fixed order.

        The order is that of the edges' ends sorted by ``(type name, node)``; on the ``any`` task each edge is
        oriented by one draw of ``rng`` in that order. The edges are sorted as arrays of the nodes' ranks, and
        each node's side is read once (not once per edge).

        >>> G = nx.Graph([("p", "c2"), ("c1", "p"), ("c1", "q")])
        >>> G.add_nodes_from(["c1", "c2"], kind="community"); G.add_nodes_from("pq", kind="school")
        >>> task_for(G).target_edges(G, np.random.default_rng(0))
        [('c1', 'p'), ('c1', 'q'), ('c2', 'p')]
        """
        nodes = sorted(G, key=_key)
        rank = {n: i for i, n in enumerate(nodes)}
        ends = np.fromiter((rank[x] for e in G.edges() for x in e), dtype=np.int64).reshape(-1, 2)
        m = len(ends)
        lo, hi = ends.min(axis=1), ends.max(axis=1)
        order = np.lexsort((hi, lo))
        lo, hi = lo[order], hi[order]
        if self.kind == "any":
            forward = rng.random(m) < 0.5  # the same draws as one rng.random() per edge, in this order
            keep = np.ones(m, dtype=bool)
        else:
            query = np.array([self.is_query(G, n) for n in nodes], dtype=bool)
            candidate = np.array([self.is_candidate(G, n) for n in nodes], dtype=bool)
            forward = query[lo] & candidate[hi]
            keep = forward | (query[hi] & candidate[lo])
        first = np.where(forward, lo, hi)[keep].tolist()
        second = np.where(forward, hi, lo)[keep].tolist()
        return [(nodes[a], nodes[b]) for a, b in zip(first, second, strict=True)]

    def target_edges_reference(self, G: nx.Graph, rng: np.random.Generator) -> list[Pair]:
        """:meth:`target_edges` edge by edge, in plain Python (the reference tests compare it with)."""
        out: list[Pair] = []
        for u, v in sorted((tuple(sorted(e, key=_key)) for e in G.edges()), key=lambda e: (_key(e[0]), _key(e[1]))):
            if self.kind == "any":
                out.append((u, v) if rng.random() < 0.5 else (v, u))
            elif self.is_query(G, u) and self.is_candidate(G, v):
                out.append((u, v))
            elif self.is_query(G, v) and self.is_candidate(G, u):
                out.append((v, u))
        return out


def task_for(G: nx.Graph) -> PairTask:
    """The task of ``G``: community-partner on snapshots, side 0 -> 1 on bipartite-marked graphs, else any pair.

    >>> G = nx.Graph([("c", "p")])
    >>> G.nodes["c"]["kind"], G.nodes["p"]["kind"] = "community", "enterprise"
    >>> task_for(G).kind, task_for(nx.path_graph(3)).kind
    ('community-partner', 'any')
    """
    nodes = sorted(G, key=_key)
    if is_typed(G):
        return PairTask(
            "community-partner",
            tuple(n for n in nodes if is_community(G, n)),
            tuple(n for n in nodes if is_partner(G, n)),
        )
    sides = [G.nodes[n].get("bipartite") for n in nodes]
    if nodes and all(s in (0, 1) for s in sides):
        return PairTask(
            "bipartite",
            tuple(n for n, s in zip(nodes, sides, strict=True) if s == 0),
            tuple(n for n, s in zip(nodes, sides, strict=True) if s == 1),
        )
    return PairTask("any", tuple(nodes), tuple(nodes))


def split_edges(
    G: nx.Graph,
    task: PairTask,
    *,
    fraction: float,
    seed: int | None,
    by: Literal["random", "date"] = "random",
) -> tuple[nx.Graph, list[Pair]]:
    """Hide ``fraction`` of the task's edges: a copy of ``G`` without them, and the hidden pairs.

    ``by="random"`` draws them with ``seed``; ``by="date"`` hides the latest edges by their ``since``
    attribute (edges without a date always stay). The caller's graph is not changed.

    >>> H, hidden = split_edges(nx.path_graph(5), task_for(nx.path_graph(5)), fraction=0.5, seed=1)
    >>> len(hidden), H.number_of_edges(), H.number_of_nodes()
    (2, 2, 5)
    """
    hidden = held_out(G, task, fraction=fraction, seed=seed, by=by)
    H = G.copy()
    H.remove_edges_from(hidden)
    return H, hidden


def held_out(
    G: nx.Graph,
    task: PairTask,
    *,
    fraction: float,
    seed: int | None,
    by: Literal["random", "date"] = "random",
    edges: Sequence[Pair] | None = None,
) -> list[Pair]:
    """The pairs :func:`split_edges` hides (the same ones for the same arguments), without copying ``G``.

    ``edges``: ``task.target_edges(G, ...)`` if the caller has them, on a task other than ``any`` (whose edges
    are oriented by draws from ``seed``, so they are always computed here).

    >>> held_out(nx.path_graph(5), task_for(nx.path_graph(5)), fraction=0.5, seed=1)
    [(1, 0), (2, 1)]
    """
    if not 0 < fraction < 1:
        raise ValueError(f"the held-out fraction must be between 0 and 1, got {fraction}")
    rng = np.random.default_rng(seed)
    edges = task.target_edges(G, rng) if edges is None or task.kind == "any" else edges
    count = max(1, round(fraction * len(edges)))
    if count >= len(edges):
        raise UnsupportedGraph(f"too few links to hold out {fraction:.0%} of them ({len(edges)} links)")
    if by == "date":
        dated = [e for e in edges if G.edges[e].get("since")]
        if not dated:
            raise UnsupportedGraph("no link has a 'since' date; split at random instead")
        dated.sort(key=lambda e: (str(G.edges[e]["since"]), _key(e[0]), _key(e[1])))
        return dated[-count:]
    return in_order_sample(edges, count, rng)


def without_links(G: nx.Graph, hidden: Sequence[Pair]) -> nx.Graph:
    """``G``'s nodes (with their attributes), graph attributes and links but ``hidden``, without the links' attributes.

    The nodes and every node's neighbours come in the order of ``G.copy()`` less ``hidden``, so sums over them add
    in the same order; building it costs about 60% of the copy (the links' attribute dicts are not copied). For
    computations that read no link attribute (:class:`~graphsvc.analysis.linkmodel.signals.SignalEngine`).

    >>> H = without_links(nx.path_graph(4), [(2, 1)])
    >>> list(H.edges()), H.number_of_nodes()
    ([(0, 1), (2, 3)], 4)
    """
    gone = {(u, v) for u, v in hidden} | {(v, u) for u, v in hidden}
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from(e for e in G.edges() if e not in gone)
    return H


T = TypeVar("T")


def in_order_sample(items: Sequence[T], size: int, rng: np.random.Generator) -> list[T]:
    """``size`` of ``items`` drawn without replacement with ``rng``, in the order they have in ``items``.

    >>> in_order_sample("abcdef", 3, np.random.default_rng(0))
    ['d', 'e', 'f']
    """
    picked = rng.choice(len(items), size=size, replace=False)
    return [items[i] for i in sorted(picked.tolist())]


def sample_negatives(
    G: nx.Graph, task: PairTask, positives: list[Pair], *, per_positive: int, seed: int | None
) -> list[list[Hashable]]:
    """For each positive ``(u, v)``, up to ``per_positive`` candidates that are not linked to ``u`` in ``G``.

    Candidates are of the positive's kind of pair (partners for a community, side 1 for side 0,
    any node otherwise); drawn without replacement with ``seed``.

    >>> G = nx.star_graph(4)          # 0 is linked to everyone; 1..4 are not linked to each other
    >>> sorted(sample_negatives(G, task_for(G), [(1, 0)], per_positive=10, seed=0)[0])
    [2, 3, 4]
    """
    rng = np.random.default_rng(seed)
    pool = list(task.candidates)  # a list, not an object array: each draw read as a plain item
    out: list[list[Hashable]] = []
    for u, _ in positives:
        linked = set(G[u]) | {u}
        if len(pool) - len(linked) <= 2 * per_positive:
            free = [c for c in pool if c not in linked]
            take = rng.permutation(len(free))[:per_positive]
            out.append([free[i] for i in sorted(take.tolist())])
            continue
        chosen: dict[Hashable, None] = {}
        while len(chosen) < per_positive:
            for i in rng.integers(0, len(pool), size=2 * per_positive).tolist():
                c = pool[i]
                if c not in linked and c not in chosen:
                    chosen[c] = None
                    if len(chosen) == per_positive:
                        break
        out.append(list(chosen))
    return out


def ranking_metrics(pos: np.ndarray, neg: np.ndarray | list[np.ndarray], *, k: int) -> dict[str, float]:
    """Hits@k, MRR and AUC of positives ranked against their own negatives, ties broken in expectation.

    Parameters
    ----------
    pos : array of shape (P,)
        Score of each positive.
    neg : array of shape (P, M), or a list of P arrays
        Scores of each positive's negatives.
    k : int
        Cut-off of Hits@k.
    """
    return mean_metrics(per_link_metrics(pos, neg, k=k), k=k)


def mean_metrics(per: dict[str, np.ndarray], *, k: int) -> dict[str, float]:
    """Hits@k, MRR (means over links) and AUC (over all negatives) from :func:`per_link_metrics`."""
    if len(per["mrr"]) == 0:
        return {f"hits@{k}": 0.0, "mrr": 0.0, "auc": 0.0}
    total = per["negatives"].sum()
    auc = float((per["below"].sum() + 0.5 * per["tied"].sum()) / total) if total else 0.5
    return {f"hits@{k}": float(per[f"hits@{k}"].mean()), "mrr": float(per["mrr"].mean()), "auc": auc}


def per_link_metrics(pos: np.ndarray, neg: np.ndarray | list[np.ndarray], *, k: int) -> dict[str, np.ndarray]:
    """Each positive's expected Hits@k and reciprocal rank, and its negatives below, tied and in all.

    The per-link values behind :func:`ranking_metrics` (whose Hits@k and MRR are their means), for intervals.

    >>> per = per_link_metrics(np.array([3.0, 1.0]), np.array([[1.0, 2.0], [1.0, 2.0]]), k=1)
    >>> per["hits@1"].tolist(), per["tied"].tolist(), per["below"].tolist()
    ([1.0, 0.0], [0.0, 1.0], [2.0, 0.0])
    """
    rows = list(neg) if isinstance(neg, list) else [neg[i] for i in range(len(neg))]
    sizes = np.array([len(r) for r in rows], dtype=float)
    flat = np.concatenate(rows) if sizes.sum() else np.zeros(0)
    group = np.repeat(np.arange(len(pos)), sizes.astype(np.int64))
    above = np.bincount(group, weights=flat > pos[group], minlength=len(pos))
    tied = np.bincount(group, weights=flat == pos[group], minlength=len(pos))
    hits = np.clip(k - above, 0, tied + 1) / (tied + 1)
    # mean of 1 / rank over ranks above + 1 .. above + tied + 1 (harmonic numbers via digamma)
    mrr = (digamma(above + tied + 2) - digamma(above + 1)) / (tied + 1)
    return {f"hits@{k}": hits, "mrr": mrr, "below": sizes - above - tied, "tied": tied, "negatives": sizes}
