"""Scores of a community's candidate partners: the signal rows the recommender chooses its lists from.

:class:`Scorer` builds, once per snapshot graph, the signal engine
(:class:`~graphsvc.analysis.linkmodel.signals.SignalEngine`), the gain tables and, on a large district, the candidate
pools (:mod:`graphsvc.analysis.recommender.candidates`); it then scores one community against every candidate
partner, or
against its candidates, and keeps recent rows within a fixed budget of memory.
:class:`~graphsvc.analysis.recommender.recommend.Recommender` chooses the lists from these rows.

>>> import networkx as nx
>>> from graphsvc.analysis.linkmodel.model_selection import prior_model
>>> scores = Scorer(nx.path_graph(4), prior_model(False))
>>> row = scores.row(0)           # [scores; raw signals] of node 0 against every candidate
>>> row.shape, [bool(v) for v in np.isinf(row[0])]   # itself and its neighbour 1 are never candidates
((11, 4), [True, True, False, False])
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Hashable, Sequence

import networkx as nx
import numpy as np

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.core.options import RecommendationOptions
from graphsvc.analysis.core.rank_modes import LIKELIHOOD, RankMode, rank_mode
from graphsvc.analysis.linkmodel.linkpred import PairTask, task_for
from graphsvc.analysis.linkmodel.model_selection import DECIMALS, LinkModel, excluded
from graphsvc.analysis.linkmodel.signals import STRUCTURAL, SignalEngine, transform
from graphsvc.analysis.recommender.candidates import POOL_ABOVE, CandidatePools
from graphsvc.analysis.recommender.gain import GainState, GainTables
from graphsvc.collector import paused
from graphsvc.errors import EntityNotFound

GAIN_DECIMALS = 2
"""Gains and expected gains are compared at 0.01 of a need unit (needs are weights of a few units; less is
noise to a planner): ties, partners closing nothing among them, are ordered by likelihood."""


class Scorer:
    """The candidate partners of a snapshot graph and their scores for one community at a time.

    Parameters
    ----------
    G : networkx.Graph
        The graph (read, never changed).
    model : LinkModel
        The weighting.
    task : PairTask, optional
        Which pairs are queries and candidates (default: :func:`~graphsvc.analysis.linkmodel.linkpred.task_for`).
    """

    CACHE_CELLS = 4_000_000
    """Scored rows kept for repeated questions, in cells (8 bytes each): bounded whatever the district's size."""

    def __init__(self, G: nx.Graph, model: LinkModel, *, task: PairTask | None = None) -> None:
        check_graph(G)
        self.G = G
        self.model = model
        self.task = task or task_for(G)
        self.typed = self.task.kind == "community-partner"
        with paused():
            self.engine = SignalEngine(G)
        idx = self.engine.index
        self.cols = np.array(sorted(idx[n] for n in self.task.candidates), dtype=np.int64)
        self.col_nodes = [self.engine.nodes[i] for i in self.cols]
        self.col_of = np.full(len(self.engine.nodes), -1, dtype=np.int64)
        self.col_of[self.cols] = np.arange(len(self.cols))
        blocked = np.zeros(len(self.cols), dtype=bool)
        if self.typed:
            blocked = self.engine.is_partner[self.cols] & (self.engine.headroom[self.cols] == 0)
        self.blocked = blocked
        self.tables = GainTables(self.engine) if self.typed and self.engine.cats else None
        self.pools = (
            CandidatePools(self.engine, model, self.cols, blocked)
            if self.typed and len(self.cols) > POOL_ABOVE
            else None
        )
        """Above :data:`~graphsvc.analysis.recommender.candidates.POOL_ABOVE` partners, the partners scored per
        community."""
        self._rows: OrderedDict[tuple[Hashable, str | None], tuple[np.ndarray | None, np.ndarray]] = OrderedDict()
        self._cells = 0
        self._kinds: np.ndarray | None = None

    # -- likelihood
    def check_query(self, node: Hashable) -> None:
        if node not in self.engine.index or not self.task.is_query(self.G, node):
            raise EntityNotFound(str(node))

    def scores_block(self, rows: np.ndarray, js: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, raw signals) of rows x candidate columns (all, or positions ``js`` of :attr:`cols`); linked,
        self and blocked pairs get -inf."""
        cols = self.cols if js is None else self.cols[js]
        one = len(rows) == 1  # one community: walk its paths
        X = self.engine.row(int(rows[0]), cols)[:, None, :] if one else self.engine.block(rows, cols)
        T = np.moveaxis(X, 0, -1)
        n = len(STRUCTURAL)
        T = np.concatenate([np.log1p(T[..., :n]), T[..., n:]], axis=-1)
        s = np.round(self.model.score(T), DECIMALS)
        if len(rows) == 1:
            A = self.engine.A
            linked = np.isin(cols, A.indices[A.indptr[rows[0]] : A.indptr[rows[0] + 1]])[None, :]
        else:
            linked = self.engine.A[rows][:, cols].toarray() > 0
        same = rows[:, None] == cols[None, :]
        outside = self.engine.outside(rows[:, None], cols[None, :]) if self.typed else False
        s[linked | same | (self.blocked if js is None else self.blocked[js])[None, :] | outside] = -np.inf
        return s, X

    def score_rows(self, queries: np.ndarray, js: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(scores, raw signals)`` of many communities against their candidates at once (``queries[i]`` against
        positions ``js[starts[i]:starts[i + 1]]``, the rows side by side): each row's values are those
        :meth:`score_row` gives it, to the last bit (the signals by :meth:`SignalEngine.rows
        <graphsvc.analysis.linkmodel.signals.SignalEngine.rows>`, each row's score by the same product as one row's)."""
        cols = self.cols[js]
        X = self.engine.rows(queries, cols, starts)
        T = transform(X.T)
        bounds = starts.tolist()
        s = np.empty(len(cols))
        for a, b in itertools.pairwise(bounds):
            # one product per row, shaped as scores_block shapes it: a product's last bits depend on its shape
            s[a:b] = self.model.score(T[None, a:b])[0]
        s = np.round(s, DECIMALS)
        owner = np.repeat(np.arange(len(queries)), np.diff(starts))
        first, at = self.engine.neighbours(queries)
        size = len(self.engine.nodes)
        linked = np.isin(owner * size + cols, at * size + first)
        outside = self.engine.outside(queries[owner], cols) if self.typed else False
        s[linked | (queries[owner] == cols) | self.blocked[js] | outside] = -np.inf
        return s, X

    def score_row(
        self, query: int, *, every: bool = False, street: str | None = None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """``(js, [scores; raw signals...])`` of the community at engine index ``query``: against every candidate
        (``js`` is ``None``) or, on a large district unless ``every``, against its candidates (positions ``js``)."""
        js = None
        if self.pools is not None and not every:
            sid = self.engine.street_ids.get(street, -1) if street is not None else None
            js = self.pools.candidates(query, street=sid)
        scores, raw = self.scores_block(np.array([query], dtype=np.int64), js)
        return js, np.vstack([scores, raw[:, 0, :]])

    def scored(
        self, community: Hashable, *, every: bool = False, street: str | None = None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """:meth:`score_row` of ``community``, kept for repeated questions (bounded by :attr:`CACHE_CELLS`)."""
        key = (community, "*" if every or self.pools is None else street)
        cached = self._rows.get(key)
        if cached is not None:
            self._rows.move_to_end(key)
            return cached
        cached = self.score_row(self.engine.index[community], every=every, street=street)
        self._rows[key] = cached
        self._cells += cached[1].size
        while self._cells > self.CACHE_CELLS and len(self._rows) > 1:
            self._cells -= self._rows.popitem(last=False)[1][1].size
        return cached

    def row(self, community: Hashable) -> np.ndarray:
        """``[scores; raw signals...]`` of one community against every candidate (cached)."""
        return self.scored(community, every=True)[1]

    def filter_mask(self, options: RecommendationOptions) -> np.ndarray | None:
        kinds, street = options.kinds, options.street
        if kinds is None and street is None:
            return None
        keep = np.ones(len(self.cols), dtype=bool)
        if kinds is not None:
            if self._kinds is None:
                self._kinds = np.array([str(self.G.nodes[n].get("kind")) for n in self.col_nodes])
            keep &= np.isin(self._kinds, list(kinds))
        if street is not None:
            keep &= np.array([self.G.nodes[n].get("street") == street for n in self.col_nodes])
        return keep

    def signals(self, pairs: Sequence[tuple[Hashable, Hashable]]) -> np.ndarray:
        """Raw signals of pairs (columns :data:`~graphsvc.analysis.linkmodel.signals.SIGNALS`)."""
        return self.engine.pair_features(pairs)

    def score_pairs(
        self, pairs: Sequence[tuple[Hashable, Hashable]], *, rank: RankMode = LIKELIHOOD.name
    ) -> np.ndarray:
        """Each pair's score under ``rank``, every pair scored alone on the snapshot (at capacity: ``-inf``).

        For ``gain`` and ``gap`` the order is lexicographic (the mode's score, then likelihood); the
        returned values are dense ranks that keep it (higher is better, ties stay ties).
        """
        X = self.engine.pair_features(pairs)
        s = np.round(self.model.score(transform(X)), DECIMALS)
        if self.typed and len(pairs):
            s[excluded(self.engine, pairs)] = -np.inf
            idx = self.engine.index
            ends = np.array([(idx[u], idx[v]) for u, v in pairs], dtype=np.int64)
            s[self.engine.outside(ends[:, 0], ends[:, 1])] = -np.inf
        mode = rank_mode(rank)
        if not mode.by_need or not len(pairs):
            return s
        primary = np.zeros(len(pairs))
        by_query: dict[Hashable, list[int]] = {}
        for i, (u, _) in enumerate(pairs):
            by_query.setdefault(u, []).append(i)
        for u, rows in by_query.items():
            if self.tables is None or u not in self.engine.index:
                continue
            state = GainState(self.tables, self.engine.index[u])
            partners = np.array([self.engine.index[pairs[i][1]] for i in rows], dtype=np.int64)
            g = state.gains(partners)
            primary[rows] = mode.weigh(g, self.model.probability(s[rows]))
        primary = np.where(np.isfinite(s), np.round(primary, GAIN_DECIMALS), -np.inf)
        order = np.lexsort((s, primary))
        dense = np.zeros(len(pairs))
        prev: tuple[float, float] | None = None
        r = 0.0
        for i in order.tolist():
            here = (float(primary[i]), float(s[i]))
            if here != prev:
                r += 1.0
                prev = here
            dense[i] = r if np.isfinite(s[i]) else -np.inf
        return dense
