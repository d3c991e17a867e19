"""Which partners are scored for one community on a large district: those with a signal, and the best of the rest.

Scoring a community against every partner costs time in proportion to the partners, so recommendations for a
whole district grow with communities x partners. Above :data:`POOL_ABOVE` candidate partners, the recommender
scores only these, for community ``c`` (every other partner keeps its place below them):

* the partners **within three steps** of ``c``: beyond, every structural signal but preferential attachment
  (common neighbours, Adamic-Adar, resource allocation, L3) is zero. Paths are not followed through a node with
  more than :data:`REACH_DEGREE` neighbours (a district-wide hub): each path through it adds at most
  ``1 / sqrt(REACH_DEGREE)`` to L3, and following them would make every community a candidate of thousands;
* the partners working in ``c``'s **street** (``same_street``; the street's hub, ``street_hub``), and in the
  street a list is filtered to;
* for each category ``c`` still **lacks**, the partners offering it that would close the most of it, as ranked
  once per snapshot: the need they would close for a typical community times the probability of a link with no
  structural or street signal, the best :data:`POOL_SIZE` of each five-society role (``gap_fit`` and the gain);
* for each five-society role, the :data:`POOL_SIZE` partners with the best score when nothing but the partner's
  own terms speak (preferential attachment with a typical community, headroom): the **background** pool.

A partner outside every set has no structural signal but preferential attachment, no street signal, and either
no gap signal or one ranked below its category's pool, so it can only outrank a scored partner by its own terms,
which the background and category pools keep the best of. Partners at capacity are never in a pool (they are
never recommended). Up to :data:`POOL_ABOVE` partners every partner is scored (the exact path, which the tests
compare with the reference); ``bench/scale.py`` measures how often both paths give the same list at city scale.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> from graphsvc.analysis.linkmodel.signals import SignalEngine
>>> G = nx.Graph()
>>> G.add_node("c", kind="community", street="S", needs={"health": 2.0})
>>> G.add_node("d", kind="community", street="T", needs={"health": 1.0})
>>> G.add_node("near", kind="organization", street="T")
>>> G.add_node("far", kind="organization", street="U", offers={"health": 3.0})
>>> G.add_node("busy", kind="enterprise", street="U")
>>> G.add_node("idle", kind="enterprise", street="U")
>>> G.add_edges_from([("c", "near"), ("near", "d"), ("busy", "d")])
>>> eng = SignalEngine(G)
>>> cols = np.array(sorted(eng.index[n] for n in ("near", "far", "busy", "idle")))
>>> pools = CandidatePools(eng, prior_model(True), cols, np.zeros(len(cols), dtype=bool), size=1)
>>> sorted(eng.nodes[cols[j]] for j in pools.candidates(eng.index["c"]))
['busy', 'far', 'near']

``near`` is within reach (already linked: scored, never listed), ``far`` offers the health care ``c`` lacks,
``busy`` is the background's best enterprise (with one pool place per role, ``idle`` is left out).
"""

from __future__ import annotations

import numpy as np

from graphsvc.analysis.core.coverage import share_array
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.analysis.linkmodel.signals import SIGNALS, SignalEngine, ranges
from graphsvc.analysis.recommender.gain import LACKING

POOL_ABOVE = 3_000
"""Candidate partners up to which every partner is scored for every community (the exact path)."""
POOL_SIZE = 48
"""Partners kept per five-society role in each category's pool and in the background pool."""
REACH_DEGREE = 256
"""Paths to candidates are not followed through nodes with more neighbours than this."""

_PA = SIGNALS.index("preferential_attachment")
_GAP = SIGNALS.index("gap_fit")
_ROLE = SIGNALS.index("fills_role")
_ROOM = SIGNALS.index("headroom_share")


def _typical(values: np.ndarray) -> float:
    positive = values[values > 0]
    return float(np.median(positive)) if len(positive) else 1.0


class CandidatePools:
    """The pools of one snapshot (built once), and the candidates of a community (see the module doc).

    Parameters
    ----------
    engine : SignalEngine
        The snapshot's signal engine (a typed graph: communities and partners).
    model : LinkModel
        The weighting the pools are ranked with.
    cols : numpy.ndarray
        Engine indices of the candidate partners (sorted); candidates are returned as positions in it.
    blocked : numpy.ndarray of bool
        Per position of ``cols``, partners never recommended (at capacity).
    size : int
        Partners kept per role in each pool.
    """

    def __init__(
        self, engine: SignalEngine, model: LinkModel, cols: np.ndarray, blocked: np.ndarray, *, size: int = POOL_SIZE
    ) -> None:
        eng = engine
        self.engine = eng
        self.cols = cols
        self.blocked = blocked
        self.col_of = np.full(len(eng.nodes), -1, dtype=np.int64)
        self.col_of[cols] = np.arange(len(cols))
        open_ = cols[~blocked & eng.is_partner[cols]]
        self.by_street: dict[int, np.ndarray] = {}
        streets = eng.street[open_]
        order = np.argsort(streets, kind="stable")
        bounds = np.searchsorted(streets[order], np.unique(streets))
        for s, part in zip(np.unique(streets).tolist(), np.split(open_[order], bounds[1:]), strict=True):
            if s >= 0:
                self.by_street[s] = part
        hubs = open_[eng.hub_street[open_] >= 0]
        self.hub_of = {int(eng.hub_street[h]): int(h) for h in hubs}
        self._small = eng.deg <= REACH_DEGREE

        communities = np.flatnonzero(eng.is_community)
        degree = _typical(eng.deg[communities])
        total = _typical(eng.total_need[communities])
        T = np.zeros((len(open_), len(SIGNALS)))
        T[:, _PA] = np.log1p(degree * eng.deg[open_])
        T[:, _ROLE] = 1.0
        T[:, _ROOM] = eng.headroom_share[open_]
        roles = eng.role[open_]
        self.background = self._best(open_, roles, model.score(T), size)
        self.fillers: list[np.ndarray] = []
        for k in range(len(eng.cats)):
            offering = eng.O[open_, k] > 0
            P = open_[offering]
            need = _typical(eng.N[communities, k])
            closed = np.minimum(need, share_array(eng.O[P, k], np.asarray(need), eng.W[P, k] + need))
            Tk = T[offering].copy()
            Tk[:, _GAP] = closed / total
            value = closed * model.probability(model.score(Tk))
            self.fillers.append(self._best(P, roles[offering], value, size))
        self._filler_starts = np.cumsum([0, *(len(f) for f in self.fillers)])
        self._fillers = np.concatenate([*self.fillers, np.zeros(0, dtype=np.int64)]).astype(np.int64)

    @staticmethod
    def _best(nodes: np.ndarray, roles: np.ndarray, value: np.ndarray, size: int) -> np.ndarray:
        """The ``size`` nodes of highest ``value`` in each role (ties: lower index first)."""
        kept = []
        for r in np.unique(roles).tolist():
            mine = np.flatnonzero(roles == r)
            order = np.lexsort((nodes[mine], -value[mine]))[:size]
            kept.append(nodes[mine[order]])
        return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)

    def candidates(self, query: int, *, street: int | None = None) -> np.ndarray:
        """Positions in ``cols`` of the partners scored for the community at engine index ``query`` (sorted).

        ``street`` (a street id of the engine) adds the partners of the street a list is filtered to.
        """
        eng = self.engine
        A = eng.A
        small = eng.deg <= REACH_DEGREE
        first = A.indices[A.indptr[query] : A.indptr[query + 1]]
        second = np.unique(eng.neighbours(first[small[first]])[0])
        third = eng.neighbours(second[small[second]])[0]
        parts = [second, third, self.background]
        for s in {eng.street[query], -1 if street is None else street}:
            if s >= 0:
                parts.append(self.by_street.get(int(s), np.zeros(0, dtype=np.int64)))
                if int(s) in self.hub_of:
                    parts.append(np.array([self.hub_of[int(s)]]))
        lacking = np.flatnonzero(eng.N[query] - eng.S[query] > LACKING)
        parts.extend(self.fillers[k] for k in lacking.tolist())
        js = self.col_of[np.unique(np.concatenate(parts).astype(np.int64))]
        js = js[js >= 0]
        return np.asarray(js[~self.blocked[js]])

    def candidates_of(self, queries: np.ndarray, *, street: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`candidates` of many communities at once: ``(js, starts)``, the candidates of ``queries[i]`` being
        ``js[starts[i]:starts[i + 1]]`` (the same positions, in the same order). Memory: ``len(queries) x
        len(cols)`` bytes."""
        eng = self.engine
        width = len(self.cols)
        queries = np.asarray(queries, dtype=np.int64)
        small = self._small
        chosen = np.zeros(len(queries) * width, dtype=bool)  # (query, position in cols)

        def mark(at_query: np.ndarray, nodes: np.ndarray) -> None:
            js = self.col_of[nodes]
            ok = js >= 0
            chosen[at_query[ok] * width + js[ok]] = True

        first, q1 = eng.neighbours(queries)
        keep = small[first]
        second, via = eng.neighbours(first[keep])
        q2 = q1[keep][via]
        mark(q2, second)
        n = len(eng.nodes)
        unique = np.unique(q2 * n + second)
        s_node, s_query = unique % n, unique // n
        keep = small[s_node]
        third, via3 = eng.neighbours(s_node[keep])
        mark(s_query[keep][via3], third)
        background = self.col_of[self.background]
        chosen.reshape(len(queries), width)[:, background[background >= 0]] = True
        for i, q in enumerate(queries.tolist()):
            for s in {int(eng.street[q]), -1 if street is None else street}:
                if s >= 0:
                    mark(np.full(len(self.by_street.get(s, ())), i), self.by_street.get(s, np.zeros(0, dtype=np.int64)))
                    if s in self.hub_of:
                        mark(np.array([i]), np.array([self.hub_of[s]]))
        lacking_q, lacking_k = np.nonzero(eng.N[queries] - eng.S[queries] > LACKING)
        lo, hi = self._filler_starts[lacking_k], self._filler_starts[lacking_k + 1]
        mark(np.repeat(lacking_q, hi - lo), self._fillers[ranges(lo, hi)])
        chosen.reshape(len(queries), width)[:, self.blocked] = False
        found = np.flatnonzero(chosen)
        return found % width, np.searchsorted(found, np.arange(len(queries) + 1) * width)
