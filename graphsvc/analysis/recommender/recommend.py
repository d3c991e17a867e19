"""Need-first partner recommendations: who would close this community's gaps, how likely, and why.

Candidates are the partners a community is not yet linked to (on a generic graph: every node that is
not a neighbour). Partners at capacity are never recommended. Each candidate has

* a **gain**: the need the link would close in the district (:func:`graphsvc.analysis.core.coverage.link_gain`,
  the same value the district plan maximises; 0 for a partner offering nothing the community lacks);
* a **probability** that the partnership forms, calibrated from the link model of
  :mod:`graphsvc.analysis.linkmodel.model_selection` (structural proximity, same street, hub, role...).

Rank modes (``rank=``, ``--rank``), and when each fits:

``gain`` (default)
    Expected need closed, ``gain x probability``: partners who would close a gap and are likely to say
    yes. The planner's question, "who could fill this community's gap?".
``likelihood``
    The link model's score alone: who the community is likely to link to next, whatever it needs. For
    forecasting the network, and the measure of the classic link-prediction literature.
``gap``
    The gain alone, ignoring plausibility: every partner able to close the gap, however far away. For
    searching wider than the usual circles (a call for partners, a new programme).

In ``gain`` and ``gap`` modes the top-k is chosen as a *set*, greedily: each next partner is the one with
the largest gain once the partners above it are applied, so a list does not repeat five partners filling
the same gap. Partners that close nothing follow, by likelihood. The list reports its expected gain and
the coverage the community would reach if every listed partner joined. On graphs without needs (a generic
graph) every mode ranks by likelihood.

>>> import networkx as nx
>>> G = nx.Graph()
>>> G.add_node("c1", kind="community", street="S", needs={"elderly_care": 3.0})
>>> G.add_node("c2", kind="community", street="S", needs={"elderly_care": 1.0})
>>> G.add_node("o1", kind="organization", subtype="social_organization", street="S", capacity=3,
...            offers={"elderly_care": 4.0})
>>> G.add_node("e1", kind="enterprise", street="T", capacity=1, offers={"funding": 9.0})
>>> G.add_edges_from([("o1", "c2"), ("e1", "c2")])
>>> recs = recommend(G, "c1", k=2)
>>> [r.partner for r in recs.recommendations]   # e1 is at capacity: never recommended
['o1']
>>> recs.recommendations[0].reasons[0].text_en
"offers elderly care: would cover 3 of this community's 3 uncovered"
>>> recs.coverage, recs.coverage_if_linked
(0.0, 1.0)
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from collections.abc import Sequence as SequenceOf
from typing import Unpack

import networkx as nx
import numpy as np

from graphsvc.analysis.core.common import check_graph
from graphsvc.analysis.core.coverage import is_role_category
from graphsvc.analysis.core.forked import default_workers, shared_among
from graphsvc.analysis.core.options import RecommendationKeywords, RecommendationOptions
from graphsvc.analysis.core.outcomes import declined_by, without_declines
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK, LIKELIHOOD, RankMode, rank_mode
from graphsvc.analysis.core.results import (
    LONG_SHOT,
    CommunityRecommendations,
    PartnerExplanation,
    Recommendation,
    built,
)
from graphsvc.analysis.linkmodel.linkpred import PairTask, task_for
from graphsvc.analysis.linkmodel.model_selection import LinkModel, fit_model
from graphsvc.analysis.recommender.choosing import Chooser, Prepared, Sequence
from graphsvc.analysis.recommender.explain import explain
from graphsvc.analysis.recommender.gain import Pick
from graphsvc.analysis.recommender.reasons import SMALL, PairContext, closing_nothing, reasons
from graphsvc.analysis.recommender.scoring import Scorer
from graphsvc.collector import paused
from graphsvc.errors import EntityNotFound
from graphsvc.progress import Progress, Steps
from graphsvc.vocabulary import PARTNER_ROLES

WholeList = tuple[np.ndarray, Sequence, dict[int, int]]
"""A community's whole list: the candidates allowed, the list in its one order, each column's place in it."""

WHOLE_LISTS_KEPT = 32
"""Whole lists (:meth:`Recommender.whole_list`) a recommender keeps, the last asked."""


class Recommender:
    """Fitted recommendations for one snapshot: fit once, answer many requests.

    Parameters
    ----------
    G : networkx.Graph
        The graph recommendations are for. It is read, never changed; do not change it while the
        recommender is in use (build a new one per snapshot).
    model : LinkModel
        The weighting (from :func:`~graphsvc.analysis.linkmodel.model_selection.fit_model`, or ``prior_model``).

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4)])
    >>> rec = Recommender.fit(G, seed=0)          # few links: the prior weights
    >>> rec.model.name, [r.partner for r in rec.recommend(0, k=2).recommendations]
    ('prior', [2, 3])
    """

    BATCH = 64
    """Communities whose candidates are scored together by :meth:`answer_all` on a large district."""

    def __init__(self, G: nx.Graph, model: LinkModel, *, task: PairTask | None = None) -> None:
        self.scorer = Scorer(G, model, task=task)
        self.chooser = Chooser(self.scorer)
        self._facts: tuple[list[int], list[int]] | None = None
        self._whole: dict[tuple[object, ...], WholeList] = {}
        self._whole_lock = threading.Lock()
        self._cats = tuple(self.scorer.engine.cats) if self.scorer.tables is not None else ()
        self._residents = np.array([not is_role_category(c) for c in self._cats], dtype=bool)
        self._declined = declined_by(G) if self.scorer.typed else {}
        self._sibling: Recommender | None = None
        """Per community, the partners that declined it: left out of its lists (``core.outcomes``)."""

    @property
    def G(self) -> nx.Graph:
        """The snapshot graph."""
        return self.scorer.G

    @property
    def model(self) -> LinkModel:
        """The link model's weighting."""
        return self.scorer.model

    @property
    def task(self) -> PairTask:
        """Which nodes are communities (queries) and which are partners (candidates)."""
        return self.scorer.task

    def signals(self, pairs: SequenceOf[tuple[Hashable, Hashable]]) -> np.ndarray:
        """Raw signals of pairs (:meth:`~graphsvc.analysis.recommender.scoring.Scorer.signals`)."""
        return self.scorer.signals(pairs)

    def score_pairs(
        self, pairs: SequenceOf[tuple[Hashable, Hashable]], *, rank: RankMode = LIKELIHOOD.name
    ) -> np.ndarray:
        """Each pair scored alone (:meth:`~graphsvc.analysis.recommender.scoring.Scorer.score_pairs`)."""
        return self.scorer.score_pairs(pairs, rank=rank)

    @classmethod
    def fit(cls, G: nx.Graph, *, seed: int | None = 0, k: int = 10) -> Recommender:
        """Learn the weighting on ``G`` (:func:`~graphsvc.analysis.linkmodel.model_selection.fit_model`)."""
        task = task_for(G)
        return cls(G, fit_model(G, seed=seed, k=k, task=task), task=task)

    # -- answers
    def _partner_facts(self) -> tuple[list[int], list[int]]:
        """Per node: its degree and the communities among its neighbours (what reasons say of a partner)."""
        if self._facts is None:
            A = self.scorer.engine.A
            degree = np.diff(A.indptr)
            served = np.zeros(len(degree), dtype=np.int64)
            if self.scorer.typed:
                owner = np.repeat(np.arange(len(degree)), degree)
                served = np.bincount(owner, weights=self.scorer.engine.is_community[A.indices], minlength=len(degree))
                served = served.astype(np.int64)
            self._facts = (degree.tolist(), served.tolist())
        return self._facts

    def _context(self, pick: Pick, street: str | None) -> PairContext:
        """What the reasons of ``pick`` need (``street``: the community's)."""
        eng = self.scorer.engine
        pi = int(self.scorer.cols[pick.j])
        degree, served_by = self._partner_facts()
        room, role_zh, role_en, served = None, "", "", 0
        if self.scorer.typed and eng.is_partner[pi]:
            free = int(eng.headroom[pi])
            room = None if free < 0 else free
            role = PARTNER_ROLES[int(eng.role[pi])]
            role_zh, role_en = role.zh, role.en
            served = served_by[pi]
        return PairContext(
            street=street,
            headroom=room,
            partner_degree=degree[pi],
            role_zh=role_zh,
            role_en=role_en,
            cats=self._cats,
            closed=tuple(pick.closed.tolist()),
            lost=tuple(pick.lost.tolist()),
            uncovered=tuple(pick.uncovered.tolist()),
            served=served,
        )

    def recommendation(
        self, query: Hashable, pick: Pick, raw: np.ndarray, rank: RankMode, js: np.ndarray | None = None
    ) -> Recommendation:
        return self.recommendations(query, [pick], raw, rank, js)[0]

    def recommendations(
        self, query: Hashable, picks: list[Pick], raw: np.ndarray, rank: RankMode, js: np.ndarray | None = None
    ) -> list[Recommendation]:
        """The recommendations of a list's picks, with their reasons (``raw``: the row's raw signals)."""
        if not picks:
            return []
        street = self.G.nodes[query].get("street")
        at = [p.j for p in picks]
        columns = at if js is None else np.searchsorted(js, at).tolist()
        nodes = self.G.nodes
        out = []
        gaps = self.scorer.typed and rank_mode(rank).by_need  # reasons of gaps closed, or "closes nothing"
        for pick, column in zip(picks, columns, strict=True):
            partner = self.scorer.col_nodes[pick.j]
            score = round(pick.score, 6)
            if gaps and not any(c > SMALL for c in pick.closed.tolist()):
                why = closing_nothing(score)  # what reasons() says of it, without its context
            else:
                why = reasons(
                    rank,
                    self.model,
                    raw[:, column],
                    self._context(pick, street),
                    typed=self.scorer.typed,
                    score=score,
                    gain=pick.gain,
                    probability=pick.probability,
                )
            attrs = nodes[partner]
            out.append(
                built(
                    Recommendation,
                    {
                        "partner": partner,
                        "name": attrs.get("name"),
                        "name_en": attrs.get("name_en"),
                        "kind": attrs.get("kind"),
                        "score": score,
                        "gain": round(pick.gain, 6),
                        "probability": round(pick.probability, 6),
                        "long_shot": pick.probability < LONG_SHOT,
                        "reasons": why,
                    },
                )
            )
        return out

    def _needs_recorded(self, query: Hashable) -> bool:
        """Whether ``query`` has residents' needs (a generic graph has none to record: true)."""
        if self.scorer.tables is None:
            return not self.scorer.typed
        return bool((self.scorer.engine.N[self.scorer.engine.index[query]][self._residents] > 0).any())

    def _coverage(self, query: Hashable, picks: list[Pick]) -> tuple[float, float]:
        if self.scorer.tables is None:
            return 1.0, 1.0
        qi = self.scorer.engine.index[query]
        residents = self._residents  # the coverage of the residents' needs, as the gaps give it (roles apart)
        need = self.scorer.engine.N[qi][residents]
        total = float(need.sum())
        if total <= 0:
            return 1.0, 1.0
        before = float(np.minimum(need, self.scorer.engine.S[qi][residents]).sum())
        closed = np.clip(np.array([p.closed[residents] for p in picks]), 0, None).sum(axis=1).tolist() if picks else []
        after = before + sum(closed)
        return round(before / total, 6), round(min(total, after) / total, 6)

    def _answer(
        self,
        query: Hashable,
        row: np.ndarray,
        keep: np.ndarray | None,
        options: RecommendationOptions,
        js: np.ndarray | None = None,
    ) -> CommunityRecommendations:
        """The list from a scored row (every candidate, or positions ``js``); ``keep`` masks every candidate."""
        return self._answer_scored(query, row[0], row[1:], keep, options, js)

    def _answer_scored(
        self,
        query: Hashable,
        scores: np.ndarray,
        raw: np.ndarray,
        keep: np.ndarray | None,
        options: RecommendationOptions,
        js: np.ndarray | None = None,
        prepared: Prepared | None = None,
    ) -> CommunityRecommendations:
        """:meth:`_answer` of the row's scores and raw signals (``prepared``: see
        :meth:`~graphsvc.analysis.recommender.choosing.Chooser.picks`)."""
        rank = options.rank
        if keep is not None and js is not None:
            keep = keep[js]
        valid = self.chooser.valid(scores, keep)
        k = options.k
        seq = self.chooser.picks(
            query, scores, valid, k, options.min_score, rank, js, prepared, others=k if options.others else 0
        )
        return self._answer_of(query, seq, raw, options, js)

    def _answer_of(
        self, query: Hashable, seq: Sequence, raw: np.ndarray, options: RecommendationOptions, js: np.ndarray | None
    ) -> CommunityRecommendations:
        """The answer of ``query``'s list ``seq`` (``raw``: the raw signals of its scored columns, positions ``js``)."""
        rank, k = options.rank, options.k
        picks = seq.closing
        if seq.fillers is not None and options.others:
            others = self.recommendations(query, seq.others[: max(0, k - len(picks))], raw, rank, js)
        else:
            others = []
        before, after = self._coverage(query, picks)
        recs = self.recommendations(query, picks, raw, rank, js)
        return built(
            CommunityRecommendations,
            {
                "community": query,
                "name": self.G.nodes[query].get("name"),
                "rank": rank,
                "recommendations": recs,
                "others": others,
                "closing": seq.fillers,
                "expected_gain": round(sum(r.gain * r.probability for r in recs), 6),
                "coverage": before,
                "coverage_if_linked": after,
                "needs_recorded": self._needs_recorded(query),
                "declined": self._declined.get(query, []),
            },
        )

    def recommend(self, community: Hashable, **options: Unpack[RecommendationKeywords]) -> CommunityRecommendations:
        """The top-``k`` candidates for one community (any node on a generic graph), with reasons.

        ``options`` are those of :func:`recommend` (``k``, ``kinds``, ``street``, ``min_score``, ``rank``).
        Raises ``EntityNotFound`` for an unknown community.
        """
        return self.answer(community, RecommendationOptions(**options))

    def answer(self, community: Hashable, options: RecommendationOptions) -> CommunityRecommendations:
        """:meth:`recommend` with its options built once (what a cache of answers is keyed by)."""
        if options.include_declined and self._declined:
            return self.including_declined().answer(community, options)
        self.scorer.check_query(community)
        js, row = self.scorer.scored(community, street=options.street)
        return self._answer(community, row, self.scorer.filter_mask(options), options, js)

    def recommend_all(
        self,
        *,
        communities: Iterable[Hashable] | None = None,
        workers: int | None = None,
        **options: Unpack[RecommendationKeywords],
    ) -> dict[Hashable, CommunityRecommendations]:
        """:meth:`recommend` for every community (or those given), signals computed in sparse blocks (``workers``:
        see :meth:`answer_all`)."""
        return self.answer_all(RecommendationOptions(**options), communities=communities, workers=workers)

    def answer_all(
        self,
        options: RecommendationOptions,
        *,
        communities: Iterable[Hashable] | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
    ) -> dict[Hashable, CommunityRecommendations]:
        """:meth:`recommend_all` with its options built once; ``progress`` (a :data:`graphsvc.progress.Progress`
        hook) counts communities.

        On a large district the communities are shared among ``workers`` processes forked from this one
        (default: :func:`~graphsvc.analysis.core.forked.default_workers`); each computes the lists of its share as
        this process would, so the lists are the same whatever the number of workers.
        """
        with paused():
            return self._answer_all(options, communities, progress, workers)

    def _answer_all(
        self,
        options: RecommendationOptions,
        communities: Iterable[Hashable] | None,
        progress: Progress | None,
        workers: int | None,
    ) -> dict[Hashable, CommunityRecommendations]:
        if options.include_declined and self._declined:
            return self.including_declined()._answer_all(options, communities, progress, workers)
        queries = list(self.task.queries) if communities is None else list(communities)
        for q in queries:
            self.scorer.check_query(q)
        keep = self.scorer.filter_mask(options)
        rows = np.array([self.scorer.engine.index[q] for q in queries], dtype=np.int64)
        out: dict[Hashable, CommunityRecommendations] = {}
        steps = Steps(progress, total=len(rows))
        if self.scorer.pools is not None:  # a large district: each community against its candidates, in batches
            forks = default_workers(len(rows)) if workers is None else max(1, workers)
            if forks > 1:
                answers = shared_among(rows, lambda part, s: self._pooled(part, keep, options, s), steps, forks)
            else:
                answers = self._pooled(rows, keep, options, steps)
            for qi, answer in zip(rows.tolist(), answers, strict=True):
                out[self.scorer.engine.nodes[qi]] = answer
            return out
        step = max(1, 400_000 // max(1, len(self.scorer.cols)))
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            scores, raw = self.scorer.scores_block(chunk)
            for r, qi in enumerate(chunk.tolist()):
                query = self.scorer.engine.nodes[qi]
                row = np.vstack([scores[r], raw[:, r, :]])
                out[query] = self._answer(query, row, keep, options)
                steps.advance()
        return out

    def _pooled(
        self, rows: np.ndarray, keep: np.ndarray | None, options: RecommendationOptions, steps: Steps
    ) -> list[CommunityRecommendations]:
        """The lists of the communities at engine indices ``rows`` (in order), each against its candidates: the
        candidates and signals of :attr:`BATCH` communities at a time."""
        assert self.scorer.pools is not None
        street = self.scorer.engine.street_ids.get(options.street, -1) if options.street is not None else None
        answers = []
        by_need = rank_mode(options.rank).by_need and self.scorer.tables is not None
        others = options.k if options.others else 0
        for start in range(0, len(rows), self.BATCH):
            chunk = rows[start : start + self.BATCH]
            js, starts = self.scorer.pools.candidates_of(chunk, street=street)
            scores, raw = self.scorer.score_rows(chunk, js, starts)
            bounds = starts.tolist()
            if by_need:  # the greedy lists of the batch in lockstep
                seqs = self.chooser.sequences(
                    chunk, scores, js, starts, keep, options.k, options.min_score, options.rank, others=others
                )
                for i, qi in enumerate(chunk.tolist()):
                    a, b = bounds[i], bounds[i + 1]
                    query = self.scorer.engine.nodes[qi]
                    answers.append(self._answer_of(query, seqs[i], raw[:, a:b], options, js[a:b]))
                    steps.advance()
                continue
            prepared = self.chooser.prepare(scores, starts)
            for i, qi in enumerate(chunk.tolist()):
                a, b = bounds[i], bounds[i + 1]
                query = self.scorer.engine.nodes[qi]
                answers.append(
                    self._answer_scored(query, scores[a:b], raw[:, a:b], keep, options, js[a:b], prepared[i])
                )
                steps.advance()
        return answers

    def whole_list(
        self, community: Hashable, options: RecommendationOptions
    ) -> tuple[np.ndarray, Sequence, dict[int, int]]:
        """The community's whole list under ``options`` (every candidate they allow, whatever ``k``: the partners
        that close some gap first, then the others), in the one order every list is made in, with the mask of
        the candidates allowed and each column's place; what :func:`~graphsvc.analysis.recommender.explain.explain`
        reads
        ranks from. The last :data:`WHOLE_LISTS_KEPT` are kept (a planner asks about several partners of one
        list)."""
        key = (community, options.kinds, options.street, options.min_score, options.rank)
        with self._whole_lock:
            kept = self._whole.get(key)
        if kept is None:
            scores = self.scorer.row(community)[0]
            allowed = self.chooser.valid(scores, self.scorer.filter_mask(options))
            n = len(scores)
            whole = self.chooser.picks(community, scores, allowed, n, options.min_score, options.rank, others=n)
            kept = (allowed, whole, {p.j: i for i, p in enumerate(whole.picks)})
            with self._whole_lock:
                self._whole[key] = kept
                while len(self._whole) > WHOLE_LISTS_KEPT:
                    del self._whole[next(iter(self._whole))]
        return kept

    def including_declined(self) -> Recommender:
        """The recommender of the same snapshot and model whose lists include partners that declined
        (``include_declined``): made once, on :func:`~graphsvc.analysis.core.outcomes.without_declines` of the graph."""
        with self._whole_lock:
            if self._sibling is None:
                self._sibling = Recommender(without_declines(self.G), self.model, task=self.task)
            return self._sibling

    def explain(
        self, community: Hashable, partner: Hashable, **options: Unpack[RecommendationKeywords]
    ) -> PartnerExplanation:
        """ "Why not ``partner``?" (:func:`graphsvc.analysis.recommender.explain.explain`); ``options`` as for
        :meth:`recommend`."""
        return explain(self, community, partner, RecommendationOptions(**options))


def recommend(
    G: nx.Graph,
    community: Hashable,
    *,
    k: int = 10,
    kinds: Iterable[str] | None = None,
    street: str | None = None,
    min_score: float | None = None,
    rank: RankMode = DEFAULT_RANK,
    others: bool = False,
    include_declined: bool = False,
    seed: int | None = 0,
    model: LinkModel | None = None,
) -> CommunityRecommendations:
    """The top-``k`` partners for ``community``, each with its score, gain, probability and reasons.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph (or any simple undirected graph: then any node, structural signals only).
    community : node
        The community (query node).
    k : int
        How many recommendations.
    kinds : iterable of str, optional
        Only partners of these kinds (``organization``, ``enterprise``, ``school``, ``media``).
    street : str, optional
        Only partners working in this street.
    min_score : float, optional
        Only candidates scoring at least this.
    rank : str
        A rank mode of :data:`~graphsvc.analysis.core.rank_modes.RANK_MODES`: ``gain`` (default), ``likelihood`` or
        ``gap`` (see the module doc).
    others : bool
        In ``gain`` and ``gap`` modes, follow the partners that close some gap with likely partners that close
        none (``others`` of the answer), up to ``k`` in all. Without it a list holds only partners that close
        a gap, and may be shorter than ``k`` (``closing`` says how many could).
    include_declined : bool
        List partners that declined the community too (recorded outcomes, :mod:`graphsvc.analysis.core.outcomes`);
        without it they are left out, and the answer's ``declined`` names them.
    seed : int, optional
        Seed of the inner split the weights are learned on.
    model : LinkModel, optional
        A weighting fitted before (skips learning). For many requests build a :class:`Recommender` once.

    Returns
    -------
    CommunityRecommendations
        Node ids as in ``G``.

    Raises
    ------
    graphsvc.errors.EntityNotFound
        If ``community`` is not a community (query node) of ``G``.

    Examples
    --------
    >>> recs = recommend(nx.path_graph(5), 0, k=2, rank="likelihood")
    >>> [r.partner for r in recs.recommendations]
    [2, 3]
    """
    options = RecommendationOptions(
        k=k,
        kinds=kinds,
        street=street,
        min_score=min_score,
        rank=rank,
        others=others,
        include_declined=include_declined,
    )
    check_graph(G)
    task = task_for(G)
    if community not in G or not task.is_query(G, community):
        raise EntityNotFound(str(community))
    rec = Recommender(G, model, task=task) if model is not None else Recommender.fit(G, seed=seed, k=k)
    return rec.answer(community, options)


def recommend_all(
    G: nx.Graph,
    *,
    seed: int | None = 0,
    model: LinkModel | None = None,
    workers: int | None = None,
    **options: Unpack[RecommendationKeywords],
) -> dict[Hashable, CommunityRecommendations]:
    """:func:`recommend` for every community at once (the ``scipy.sparse`` fast path), with its options.

    On a large district the lists are computed in ``workers`` processes (default:
    :func:`~graphsvc.analysis.core.forked.default_workers`, two where a second CPU is idle; see
    :meth:`Recommender.answer_all`).

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3)])
    >>> {q: [r.partner for r in recs.recommendations] for q, recs in recommend_all(G, k=1).items()}
    {0: [2], 1: [3], 2: [0], 3: [1]}
    """
    chosen = RecommendationOptions(**options)
    check_graph(G)
    rec = Recommender(G, model) if model is not None else Recommender.fit(G, seed=seed, k=chosen.k)
    return rec.answer_all(chosen, workers=workers)


def explain_partner(
    G: nx.Graph,
    community: Hashable,
    partner: Hashable,
    *,
    seed: int | None = 0,
    model: LinkModel | None = None,
    **options: Unpack[RecommendationKeywords],
) -> PartnerExplanation:
    """ "Why not ``partner``?" for ``community``: rank, score terms, and what keeps it off the top-``k``.

    Parameters are those of :func:`recommend`, plus ``partner`` (any candidate node).

    Returns
    -------
    PartnerExplanation

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("c", kind="community", needs={"health": 2.0})
    >>> G.add_node("p", kind="organization", capacity=1, offers={"health": 2.0})
    >>> G.add_node("q", kind="enterprise", offers={"funding": 1.0})
    >>> G.add_node("o", kind="organization", offers={"health": 1.0})
    >>> G.add_node("d", kind="community", needs={"health": 1.0})
    >>> G.add_edge("p", "d")
    >>> [why.code for why in explain_partner(G, "c", "p", k=1).kept_out]
    ['at_capacity']
    >>> [why.code for why in explain_partner(G, "c", "q", k=1).kept_out]   # o closes 1 of 2, q nothing
    ['offers_nothing_lacking']
    """
    chosen = RecommendationOptions(**options)
    check_graph(G)
    rec = Recommender(G, model) if model is not None else Recommender.fit(G, seed=seed, k=chosen.k)
    return explain(rec, community, partner, chosen)
