"""What new links are worth: need closed, one link after another, in sparse arrays (the fast path).

The gain of a link is :func:`graphsvc.analysis.core.coverage.link_gain`: the change of the district's covered
need if it were added (the community's new share, capped at what it still lacks, minus what the partner's
other communities lose as its offer is split one way more). A partner offering nothing the community
lacks closes nothing (gain 0). A *list* of links for one community is valued link after link: each gain
is computed on the graph with the links above it applied, so a second partner filling the same gap is
worth only what the first left open.

Only partners offering a category the community lacks are ever touched, so the cost per community
grows with the partners of its categories, not with the size of the district (no community x partner
block). :func:`graphsvc.analysis.recommender.reference.recommend_reference` computes the same with NetworkX on copies
of the graph; tests assert they agree.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.signals import SignalEngine, ranges
>>> G = nx.Graph()
>>> G.add_node("c", kind="community", needs={"health": 2.0})
>>> G.add_node("p", kind="organization", offers={"health": 5.0})
>>> G.add_node("q", kind="organization", offers={"health": 1.5})
>>> eng = SignalEngine(G)
>>> state = GainState(GainTables(eng), eng.index["c"])
>>> cand = np.array([eng.index["p"], eng.index["q"]])
>>> state.gains(cand).tolist()            # p would close all 2, q 1.5
[2.0, 1.5]
>>> state.apply(eng.index["p"]); state.gains(cand).tolist()   # after p, nothing is left for q
[0.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graphsvc.analysis.core.coverage import share, share_array
from graphsvc.analysis.linkmodel.signals import SignalEngine, ranges

LACKING = 1e-9
"""Need left uncovered above this counts as lacking."""


class GainTables:
    """Per category: the partners offering it, and their links to communities needing it (built once per graph).

    Parameters
    ----------
    engine : SignalEngine
        The snapshot's signal engine (needs, offers, served need and shares per category).
    """

    def __init__(self, engine: SignalEngine) -> None:
        self.engine = engine
        eng = engine
        n = len(eng.nodes)
        self.ncat = len(eng.cats) if eng.typed else 0
        self.offering: list[np.ndarray] = []
        self.pos = np.full((n, max(1, self.ncat)), -1, dtype=np.int64)
        self.edge_partner: list[np.ndarray] = []
        self.edge_community: list[np.ndarray] = []
        self.edge_old: list[np.ndarray] = []
        self.by_partner: list[np.ndarray] = []
        self.by_community: list[sp.csr_array] = []
        self._loss: dict[tuple[int, float], np.ndarray] = {}
        self._edge_lists: dict[int, tuple[list[int], list[float], list[float], list[float]]] = {}
        self._edge_ends: dict[int, tuple[list[int], list[float], list[float], list[float]]] = {}
        self._edges_of: list[dict[int, list[int]]] = [{} for _ in range(self.ncat)]
        self._flat: FlatEdges | None = None
        self.offer_bits = category_bits(eng.O[:, : self.ncat] > 0)
        """Per node: the categories it offers, bit ``k`` for category ``k``."""
        A = eng.A
        for k in range(self.ncat):
            P = np.flatnonzero(eng.O[:, k] > 0)
            self.offering.append(P)
            self.pos[P, k] = np.arange(len(P))
            sub = sp.coo_array(A[P])
            keep = eng.N[sub.col, k] > 0
            ep, ea = sub.row[keep].astype(np.int64), sub.col[keep].astype(np.int64)
            order = np.lexsort((ea, ep))
            ep, ea = ep[order], ea[order]
            self.edge_partner.append(ep)
            self.edge_community.append(ea)
            self.edge_old.append(share_array(eng.O[P[ep], k], eng.N[ea, k], eng.W[P[ep], k]))
            self.by_partner.append(np.searchsorted(ep, np.arange(len(P) + 1)))
            # community -> its edge ids in this category (a sparse row per community)
            self.by_community.append(
                sp.csr_array((np.arange(len(ep)) + 1, (ea, np.arange(len(ep)))), shape=(n, max(1, len(ep))))
            )

    def edge_lists(self, k: int) -> tuple[list[int], list[float], list[float], list[float]]:
        """Per edge of category ``k``, as Python numbers (what a loop over a few edges reads): its partner's engine
        index, the partner's offer and served need in ``k``, and the edge's share on the snapshot."""
        kept = self._edge_lists.get(k)
        if kept is None:
            eng = self.engine
            P = self.offering[k][self.edge_partner[k]]
            kept = (P.tolist(), eng.O[P, k].tolist(), eng.W[P, k].tolist(), self.edge_old[k].tolist())
            self._edge_lists[k] = kept
        return kept

    def edge_ends(self, k: int) -> tuple[list[int], list[float], list[float], list[float]]:
        """Per edge of category ``k``, as Python numbers: its community's engine index, the edge's share on the
        snapshot, and the community's need and served need in ``k``."""
        kept = self._edge_ends.get(k)
        if kept is None:
            eng = self.engine
            a = self.edge_community[k]
            kept = (a.tolist(), self.edge_old[k].tolist(), eng.N[a, k].tolist(), eng.S[a, k].tolist())
            self._edge_ends[k] = kept
        return kept

    def flat(self) -> FlatEdges:
        """Every category's edges in one table (built once asked): what :class:`Lockstep` corrects losses from."""
        if self._flat is None:
            self._flat = FlatEdges(self)
        return self._flat

    def edges_of(self, k: int, community: int) -> list[int]:
        """The edge ids of category ``k`` at ``community`` (kept once asked)."""
        kept = self._edges_of[k].get(community)
        if kept is None:
            by = self.by_community[k]
            kept = (by.data[by.indptr[community] : by.indptr[community + 1]] - 1).tolist()
            self._edges_of[k][community] = kept
        return kept

    def lost(self, k: int, edges: np.ndarray, need: float, shared: np.ndarray) -> np.ndarray:
        """What the communities of ``edges`` (category ``k``) lose when their partner takes one more community
        needing ``need``, given their current sums of shares ``shared``."""
        eng = self.engine
        P = self.offering[k][self.edge_partner[k][edges]]
        a = self.edge_community[k][edges]
        Na = eng.N[a, k]
        new = share_array(eng.O[P, k], Na, eng.W[P, k] + need)
        return np.asarray(np.minimum(Na, shared) - np.minimum(Na, shared - self.edge_old[k][edges] + new))

    def base_loss(self, k: int, need: float) -> np.ndarray:
        """Loss of every partner offering ``k`` (in :attr:`offering` order) on the snapshot, cached by need."""
        key = (k, float(need))
        cached = self._loss.get(key)
        if cached is None:
            edges = np.arange(len(self.edge_partner[k]))
            lost = self.lost(k, edges, need, self.engine.S[self.edge_community[k], k])
            cached = np.bincount(self.edge_partner[k], weights=lost, minlength=len(self.offering[k]))
            if len(self._loss) < 4096:
                self._loss[key] = cached
        return cached


class FlatEdges:
    """The edges of every category of :class:`GainTables` in one set of arrays, ordered by ``(category, community,
    edge)``: the edges at many ``(category, community)`` pairs are then found by two binary searches, whatever the
    category.

    Per edge: :attr:`partner` (engine index), its :attr:`offer` and :attr:`served` need in the category, the
    edge's :attr:`old` share on the snapshot, its community's :attr:`need` and :attr:`base` (sum of shares) there;
    :attr:`key` is ``category * nodes + community``, non-decreasing.
    """

    def __init__(self, tables: GainTables) -> None:
        eng = tables.engine
        n = len(eng.nodes)
        parts: list[tuple[np.ndarray, ...]] = []
        for k in range(tables.ncat):
            a = tables.edge_community[k]
            order = np.argsort(a, kind="stable")  # by community, then edge (edges_of's order)
            a = a[order]
            P = tables.offering[k][tables.edge_partner[k][order]]
            parts.append((k * n + a, P, eng.O[P, k], eng.W[P, k], tables.edge_old[k][order], eng.N[a, k], eng.S[a, k]))
        if parts:
            key, partner, offer, served, old, need, base = (np.concatenate(c) for c in zip(*parts, strict=True))
        else:
            key, partner = np.zeros(0, np.int64), np.zeros(0, np.int64)
            offer = served = old = need = base = np.zeros(0)
        self.nodes = n
        self.key, self.partner, self.offer, self.served = key, partner, offer, served
        self.old, self.need, self.base = old, need, base

    def at(self, k: np.ndarray, community: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(edges, entry)``: the edges of category ``k[i]`` at ``community[i]`` for every ``i`` (in order), and
        the ``i`` each edge is of."""
        wanted = k * self.nodes + community
        lo = np.searchsorted(self.key, wanted, side="left")
        hi = np.searchsorted(self.key, wanted, side="right")
        return ranges(lo, hi), np.repeat(np.arange(len(wanted)), hi - lo)


class GainState:
    """One community's gains as links are applied one after another (see module doc).

    Parameters
    ----------
    tables : GainTables
        The snapshot's tables.
    query : int
        The community's index in the engine.
    """

    def __init__(self, tables: GainTables, query: int) -> None:
        self.t = tables
        eng = tables.engine
        self.q = query
        self.need = eng.N[query].copy() if tables.ncat else np.zeros(0)
        self.shared = eng.S[query].copy() if tables.ncat else np.zeros(0)
        self._lacking: np.ndarray | None = None
        self.changed: dict[int, dict[int, float]] = {}
        """Per category: ``{community: sum of shares}`` of the communities whose shares the links applied so far
        changed (the partners' other communities)."""
        self.revision = [0] * tables.ncat
        """Per category: how many applied links changed shares in it (what an :class:`Among` checks its losses by)."""
        self._deltas: dict[int, tuple[list[int], list[float]]] = {}
        """Per category: :meth:`_change`, until the next link changing it."""
        self._edge_deltas: dict[int, dict[int, tuple[list[int], list[float]]]] = {}
        """Per category and changed community: its part of :meth:`_change`, until a link changes its shares."""
        self.version = 0
        """How many applied links changed anything (gains asked at the same version are the same)."""
        self._needed = np.flatnonzero(self.need > 0).tolist()

    def lacking(self) -> np.ndarray:
        """Uncovered need per category (computed once per link applied; do not change the array)."""
        if self._lacking is None:
            self._lacking = np.asarray(np.maximum(0.0, self.need - self.shared))
        return self._lacking

    def terms(self, partners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(closed, lost)``: per partner (rows) and category (columns), the need this community would close
        and the need the partner's other communities would lose."""
        return Among(self, partners).terms()

    def _change(self, k: int) -> tuple[list[int], list[float]]:
        """``(owners, delta)``: how the links applied so far change the losses in category ``k`` (per edge to a
        community whose shares they changed: the edge's partner and its change of loss); computed once per
        link changing ``k``. The edges are few: each value is computed with Python floats as
        :meth:`GainTables.lost` computes it with arrays."""
        cached = self._deltas.get(k)
        if cached is not None:
            return cached
        t = self.t
        eng = t.engine
        n = float(self.need[k])
        partner, offer, served, edge_old = t.edge_lists(k)
        owners: list[int] = []
        delta: list[float] = []
        parts = self._edge_deltas.setdefault(k, {})  # a community's part changes only when its shares do
        for a, shared in self.changed[k].items():
            part = parts.get(a)
            if part is None:
                need = float(eng.N[a, k])
                base = float(eng.S[a, k])
                part = ([], [])
                for e in t.edges_of(k, a):
                    p = partner[e]
                    new = share(offer[e], need, served[e] + n)
                    old = edge_old[e]
                    now = min(need, shared) - min(need, shared - old + new)
                    then = min(need, base) - min(need, base - old + new)
                    part[0].append(p)
                    part[1].append(now - then)
                parts[a] = part
            owners += part[0]
            delta += part[1]
        self._deltas[k] = cached = (owners, delta)
        return cached

    def among(self, partners: np.ndarray) -> Among:
        """The gains of a fixed set of ``partners``, for asking again as links are applied (the greedy list)."""
        return Among(self, partners)

    def offers_lacking(self, partners: np.ndarray) -> np.ndarray:
        """Whether each partner offers a category this community still lacks."""
        if not self.t.ncat:
            return np.zeros(len(partners), dtype=bool)
        return np.asarray(self.t.offer_bits[partners] & self.lacking_bits() != 0)

    def lacking_bits(self) -> int:
        """The categories this community still lacks (uncovered need above :data:`LACKING`), bit ``k`` for ``k``."""
        return sum(1 << k for k, v in enumerate(self.lacking().tolist()) if v > LACKING)

    def gains(self, partners: np.ndarray) -> np.ndarray:
        """Gain of each partner's link (0 for partners offering nothing this community lacks)."""
        return self.gains_and_terms(partners)[0]

    def gains_and_terms(self, partners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`gains` with the :meth:`terms` they are made of."""
        if not self.t.ncat or not len(partners):
            empty = np.zeros((len(partners), self.t.ncat))
            return np.zeros(len(partners)), empty, empty
        return Among(self, partners).gains_and_terms()

    def apply(self, partner: int) -> None:
        """Link ``partner`` to this community: its shares here and in its other communities change.

        A partner's links are few: they are followed one by one, each value computed as :func:`share_array`
        computes it.
        """
        t = self.t
        eng = t.engine
        offers = eng.O[partner].tolist()
        for k in self._needed:
            offer = offers[k]
            if not offer > 0:
                continue
            n = float(self.need[k])
            total = float(eng.W[partner, k]) + n
            self.shared[k] += share(offer, n, total)
            self._lacking = None
            self.version += 1
            j = t.pos[partner, k]
            lo, hi = int(t.by_partner[k][j]), int(t.by_partner[k][j + 1])
            if lo == hi:
                continue
            changed = self.changed.setdefault(k, {})
            parts = self._edge_deltas.get(k, {})
            community, edge_old, need_of, base_of = t.edge_ends(k)
            for e in range(lo, hi):
                a, old = community[e], edge_old[e]
                now = changed.get(a)
                changed[a] = (base_of[e] if now is None else now) - old + share(offer, need_of[e], total)
                parts.pop(a, None)
            self.revision[k] += 1
            self._deltas.pop(k, None)


class Among:
    """:meth:`GainState.gains` of a fixed set of partners, asked again as links are applied (the greedy list).

    What does not change as links are applied is computed once: each partner's share per category and its
    loss on the snapshot. The losses are then corrected category by category, only in the categories an
    applied link changed since the last question.
    """

    def __init__(
        self,
        state: GainState,
        partners: np.ndarray,
        prepared: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.state = state
        self.partners = partners
        t = state.t
        if prepared is None:
            prepared = fillers_facts(t, np.broadcast_to(state.need, (len(partners), t.ncat)), partners)
        self.offered, self.share, self.lost = prepared
        """Per partner (rows) and category: whether it offers what the community needs, its share there, its
        loss on the snapshot (before any link is applied)."""
        self._bits = t.offer_bits[partners] & sum(1 << k for k in state._needed)
        self._row_of: dict[int, int] | None = None
        self._lost_now = self.lost
        self._seen = [0] * t.ncat

    def closing(self) -> np.ndarray:
        """Whether each partner still offers a category the community lacks (if not, its gain is 0 from now on:
        what a community lacks only shrinks as links are applied)."""
        return np.asarray(self._bits & self.state.lacking_bits() != 0)

    def _losses(self) -> np.ndarray:
        """Each partner's loss given the links applied so far: the snapshot's, corrected for the communities
        whose shares the links changed. Only the categories changed since the last call are corrected again;
        an array once returned is never written to."""
        state = self.state
        stale = [k for k in state.changed if state.revision[k] != self._seen[k]]
        if not stale or not len(self.partners):
            return self._lost_now
        lost = self._lost_now.copy()
        if self._row_of is None:
            self._row_of = {p: i for i, p in enumerate(self.partners.tolist())}
        row_of = self._row_of
        for k in stale:
            base = self.lost
            lost[:, k] = base[:, k]
            for i, value in corrected(state, k, row_of, base).items():
                lost[i, k] = value
            self._seen[k] = state.revision[k]
        self._lost_now = lost
        return lost

    def terms(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`GainState.terms` of the partners, given the links applied so far."""
        return np.minimum(self.state.lacking()[None, :], self.share), self._losses()

    def gains_and_terms(self, closing: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each partner's gain given the links applied so far, with the :meth:`terms` it is made of
        (``closing``: :meth:`closing`, when the caller has it)."""
        closed, lost = self.terms()
        closing = self.closing() if closing is None else closing
        return np.asarray(np.where(closing, (closed - lost).sum(axis=1), 0.0)), closed, lost

    def gains(self) -> np.ndarray:
        """Gain of each partner's link given the links applied so far (same values as :meth:`GainState.gains`)."""
        if not self.state.t.ncat or not len(self.partners):
            return np.zeros(len(self.partners))
        return self.gains_and_terms()[0]


def corrected(state: GainState, k: int, row_of: dict[int, int], base: np.ndarray) -> dict[int, float]:
    """The losses in category ``k`` that the links applied to ``state`` changed, by row of ``base`` (the
    snapshot's losses, partners at rows ``row_of``): each the snapshot's loss plus each change, added in turn."""
    owners, delta = state._change(k)
    summed: dict[int, float] = {}
    for p, d in zip(owners, delta, strict=True):
        i = row_of.get(p)
        if i is not None:
            summed[i] = (summed[i] if i in summed else float(base[i, k])) + d
    return summed


class Lockstep:
    """:class:`Among` for many communities at once: each community's fillers, the rows of one array side by side
    (``owner[r]``: the community of row ``r``, rows grouped by community), asked together after each round of
    picks. Every value is computed as one community's :class:`Among` computes it (elementwise, row sums per
    row), so each community's gains are the same to the last bit.

    Parameters
    ----------
    states : list of GainState
        One per community, links applied by the caller (then :meth:`refresh` it).
    owner : numpy.ndarray
        Per row, its community's place in ``states`` (non-decreasing).
    partners : numpy.ndarray
        Per row, the filler's engine index.
    prepared : tuple of numpy.ndarray
        :func:`fillers_facts` of the rows.
    """

    def __init__(
        self,
        states: list[GainState],
        owner: np.ndarray,
        partners: np.ndarray,
        prepared: tuple[np.ndarray, np.ndarray, np.ndarray],
    ) -> None:
        t = states[0].t if states else None
        self.states = states
        self.owner = owner
        self.partners = partners
        self.offered, self.share, self.lost = prepared
        ncat = t.ncat if t is not None else 0
        needed = np.array([sum(1 << k for k in s._needed) for s in states], dtype=np.int64)
        self._bits = (t.offer_bits[partners] & needed[owner]) if t is not None else np.zeros(len(owner), np.int64)
        self.bounds = np.searchsorted(owner, np.arange(len(states) + 1)).tolist()
        """Community ``c``'s rows are ``bounds[c]:bounds[c + 1]``."""
        self._lacking = np.array([s.lacking() for s in states]).reshape(len(states), ncat)
        self._lacking_bits = np.array([s.lacking_bits() for s in states], dtype=np.int64)
        self._lost_now = self.lost.copy()  # written in place (handed out as copies)
        self._seen = [[0] * ncat for _ in states]
        self._bounds = np.array(self.bounds, dtype=np.int64)
        self._needs = np.array([s.need for s in states]).reshape(len(states), ncat)
        nodes = len(t.engine.nodes) if t is not None else 0
        keys = owner.astype(np.int64) * nodes + partners
        self._key_rows = np.argsort(keys, kind="stable")
        self._keys = keys[self._key_rows]
        """Each row's ``community * nodes + partner``, sorted, and the rows in that order (finding a partner's row
        among a community's fillers)."""

    def refresh(self, c: int) -> None:
        """Read community ``c``'s state again (after a link was applied to it)."""
        state = self.states[c]
        self._lacking[c] = state.lacking()
        self._lacking_bits[c] = state.lacking_bits()

    def _correct(self, communities: list[int]) -> None:
        """:meth:`Among._losses` of ``communities``, in their rows of the losses, for all of them at once: each
        stale cell (row, category) is reset to the snapshot's loss and each change of :meth:`GainState._change` is
        added to it in the order one community's :func:`corrected` adds them (``np.add.at`` adds in order), each
        change computed as :meth:`GainState._change` computes it."""
        groups_c: list[int] = []
        groups_k: list[int] = []
        sizes: list[int] = []
        at: list[int] = []
        shared: list[float] = []
        for c in communities:
            state = self.states[c]
            seen = self._seen[c]
            for k, changed in state.changed.items():
                if state.revision[k] != seen[k]:
                    groups_c.append(c)
                    groups_k.append(k)
                    sizes.append(len(changed))
                    at.extend(changed)
                    shared.extend(changed.values())
                    seen[k] = state.revision[k]
        if not groups_c:
            return
        gc, gk = np.array(groups_c, dtype=np.int64), np.array(groups_k, dtype=np.int64)
        lost, base = self._lost_now, self.lost
        lo, hi = self._bounds[gc], self._bounds[gc + 1]
        rows, cats = ranges(lo, hi), np.repeat(gk, hi - lo)
        lost[rows, cats] = base[rows, cats]
        # the edges at the communities whose shares the links changed, and how each one's loss changes
        group = np.repeat(np.arange(len(gc)), sizes)
        k_of = gk[group]
        flat = self.states[0].t.flat()
        edges, entry = flat.at(k_of, np.array(at, dtype=np.int64))
        c, k = gc[group][entry], k_of[entry]
        now_shared = np.array(shared)[entry]
        need, base_shared, old = flat.need[edges], flat.base[edges], flat.old[edges]
        new = share_array(flat.offer[edges], need, flat.served[edges] + self._needs[c, k])
        now = np.minimum(need, now_shared) - np.minimum(need, now_shared - old + new)
        then = np.minimum(need, base_shared) - np.minimum(need, base_shared - old + new)
        # ... added to the rows of the edges' partners that are among the community's fillers
        wanted = c * flat.nodes + flat.partner[edges]
        place = np.minimum(np.searchsorted(self._keys, wanted), max(0, len(self._keys) - 1))
        hit = self._keys[place] == wanted if len(self._keys) else np.zeros(len(wanted), dtype=bool)
        np.add.at(lost.reshape(-1), self._key_rows[place[hit]] * lost.shape[1] + k[hit], (now - then)[hit])

    def gains_and_terms(
        self, communities: list[int], among: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, gains, closed, lost)``: :meth:`Among.gains_and_terms` of the rows of ``communities`` (ascending;
        only the rows ``among`` masks, if given), given the links applied so far; the arrays are new, one line per
        row of ``rows``."""
        asked = np.zeros(len(self.states), dtype=bool)
        asked[communities] = True
        self._correct(communities)
        rows = np.flatnonzero(asked[self.owner] if among is None else asked[self.owner] & among)
        owner = self.owner[rows]
        closing = self._bits[rows] & self._lacking_bits[owner] != 0
        closed = np.minimum(self._lacking[owner], self.share[rows])
        lost = self._lost_now[rows]
        return rows, np.asarray(np.where(closing, (closed - lost).sum(axis=1), 0.0)), closed, lost


def fillers_facts(
    tables: GainTables, needs: np.ndarray, partners: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What :class:`Among` starts from, for rows ``(a community's needs, a partner)``: one community's fillers or
    many communities' at once (each value is computed alone, so the rows are the same either way).

    Returns ``(offered, share, lost)``: whether the partner offers each category the community needs, the
    community's share of the offer there, and the partner's loss on the snapshot (:meth:`GainTables.base_loss`).
    """
    eng = tables.engine
    ncat = tables.ncat
    offers = eng.O[partners, :ncat]
    offered = (offers > 0) & (needs > 0)
    share = np.zeros(offered.shape)
    r, c = np.nonzero(offered)  # a partner offers one or two of the categories: the shares of these only
    n = needs[r, c]
    share[r, c] = share_array(offers[r, c], n, eng.W[partners[r], c] + n)
    lost = np.zeros(offered.shape)
    at = tables.pos[partners]
    for k in range(ncat):
        rows = np.flatnonzero(offered[:, k])
        if not len(rows):
            continue
        values = needs[rows, k]
        for need in np.unique(values).tolist():
            chosen = rows[values == need]
            lost[chosen, k] = tables.base_loss(k, need)[at[chosen, k]]
    return offered, share, lost


def category_bits(mask: np.ndarray) -> np.ndarray:
    """Each row of a ``(rows, categories)`` mask as an int, bit ``k`` for category ``k``: what a partner offers and
    what a community lacks are then compared by one AND.

    >>> category_bits(np.array([[True, False, True], [False, False, False]])).tolist()
    [5, 0]
    """
    return np.asarray((mask.astype(np.int64) << np.arange(mask.shape[1], dtype=np.int64)).sum(axis=1))


@dataclass
class Pick:
    """One chosen candidate (column ``j``) with its terms at the moment it was chosen."""

    j: int
    score: float
    gain: float
    probability: float
    closed: np.ndarray
    lost: np.ndarray
    uncovered: np.ndarray
