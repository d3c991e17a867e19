"""The signals a partner recommendation is built from, computed two ways that must agree.

Structural signals (any graph)
------------------------------
``common_neighbors``, ``adamic_adar``, ``resource_allocation`` and
``preferential_attachment`` are NetworkX's 2-hop indices. The partnership graph
is close to bipartite (communities link to partners), so for a community and a
partner it has not met they are mostly zero; proximity there comes from paths
of length 3, the **L3** index of Kovács et al. (2019), "Network-based prediction
of protein interactions", *Nat. Commun.* 10, 1240::

    l3(u, v) = sum over paths u - a - b - v of 1 / sqrt(deg(a) * deg(b))

("partners of communities that share partners with this one", each
intermediate step discounted by how many others it touches).

Domain signals (snapshot graphs, community -> partner)
-----------------------------------------------------
``gap_fit``
    The share of the community's need that the partner would close if it joined:
    for each category, the share the coverage rule of :mod:`graphsvc.analysis.gaps.find`
    would give the community (offer x need / (need of the partner's communities +
    need)), capped at what is still uncovered, summed and divided by the
    community's total need (0 to 1).
``fills_role``
    1 if the partner's five-society role is missing in the community.
``same_street``
    1 if the partner works in the community's street.
``street_hub``
    1 if the partner is the hub of the community's street.
``headroom_share``
    The partner's headroom (communities it can still take, :func:`~graphsvc.analysis.core.common.headroom`)
    as a fraction of its capacity (1 when no capacity is set).

:func:`reference_features` computes them pair by pair with NetworkX
(``nx.adamic_adar_index`` and friends) and plain Python; :class:`SignalEngine`
computes whole blocks at once with ``scipy.sparse``. Tests assert they agree.

>>> import networkx as nx
>>> G = nx.path_graph(4)          # 0 - 1 - 2 - 3: one path of length 3 from 0 to 3
>>> eng = SignalEngine(G)
>>> X = eng.pair_features([(0, 3)])
>>> dict(zip(STRUCTURAL, X[0].round(4).tolist()))
{'common_neighbors': 0.0, 'adamic_adar': 0.0, 'resource_allocation': 0.0, 'preferential_attachment': 1.0, 'l3': 0.5}
>>> float(reference_features(G, [(0, 3)])[0, 4])
0.5
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Iterable, Iterator, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graphsvc.analysis.core.common import (
    check_graph,
    headroom,
    role_of,
    room_left,
    serves_only,
    street_hubs,
)
from graphsvc.analysis.core.coverage import (
    closable,
    community_needs,
    coverage_shares,
    covered_amounts,
    partner_offers,
    share_array,
)
from graphsvc.analysis.core.outcomes import declined_keys
from graphsvc.vocabulary import COMMUNITY, PARTNER_ROLES, Subtype

_scratch = threading.local()
"""Per thread: the ``(query, node) -> column`` table of :meth:`SignalEngine.rows`, kept between calls (all -1 between
them). A new table per batch cost a page fault per 4 KiB: at 100,000 communities 92 MB a batch, 18 ms of CPU."""


def _slot_table(size: int) -> np.ndarray:
    """This thread's table of at least ``size`` int32, every entry -1 (put them back to -1 after use)."""
    table: np.ndarray | None = getattr(_scratch, "slots", None)
    if table is None or len(table) < size:
        table = np.full(size, -1, dtype=np.int32)
        _scratch.slots = table
    return table


STRUCTURAL: tuple[str, ...] = (
    "common_neighbors",
    "adamic_adar",
    "resource_allocation",
    "preferential_attachment",
    "l3",
)
DOMAIN: tuple[str, ...] = ("gap_fit", "fills_role", "same_street", "street_hub", "headroom_share")
SIGNALS: tuple[str, ...] = STRUCTURAL + DOMAIN
"""Every signal, in the column order of signal arrays."""


Pair = tuple[Hashable, Hashable]
BLOCK_CELLS = 2_000_000
"""Cells per dense block: bounds memory (features x cells x 8 bytes) whatever the graph size."""


def transform(X: np.ndarray) -> np.ndarray:
    """The model's view of raw features: ``log1p`` of the structural ones (columns as in :data:`SIGNALS`).

    >>> transform(np.array([[np.e - 1, 0, 0, 0, 0, 0.5, 1, 0, 0, 1]]))[0, [0, 5]].tolist()
    [1.0, 0.5]
    """
    out = np.array(X, dtype=float, copy=True)
    n = len(STRUCTURAL)
    out[:, :n] = np.log1p(out[:, :n])
    return out


# -- plain reference ---------------------------------------------------------------------------------------------


def l3_index(G: nx.Graph, ebunch: Iterable[Pair] | None = None) -> Iterator[tuple[Hashable, Hashable, float]]:
    """Degree-normalised length-3 paths (L3, Kovács et al. 2019) for pairs of nodes.

    Parameters
    ----------
    G : networkx.Graph
        An undirected simple graph.
    ebunch : iterable of node pairs, optional
        Pairs to score; all non-edges if ``None`` (as in ``nx.adamic_adar_index``).

    Returns
    -------
    iterator of (u, v, p)
        ``p`` is the sum over walks ``u - a - b - v`` of ``1 / sqrt(deg(a) * deg(b))``.

    Examples
    --------
    >>> G = nx.Graph([("c1", "p1"), ("c2", "p1"), ("c2", "p2")])   # c1 and c2 share p1; c2 also has p2
    >>> [(u, v, round(p, 4)) for u, v, p in l3_index(G, [("c1", "p2")])]   # 1 / sqrt(2 * 2)
    [('c1', 'p2', 0.5)]
    """
    check_graph(G)
    pairs: Iterable[Pair] = nx.non_edges(G) if ebunch is None else ebunch
    for u, v in pairs:
        total = 0.0
        for a in G[u]:
            ka = G.degree(a)
            for b in G[a]:
                if v in G[b]:
                    total += 1.0 / math.sqrt(ka * G.degree(b))
        yield u, v, total


class _DomainData:
    """Needs, coverage, offers, streets, roles and capacity of a snapshot, in dicts (the reference side)."""

    def __init__(self, G: nx.Graph) -> None:
        self.G = G
        kinds = dict(G.nodes(data="kind"))  # is_community and is_partner, read once per node
        communities = {n for n, kind in kinds.items() if kind == COMMUNITY}
        partners = {n for n, kind in kinds.items() if kind is not None and kind != COMMUNITY}
        self.need: dict[Hashable, dict[str, float]] = {c: community_needs(G, c) for c in G if c in communities}
        shares = coverage_shares(G, needs=self.need)  # each community's needs read once, not once per partner
        self.uncovered: dict[Hashable, dict[str, float]] = {}
        self.shared: dict[Hashable, dict[str, float]] = {}
        """``{community: {category: sum of its shares}}``, not capped at the need (what gains start from)."""
        self.roles: dict[Hashable, set[str]] = {}
        self.role_value: dict[Hashable, str] = {p: role_of(G, p).value for p in partners}
        """``{partner: its five-society role's value}``."""
        for c in G:
            if c not in communities:
                continue
            need = self.need[c]
            shared = {k: sum(sh.get(k, 0.0) for sh in shares.get(c, {}).values()) for k in need}
            covered = covered_amounts(need, {"all partners": shared})  # the sums above, not added up again
            self.uncovered[c] = {k: need[k] - covered[k] for k in need}
            self.shared[c] = shared
            self.roles[c] = {self.role_value[p] for p in G[c] if p in partners}
        self.served_need: dict[Hashable, dict[str, float]] = {}
        self.served: dict[Hashable, int] = {}
        """``{partner: how many communities it serves}`` (:func:`~graphsvc.analysis.core.common.community_degree`)."""
        for p in (n for n in G if n in partners):  # in the graph's order
            acc: dict[str, float] = {}
            served = [c for c in G[p] if c in communities]
            for c in served:
                for k, w in self.need[c].items():
                    acc[k] = acc.get(k, 0.0) + w
            self.served_need[p], self.served[p] = acc, len(served)
        self.hubs = street_hubs(G)

    def features(self, c: Hashable, p: Hashable) -> list[float]:
        G = self.G
        if c not in self.need or p not in self.served_need:
            return [0.0] * len(DOMAIN)
        need, uncovered = self.need[c], self.uncovered[c]
        total = sum(need.values())
        closed = 0.0
        for k, amount in partner_offers(G, p).items():
            if k in need:
                closed += closable(amount, need[k], self.served_need[p].get(k, 0.0), uncovered[k])
        street = G.nodes[c].get("street")
        room = headroom(G, p)
        capacity = G.nodes[p].get("capacity")
        return [
            closed / total if total > 0 else 0.0,
            0.0 if role_of(G, p).value in self.roles[c] else 1.0,
            1.0 if street is not None and G.nodes[p].get("street") == street else 0.0,
            1.0 if street is not None and self.hubs.get(street) == p else 0.0,
            1.0 if room is None else (room / capacity if capacity else 0.0),
        ]


def reference_features(G: nx.Graph, pairs: Sequence[Pair], *, domain: bool | None = None) -> np.ndarray:
    """Raw features (columns :data:`SIGNALS`) of ``pairs``, one pair at a time with NetworkX and plain Python.

    Domain columns are computed when ``domain`` is true (default: when ``G`` is a snapshot)
    for pairs ``(community, partner)``, and are 0 otherwise.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "d"), ("d", "c")])   # a square: a and c share b and d
    >>> reference_features(G, [("a", "c")])[0, :4].tolist()   # CN 2, AA 2/ln 2, RA 2/2, PA 2*2
    [2.0, 2.8853900817779268, 1.0, 4.0]
    """
    check_graph(G)
    if domain is None:
        domain = any(kind == "community" for _, kind in G.nodes(data="kind"))
    ebunch = list(pairs)
    out = np.zeros((len(ebunch), len(SIGNALS)))
    out[:, 0] = [len(list(nx.common_neighbors(G, u, v))) for u, v in ebunch]
    out[:, 1] = [p for _, _, p in nx.adamic_adar_index(G, ebunch)]
    out[:, 2] = [p for _, _, p in nx.resource_allocation_index(G, ebunch)]
    out[:, 3] = [p for _, _, p in nx.preferential_attachment(G, ebunch)]
    out[:, 4] = [p for _, _, p in l3_index(G, ebunch)]
    if domain and ebunch:
        data = _DomainData(G)
        out[:, len(STRUCTURAL) :] = [data.features(u, v) for u, v in ebunch]
    return out


def ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The integers of every range ``lo[i]:hi[i]``, one after another.

    >>> ranges(np.array([3, 0, 7]), np.array([5, 0, 9])).tolist()
    [3, 4, 7, 8]
    """
    sizes = hi - lo
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(sizes)
    return np.asarray(np.arange(total, dtype=np.int64) + np.repeat(lo - (ends - sizes), sizes))


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of an int array, by one sort (faster here than numpy's hash).

    >>> [a.tolist() for a in _unique_inverse(np.array([7, 3, 7, 5]))]
    [[3, 5, 7], [2, 0, 2, 1]]
    """
    order = np.argsort(values)
    ranked = values[order]
    new = np.ones(len(ranked), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ranked[new], inverse


def adjacency(G: nx.Graph, index: dict[Hashable, int]) -> sp.csr_array:
    """The 0/1 adjacency matrix of a simple undirected ``G``, its nodes in the order ``index`` gives them, as CSR
    with sorted indices: ``nx.to_scipy_sparse_array(G, nodelist, weight=None, dtype=float)`` (tests assert the two
    are equal, index arrays included), built from one pass over the edges, in about a third of the time.

    >>> adjacency(nx.path_graph(3), {2: 0, 1: 1, 0: 2}).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    n = len(index)
    ends = np.fromiter((index[x] for e in G.edges() for x in e), dtype=np.int64).reshape(-1, 2)
    m = len(ends)
    rows = np.concatenate([ends[:, 0], ends[:, 1]])
    cols = np.concatenate([ends[:, 1], ends[:, 0]])
    A = sp.csr_array((np.ones(2 * m), (rows, cols)), shape=(n, n))
    A.sum_duplicates()  # none in a simple graph; sorts each row's indices
    return A


# -- fast path -----------------------------------------------------------------------------------------------------


class SignalEngine:
    """Every signal for whole blocks of pairs at once, with ``scipy.sparse``.

    Build it once per graph (it keeps sparse matrices, not the graph's state), then ask for
    :meth:`block` (rows x columns of nodes) or :meth:`pair_features` (a list of pairs).

    Parameters
    ----------
    G : networkx.Graph
        An undirected simple graph; snapshot graphs also get the domain signals.
    """

    def __init__(self, G: nx.Graph) -> None:
        check_graph(G)
        self.nodes: list[Hashable] = sorted(G, key=lambda n: (str(type(n)), n))
        self.index: dict[Hashable, int] = {n: i for i, n in enumerate(self.nodes)}
        n = len(self.nodes)
        self.A = adjacency(G, self.index)
        deg = np.asarray(self.A.sum(axis=1)).ravel()
        self.deg = deg
        with np.errstate(divide="ignore"):
            self.inv_log = np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2)), 0.0)
            self.inv = np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0)
            isq = np.where(deg > 0, 1.0 / np.sqrt(np.maximum(deg, 1)), 0.0)
        self.isq = isq
        D = sp.diags_array(isq)
        self.B = sp.csr_array(D @ self.A @ D)
        self.typed = any(kind == "community" for _, kind in G.nodes(data="kind"))
        if self.typed:
            self._init_domain(G, n)

    def _init_domain(self, G: nx.Graph, n: int) -> None:
        """The domain tables: what :class:`_DomainData` holds in dicts, as arrays over the engine's nodes.

        Each sum is taken over the same terms in the same order as the dicts' (``np.add.at`` adds in order): a
        partner's served need over its communities sorted by id (its shares' denominator, as
        :func:`~graphsvc.analysis.core.coverage.partner_shares`), each community's shares over its partners sorted
        by id (as :func:`~graphsvc.analysis.core.coverage.coverage_shares`), a partner's served need per category
        over its neighbours in the graph's order; tests assert the arrays equal the dicts to the last bit."""
        nodes = self.nodes
        kinds = [G.nodes[v].get("kind") for v in nodes]
        self.is_community = np.array([kind == COMMUNITY for kind in kinds], dtype=bool)
        self.is_partner = np.array([kind is not None and kind != COMMUNITY for kind in kinds], dtype=bool)
        communities = np.flatnonzero(self.is_community).tolist()
        partners = np.flatnonzero(self.is_partner).tolist()
        needs = [community_needs(G, nodes[i]) for i in communities]
        offers = [partner_offers(G, nodes[i]) for i in partners]
        cats = sorted({k for need in needs for k in need})
        self.cats = cats
        col = {k: j for j, k in enumerate(cats)}
        ncat = len(cats)
        self.N = np.zeros((n, ncat))
        self.O = np.zeros((n, ncat))
        for i, need in zip(communities, needs, strict=True):
            for k, w in need.items():
                self.N[i, col[k]] = w
        for i, offer in zip(partners, offers, strict=True):
            for k, amount in offer.items():
                if k in col:
                    self.O[i, col[k]] = amount
        # partner -> community edges, each partner's in the graph's order of its neighbours
        index, community = self.index, self.is_community
        ends = [(i, j) for i in partners for j in (index[c] for c in G[nodes[i]]) if community[j]]
        edge = np.array(ends, dtype=np.int64).reshape(-1, 2)
        ep, ec = edge[:, 0], edge[:, 1]
        rank = np.empty(n, dtype=np.int64)  # each node's place in the order of ids as strings (ids that print
        # alike, 1 and "1", are ordered as the engine orders them; the dicts order them as the graph does)
        rank[sorted(range(n), key=lambda i: str(nodes[i]))] = np.arange(n)
        cells = np.arange(ncat)

        def summed(rows: np.ndarray, terms: np.ndarray) -> np.ndarray:
            """Per node and category, the sum of ``terms`` (one line per edge) over its edges, in the edges' order."""
            out = np.zeros((n, ncat))
            np.add.at(out.reshape(-1), (rows[:, None] * ncat + cells).reshape(-1), terms.reshape(-1))
            return out

        self.W = np.where(self.O > 0, summed(ep, self.N[ec]), 0.0)
        by_community = np.lexsort((rank[ec], ep))  # a partner's communities sorted by id
        total = summed(ep[by_community], self.N[ec[by_community]])
        share = share_array(self.O[ep], self.N[ec], total[ep])
        by_partner = np.lexsort((rank[ep], ec))  # a community's partners sorted by id
        self.S = summed(ec[by_partner], share[by_partner])
        """Sum of each community's shares per category (not capped at the need)."""
        self.U = np.where(self.N > 0, self.N - np.minimum(self.N, self.S), 0.0)
        streets = sorted({s for _, s in G.nodes(data="street") if s})
        sid = {s: i for i, s in enumerate(streets)}
        self.street_ids = sid
        """``{street: id}``; :attr:`street` holds the id of each node's street (-1: none)."""
        self.street = np.full(n, -1)
        self.hub_street = np.full(n, -2)
        roles = [r.value for r in PARTNER_ROLES]
        self.role = np.zeros(n, dtype=int)
        for i in partners:
            self.role[i] = roles.index(role_of(G, nodes[i]).value)
        self.has_role = np.zeros((n, len(roles)), dtype=bool)
        self.has_role[ec, self.role[ep]] = True
        served = np.bincount(ep, minlength=n).tolist()
        self.headroom_share = np.zeros(n)
        self.headroom = np.full(n, -1, dtype=np.int64)
        """Communities a partner can still take (its headroom); -1 where no capacity is set."""
        hubs = street_hubs(G)
        is_partner = self.is_partner.tolist()
        for i, node in enumerate(nodes):
            attrs = G.nodes[node]
            street = attrs.get("street")
            if street:
                self.street[i] = sid[street]
            if is_partner[i]:
                if attrs.get("subtype") == Subtype.STREET_HUB.value and street and hubs.get(street) == node:
                    self.hub_street[i] = sid[street]
                capacity = attrs.get("capacity")
                room = room_left(capacity, served[i])  # headroom(), served counted once for all
                self.headroom_share[i] = 1.0 if room is None else (room / capacity if capacity else 0.0)
                self.headroom[i] = -1 if room is None else room
        self.total_need = self.N.sum(axis=1)
        allowed = []
        restricted = []
        for i, node in enumerate(self.nodes):
            areas = serves_only(G, node) if self.is_partner[i] else None
            if areas is not None:
                restricted.append(i)
                allowed += [self.index[a] * n + i for a in areas if a in self.index]
        self.restricted = np.array(restricted, dtype=np.int64)
        """Partners that may serve only some communities (:func:`~graphsvc.analysis.core.common.serves_only`)."""
        self._allowed = np.array(sorted(allowed), dtype=np.int64)
        self._declined = declined_keys(G, self.index) if self.typed else np.zeros(0, dtype=np.int64)
        """Pairs whose partner declined the community (``core.outcomes``): never suggested again."""

    def outside(self, communities: np.ndarray, partners: np.ndarray) -> np.ndarray:
        """Whether each pair (engine indices, broadcast) is outside where the partner may serve, or declined."""
        q, p = np.broadcast_arrays(np.asarray(communities, dtype=np.int64), np.asarray(partners, dtype=np.int64))
        if not self.typed or not (len(self.restricted) or len(self._declined)):
            return np.zeros(q.shape, dtype=bool)
        keys = q * len(self.nodes) + p
        out = np.isin(p, self.restricted) & ~np.isin(keys, self._allowed)
        if len(self._declined):
            out |= np.isin(keys, self._declined)
        return np.asarray(out)

    def block(self, rows: np.ndarray, cols: np.ndarray, *, domain: bool = True) -> np.ndarray:
        """Raw features of every pair ``(nodes[r], nodes[c])``: an array ``(len(SIGNALS), len(rows), len(cols))``."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        out = np.zeros((len(SIGNALS), len(rows), len(cols)))
        AQ = self.A[rows]
        Ac = self.A[cols].T  # = A[:, cols] (A is symmetric), reading only those rows
        out[0] = (AQ @ Ac).toarray()
        out[1] = (AQ.multiply(self.inv_log[None, :]).tocsr() @ Ac).toarray()
        out[2] = (AQ.multiply(self.inv[None, :]).tocsr() @ Ac).toarray()
        out[3] = np.outer(self.deg[rows], self.deg[cols])
        out[4] = ((AQ @ self.B) @ Ac).toarray()
        if domain and self.typed:
            self._domain_block(rows, cols, out)
        return out

    def _domain_block(self, rows: np.ndarray, cols: np.ndarray, out: np.ndarray) -> None:
        s = len(STRUCTURAL)
        mask = self.is_community[rows][:, None] & self.is_partner[cols][None, :]
        if not mask.any():
            return
        gap = np.zeros((len(rows), len(cols)))
        offered = self.O[cols] > 0
        for k in range(len(self.cats)):
            sel = np.flatnonzero(offered[:, k])
            if len(sel) == 0:
                continue
            sub = cols[sel]
            need = self.N[rows, k][:, None]
            share = share_array(self.O[sub, k][None, :], need, self.W[sub, k][None, :] + need)
            gap[:, sel] += np.minimum(self.U[rows, k][:, None], share)
        total = self.total_need[rows][:, None]
        out[s] = np.divide(gap, total, out=np.zeros_like(gap), where=total > 0)
        out[s + 1] = ~self.has_role[rows][:, self.role[cols]]
        street = self.street[rows][:, None]
        out[s + 2] = (street >= 0) & (street == self.street[cols][None, :])
        out[s + 3] = (street >= 0) & (street == self.hub_street[cols][None, :])
        out[s + 4] = self.headroom_share[cols][None, :]
        out[s:] *= mask[None, :, :]

    def neighbours(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(neighbours, owner)``: every neighbour of every node of ``nodes``, and its node's position there."""
        ip, ix = self.A.indptr, self.A.indices
        starts, ends = ip[nodes], ip[nodes + 1]
        owner = np.repeat(np.arange(len(nodes)), ends - starts)
        return ix[ranges(starts, ends)].astype(np.int64), owner

    def row(self, query: int, cols: np.ndarray) -> np.ndarray:
        """``block([query], cols)[:, 0, :]`` for sorted ``cols``, walking the query's paths instead of multiplying
        sparse matrices: the cost grows with the paths from ``query``, not with the graph."""
        cols = np.asarray(cols, dtype=np.int64)
        out = np.zeros((len(SIGNALS), len(cols)))

        def add(targets: np.ndarray, weights: np.ndarray, signal: int) -> None:
            at = np.minimum(np.searchsorted(cols, targets), max(0, len(cols) - 1))
            hit = cols[at] == targets if len(cols) else np.zeros(0, dtype=bool)
            out[signal] += np.bincount(at[hit], weights=weights[hit], minlength=len(cols))

        first = self.neighbours(np.array([query], dtype=np.int64))[0]
        second, via = self.neighbours(first)
        z = first[via]
        add(second, np.ones(len(second)), 0)
        add(second, self.inv_log[z], 1)
        add(second, self.inv[z], 2)
        out[3] = self.deg[query] * self.deg[cols]
        isq = self.isq
        middle, at_middle = np.unique(second, return_inverse=True)
        weight = np.bincount(at_middle, weights=isq[z] * isq[second], minlength=len(middle))
        third, via3 = self.neighbours(middle)
        add(third, weight[via3], 4)
        if self.typed:
            self._domain_row(query, cols, out)
        return out

    def _domain_row(self, query: int, cols: np.ndarray, out: np.ndarray) -> None:
        s = len(STRUCTURAL)
        if not self.is_community[query]:
            return
        need = self.N[query]
        share = share_array(self.O[cols], need[None, :], self.W[cols] + need[None, :])
        gap = np.zeros(len(cols))
        for k in range(len(self.cats)):  # category by category, in the order block() adds them
            gap += np.minimum(self.U[query, k], share[:, k])
        total = self.total_need[query]
        out[s] = gap / total if total > 0 else 0.0
        out[s + 1] = ~self.has_role[query][self.role[cols]]
        street = self.street[query]
        out[s + 2] = (street >= 0) & (street == self.street[cols])
        out[s + 3] = (street >= 0) & (street == self.hub_street[cols])
        out[s + 4] = self.headroom_share[cols]
        out[s:] *= self.is_partner[cols][None, :]

    def rows(self, queries: np.ndarray, cols: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """:meth:`row` of many queries at once, each against its own sorted columns: query ``i`` against
        ``cols[starts[i]:starts[i + 1]]``; an array ``(len(SIGNALS), len(cols))``, the rows side by side.

        The paths of every query are walked together, and each value is summed over the same paths in the same
        order as :meth:`row` sums it, so the values are :meth:`row`'s to the last bit. Memory: a table of
        ``len(queries) x nodes`` int32 (ask for a few dozen queries at a time).

        >>> eng = SignalEngine(nx.path_graph(4))
        >>> both = eng.rows(np.array([0, 3]), np.array([2, 3, 0, 1]), np.array([0, 2, 4]))
        >>> bool((both[:, :2] == eng.row(0, np.array([2, 3]))).all()), both[4].round(4).tolist()   # L3: 0-3, 3-0
        (True, [0.0, 0.5, 0.5, 0.0])
        """
        queries = np.asarray(queries, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        n = len(self.nodes)
        owner = np.repeat(np.arange(len(queries)), np.diff(starts))
        keys = owner * n + cols
        slot = _slot_table(len(queries) * n)  # (query, node) -> its position in cols
        slot[keys] = np.arange(len(cols), dtype=np.int32)
        try:
            return self._rows(queries, cols, owner, slot)
        finally:
            slot[keys] = -1

    def _rows(self, queries: np.ndarray, cols: np.ndarray, owner: np.ndarray, slot: np.ndarray) -> np.ndarray:
        """:meth:`rows`, given each query's position of its candidates in ``slot``."""
        n = len(self.nodes)
        out = np.zeros((len(SIGNALS), len(cols)))

        def add(at_query: np.ndarray, targets: np.ndarray, weights: np.ndarray, signal: int) -> None:
            at = slot[at_query * n + targets]
            hit = at >= 0
            out[signal] += np.bincount(at[hit], weights=weights[hit], minlength=len(cols))

        first, q1 = self.neighbours(queries)
        second, via = self.neighbours(first)
        q2 = q1[via]
        z = first[via]
        add(q2, second, np.ones(len(second)), 0)
        add(q2, second, self.inv_log[z], 1)
        add(q2, second, self.inv[z], 2)
        out[3] = self.deg[queries][owner] * self.deg[cols]
        isq = self.isq
        middle, at_middle = _unique_inverse(q2 * n + second)
        weight = np.bincount(at_middle, weights=isq[z] * isq[second], minlength=len(middle))
        third, via3 = self.neighbours(middle % n)
        add((middle // n)[via3], third, weight[via3], 4)
        if self.typed:
            self._domain_rows(queries[owner], cols, out)
        return out

    def _domain_rows(self, query: np.ndarray, cols: np.ndarray, out: np.ndarray) -> None:
        """:meth:`_domain_row` of pairs ``(query[i], cols[i])``, each value computed as it computes it."""
        s = len(STRUCTURAL)
        community = self.is_community[query]
        gap = np.zeros(len(cols))
        offers = self.O[cols]
        for k in range(len(self.cats)):  # category by category, in the order _domain_row adds them
            sel = np.flatnonzero(offers[:, k] > 0)  # elsewhere the share is 0, and adding 0 changes nothing
            q = query[sel]
            need = self.N[q, k]
            share = share_array(offers[sel, k], need, self.W[cols[sel], k] + need)
            gap[sel] += np.minimum(self.U[q, k], share)
        total = self.total_need[query]
        out[s] = np.divide(gap, total, out=np.zeros_like(gap), where=total > 0)
        out[s + 1] = ~self.has_role[query, self.role[cols]]
        street = self.street[query]
        out[s + 2] = (street >= 0) & (street == self.street[cols])
        out[s + 3] = (street >= 0) & (street == self.hub_street[cols])
        out[s + 4] = self.headroom_share[cols]
        out[s:] *= (self.is_partner[cols] & community)[None, :]

    def pair_features(self, pairs: Sequence[Pair]) -> np.ndarray:
        """Raw features of ``pairs`` (rows), columns :data:`SIGNALS`; same values as :func:`reference_features`."""
        return self.index_features(*self.indices(pairs))

    def indices(self, pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray]:
        """The engine indices of the pairs' first and second nodes.

        >>> [a.tolist() for a in SignalEngine(nx.path_graph(3)).indices([(0, 2), (1, 0)])]
        [[0, 1], [2, 0]]
        """
        index = self.index
        us = np.fromiter((index[u] for u, _ in pairs), dtype=np.int64, count=len(pairs))
        vs = np.fromiter((index[v] for _, v in pairs), dtype=np.int64, count=len(pairs))
        return us, vs

    def index_features(self, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        """:meth:`pair_features` of the pairs ``(nodes[us[i]], nodes[vs[i]])``, given by engine index.

        The structural signals come from :meth:`block` (the pairs' queries against their candidates, in blocks of
        at most :data:`BLOCK_CELLS`), the domain ones from the pairs alone (:meth:`_domain_rows`, which computes
        each value as :meth:`block` does), not for every cell of the blocks.

        >>> eng = SignalEngine(nx.path_graph(4))
        >>> eng.index_features(np.array([0]), np.array([3]))[0, 4].round(4)   # L3 of 0 - 1 - 2 - 3
        np.float64(0.5)
        """
        us = np.asarray(us, dtype=np.int64)
        vs = np.asarray(vs, dtype=np.int64)
        out = np.zeros((len(us), len(SIGNALS)))
        if not len(us):
            return out
        order = np.argsort(us, kind="stable")
        sorted_us = us[order]  # once: sorting (or slicing) the whole list per block made this quadratic
        queries = np.unique(us)
        step = max(1, BLOCK_CELLS // max(1, len(np.unique(vs))))
        start = 0
        for q0 in range(0, len(queries), step):
            chunk = queries[q0 : q0 + step]
            stop = int(np.searchsorted(sorted_us, chunk[-1], side="right"))
            idx = order[start:stop]
            start = stop
            cols = np.unique(vs[idx])
            block = self.block(chunk, cols, domain=False)
            r = np.searchsorted(chunk, us[idx])
            c = np.searchsorted(cols, vs[idx])
            values = block[:, r, c]
            if self.typed:
                self._domain_rows(us[idx], vs[idx], values)
            out[idx] = values.T
        return out
