"""Partner recommendations with reasons: who could a community work with next, and why.

Candidates are the partners a community is not yet linked to (on a generic
graph: every node that is not a neighbour). Partners at capacity (linked to as
many communities as their ``capacity``) are never recommended. Each candidate
gets the signals of :mod:`graphsvc.analysis.signals`; the score is a linear
function of them (structural counts on a ``log1p`` scale)::

    score = sum_i  w_i * (t_i(x_i) - m_i)

where ``m_i`` is the signal's mean over the pairs the weights were fitted on.
Each term is a reason's *contribution*: how far this signal moves the candidate
above (or below) an average candidate, so every recommendation is explained by
its own arithmetic. A model that ranks by one signal with the learned weighting
as tie-breaker (step 4 below) is explained by that signal and by the learned
contributions that order the candidates tied on it (``LinkModel.explain``).

How the weights are chosen, and why
-----------------------------------
No single signal is best on every graph: on the partnership graph 2-hop indices
are almost always zero and need-fit, street and L3 carry the information; on a
protein or airport network the 2-hop indices or L3 win. So the weights are
*learned on the graph itself* and *checked against the single signals*:

1. Hide 20% of the training graph's links of the task's kind (inner split,
   ``seed``); draw 50 negatives per hidden link from the same kind of pair.
   Small graphs repeat this with fresh seeds (up to :data:`MAX_REPEATS` times,
   about :data:`TARGET_INNER_LINKS` hidden links in all): the selection in
   step 4 is only as good as the number of links it is measured on.
2. Compute every signal on the inner training graph, and fit a class-balanced,
   L2-regularised logistic regression (IRLS) on standardised signals. (A
   per-link softmax, the ranking likelihood, was measured too and did worse at
   Hits@10 on the robustness matrix and the district, so it was not kept.)
3. Score candidates with 2-fold cross-fitting over the hidden links (a link
   hidden in several repeats stays in one fold): the learned weighting; every
   structural signal alone (the evaluation's baselines); and every structural
   signal with the learned weighting as a *tie-breaker* (ranked by the signal,
   ties ordered by the learned score). Count-like signals tie a lot and the
   evaluation breaks ties in expectation, so ordering ties by an informative
   secondary score is at least as good in expectation as the signal alone.
4. Choose with the one-standard-error rule, simplest first: find the best
   candidate by mean Hits@k over the hidden links (then MRR); take a signal
   alone if one trails it by at most :data:`MARGIN_SE` standard errors of the
   paired per-link difference, else the learned weighting, else a signal with
   the tie-breaker. The learned weighting comes before the tie-breakers because
   it is one linear score whose reasons add up to it, where a tie-breaker ranks
   by two scores in turn and is harder to explain to a planner. A learned
   combination has to earn its place against the single signals by more than
   the inner noise; where a signal does not help, the weights lean on
   the others; where no combination beats a single baseline, the recommender
   *is* that baseline (same ranking), so it cannot do worse than it by more
   than the selection's own noise.
5. The winner is refitted on all inner pairs. On graphs with fewer than
   :data:`MIN_POSITIVES` links of the task's kind, documented prior weights are
   used instead.

What this cannot promise: on one evaluation split, the best of six baselines
is itself picked with hindsight, so on graphs where the signals are nearly
equal (or carry no information, as in an Erdos-Renyi graph) or with a few
dozen test links (karate: 16) it can beat any fixed choice by noise alone.
``bench/evaluate_robustness.py`` measures how often and by how much.

Everything random takes ``seed``; the same graph and seed give the same model.

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
>>> [reason.code for reason in recs.recommendations[0].reasons][:2]
['gap_fit', 'fills_role']
>>> recs.recommendations[0].reasons[0].text_en
"offers elderly care, this community's largest gap"
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.special import digamma, expit

from graphsvc.analysis.common import check_graph, headroom, is_community, is_partner, role_of
from graphsvc.analysis.coverage import closable
from graphsvc.analysis.linkpred import PairTask, sample_negatives, split_edges, task_for
from graphsvc.analysis.signals import (
    FEATURES,
    STRUCTURAL,
    SignalEngine,
    reference_features,
    transform,
)
from graphsvc.errors import EntityNotFound
from graphsvc.vocabulary import PARTNER_ROLES, EntityKind, FiveSocietyRole, category

MIN_POSITIVES = 20
"""Below this many links of the task's kind, weights are not learned but taken from :data:`PRIOR_WEIGHTS`."""
INNER_FRACTION = 0.2
INNER_NEGATIVES = 50
TARGET_INNER_LINKS = 1000
MAX_REPEATS = 20
"""Small graphs repeat the inner split (fresh seeds) until about this many hidden links are scored, at most 20 times."""
L2 = 1.0
MARGIN_SE = 1.0
"""A simpler candidate is preferred unless it trails the best by more than this many paired standard errors."""
TIE_BREAK = 1e-6
DECIMALS = 9
"""Scores are compared rounded to this many decimals (then by node id), so both paths rank alike."""

PRIOR_WEIGHTS: dict[str, float] = {
    "common_neighbors": 0.5,
    "adamic_adar": 0.0,
    "resource_allocation": 1.0,
    "preferential_attachment": 0.1,
    "l3": 1.0,
    "gap_fit": 3.0,
    "fills_role": 1.0,
    "same_street": 1.0,
    "street_hub": 0.5,
    "headroom": 0.5,
}
"""Weights on transformed signals for graphs too small to learn from: need first, then proximity."""


class Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reason(Result):
    """Why a partner is recommended: one signal, its contribution to the score, and a sentence in zh and en."""

    code: str
    contribution: float
    text_zh: str
    text_en: str


class Recommendation(Result):
    """One recommended partner."""

    partner: str
    kind: str | None
    score: float
    reasons: list[Reason]


class CommunityRecommendations(Result):
    """The top-k partners for one community (what ``graphsvc recommend --json`` prints)."""

    community: str
    recommendations: list[Recommendation]


# -- the linear model ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkModel:
    """A linear score over transformed signals: ``sum_i weights[i] * (t_i - means[i])``."""

    name: str
    weights: np.ndarray
    means: np.ndarray
    selection: dict[str, float] = field(default_factory=dict)
    """Cross-fitted Hits@k of every candidate model on the inner split (empty for the prior)."""
    explain: np.ndarray | None = None
    """Weights reasons are computed with, where they differ from ``weights``: a signal ranked with a
    tie-breaker is explained by the signal and by the tie-breaker at full scale (the order it imposes among
    candidates tied on the signal), not by the vanishing share the tie-breaker has in the score."""

    def score(self, T: np.ndarray) -> np.ndarray:
        """Scores of transformed feature rows ``T`` (last axis = :data:`FEATURES`)."""
        return np.asarray((T - self.means) @ self.weights)

    def contributions(self, t: np.ndarray) -> np.ndarray:
        return np.asarray((t - self.means) * (self.weights if self.explain is None else self.explain))

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "weights": {f: float(f"{w:.6g}") for f, w in zip(FEATURES, self.weights, strict=True) if w},
        }


def prior_model(typed: bool) -> LinkModel:
    """The documented prior weights (structural only on generic graphs)."""
    w = np.array([PRIOR_WEIGHTS[f] if typed or f in STRUCTURAL else 0.0 for f in FEATURES])
    return LinkModel("prior", w, np.zeros(len(FEATURES)))


def _logistic(Z: np.ndarray, y: np.ndarray, *, l2: float = L2, iterations: int = 50) -> np.ndarray:
    """Class-balanced L2 logistic regression by IRLS; returns ``[w..., bias]``."""
    n, d = Z.shape
    X = np.hstack([Z, np.ones((n, 1))])
    pos = max(1.0, float(y.sum()))
    neg = max(1.0, float(n - y.sum()))
    sw = np.where(y > 0, n / (2 * pos), n / (2 * neg))
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-6
    beta = np.zeros(d + 1)
    for _ in range(iterations):
        p = expit(X @ beta)
        grad = X.T @ (sw * (p - y)) + reg * beta
        hess = (X * (sw * p * (1 - p))[:, None]).T @ X + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def _fit_learned(T: np.ndarray, starts: np.ndarray, active: np.ndarray) -> LinkModel:
    """The learned weighting on grouped rows ``T`` (each group: its positive, then its negatives)."""
    mu = T.mean(axis=0)
    sd = T.std(axis=0)
    use = active & (sd > 1e-12)
    w = np.zeros(T.shape[1])
    if use.any():
        y = np.zeros(len(T))
        y[starts] = 1.0
        w[use] = _logistic((T[:, use] - mu[use]) / sd[use], y)[:-1] / sd[use]
    return LinkModel("learned", w, mu)


def _candidates(T: np.ndarray, starts: np.ndarray, active: np.ndarray) -> list[LinkModel]:
    """The learned weighting, then every structural signal alone and with the learned one as a tie-breaker."""
    learned = _fit_learned(T, starts, active)
    mu = T.mean(axis=0)
    sd = T.std(axis=0)
    out = [learned]
    scale = float(np.abs(learned.score(T)).max()) or 1.0
    for i, name in enumerate(FEATURES):
        if name not in STRUCTURAL or not active[i] or sd[i] <= 1e-12:
            continue
        single = np.zeros(len(FEATURES))
        single[i] = 1.0 / sd[i]
        out.append(LinkModel(name, single, mu))
        tied = LinkModel(f"{name}+learned", single + learned.weights * TIE_BREAK / scale, mu)
        out.append(replace(tied, explain=single + learned.weights))
    return out


def _per_group(scores: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Expected Hits@k and reciprocal rank of each group's positive (ties broken in expectation)."""
    sizes = np.diff(np.append(starts, len(scores)))
    pos = np.repeat(scores[starts], sizes)
    above = np.add.reduceat((scores > pos).astype(float), starts)
    tied = np.add.reduceat((scores == pos).astype(float), starts) - 1
    hits = np.clip(k - above, 0, tied + 1) / (tied + 1)
    rr = (digamma(above + tied + 2) - digamma(above + 1)) / (tied + 1)
    return hits, rr


@dataclass(frozen=True)
class _InnerData:
    """Transformed features of inner held-out links and their negatives, grouped (positive first)."""

    T: np.ndarray
    starts: np.ndarray
    links: np.ndarray
    """Id of each group's hidden link (the same link may be hidden in several repeats)."""
    excluded: np.ndarray

    def take(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and group starts of ``groups`` for fitting (excluded candidates left out)."""
        sizes = np.diff(np.append(self.starts, len(self.T)))
        rows = [np.arange(self.starts[g], self.starts[g] + sizes[g]) for g in groups]
        rows = [r[~self.excluded[r]] for r in rows if not self.excluded[r[0]]]
        if not rows:
            return self.T[:0], np.zeros(0, dtype=np.int64)
        lengths = np.array([len(r) for r in rows])
        return self.T[np.concatenate(rows)], np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def _inner_data(G: nx.Graph, task: PairTask, rng: np.random.Generator, repeats: int) -> _InnerData:
    typed = task.kind == "community-partner"
    blocks: list[np.ndarray] = []
    starts: list[int] = []
    links: list[int] = []
    excluded: list[np.ndarray] = []
    link_id: dict[tuple[Hashable, Hashable], int] = {}
    offset = 0
    for _ in range(repeats):
        inner, hidden = split_edges(G, task, fraction=INNER_FRACTION, seed=int(rng.integers(2**31)))
        negatives = sample_negatives(G, task, hidden, per_positive=INNER_NEGATIVES, seed=int(rng.integers(2**31)))
        pairs: list[tuple[Hashable, Hashable]] = []
        for (u, v), negs in zip(hidden, negatives, strict=True):
            if not negs:
                continue
            starts.append(offset + len(pairs))
            links.append(link_id.setdefault((u, v), len(link_id)))
            pairs.append((u, v))
            pairs.extend((u, c) for c in negs)
        engine = SignalEngine(inner)
        blocks.append(transform(engine.pair_features(pairs)))
        excluded.append(_excluded(engine, pairs) if typed else np.zeros(len(pairs), dtype=bool))
        offset += len(pairs)
    return _InnerData(
        np.vstack(blocks), np.array(starts, dtype=np.int64), np.array(links, dtype=np.int64), np.concatenate(excluded)
    )


def fit_model(G: nx.Graph, *, seed: int | None = 0, k: int = 10, task: PairTask | None = None) -> LinkModel:
    """Learn the weighting on an inner split of ``G`` and select it against the single signals (see module doc)."""
    check_graph(G)
    task = task or task_for(G)
    typed = task.kind == "community-partner"
    active = np.array([typed or f in STRUCTURAL for f in FEATURES])
    rng = np.random.default_rng(seed)
    n_edges = len(task.target_edges(G, np.random.default_rng(0)))
    if n_edges < MIN_POSITIVES:
        return prior_model(typed)
    repeats = int(min(MAX_REPEATS, max(1, np.ceil(TARGET_INNER_LINKS / max(1.0, INNER_FRACTION * n_edges)))))
    data = _inner_data(G, task, rng, repeats)
    n_groups = len(data.starts)
    if n_groups < 2:
        return prior_model(typed)
    # 2-fold cross-fitting, folds by hidden link so a link hidden in several repeats is never on both sides
    side = rng.permutation(int(data.links.max()) + 1) % 2
    fold_of = side[data.links]
    hits: dict[str, np.ndarray] = {}
    rr: dict[str, np.ndarray] = {}
    for f in (0, 1):
        test = np.flatnonzero(fold_of == f)
        T_fit, starts_fit = data.take(np.flatnonzero(fold_of != f))
        if len(test) == 0 or len(starts_fit) < 2:
            continue
        for model in _candidates(T_fit, starts_fit, active):
            s = np.round(model.score(data.T), DECIMALS)
            s[data.excluded] = -np.inf
            h, r = _per_group(s, data.starts, k)
            hits.setdefault(model.name, np.zeros(n_groups))[test] = h[test]
            rr.setdefault(model.name, np.zeros(n_groups))[test] = r[test]
    if "learned" not in hits:
        return prior_model(typed)
    best = _select(hits, rr)
    T_all, starts_all = data.take(np.arange(n_groups))
    final = {m.name: m for m in _candidates(T_all, starts_all, active)}[best]
    selection = {name: round(float(h.mean()), 6) for name, h in hits.items()}
    return replace(final, selection=selection)


def _select(hits: dict[str, np.ndarray], rr: dict[str, np.ndarray]) -> str:
    """The simplest candidate not worse than the best by more than the noise (see module doc, step 4).

    Tiers from simple to complex: a signal alone, the learned weighting (one linear score), a signal
    with the learned tie-breaker (two scores in turn). The best candidate is the one with the highest
    mean Hits@k (then MRR); a tier is taken if one of its candidates trails the best by at most
    ``MARGIN_SE`` standard errors of the paired per-link difference, and within a tier the best such
    candidate wins.
    """

    def key(name: str) -> tuple[float, float]:
        return round(float(hits[name].mean()), 12), round(float(rr[name].mean()), 12)

    best = max(hits, key=key)
    tiers = [
        [n for n in hits if n != "learned" and not n.endswith("+learned")],
        ["learned"],
        [n for n in hits if n.endswith("+learned")],
    ]
    for tier in tiers:
        close = []
        for name in tier:
            diff = hits[best] - hits[name]
            se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
            if float(diff.mean()) <= MARGIN_SE * se:
                close.append(name)
        if close:
            return max(close, key=key)
    return best


def _excluded(engine: SignalEngine, pairs: Sequence[tuple[Hashable, Hashable]]) -> np.ndarray:
    """Pairs whose candidate is a partner at capacity (headroom 0 with a capacity set)."""
    idx = np.array([engine.index[v] for _, v in pairs], dtype=np.int64)
    return np.asarray(engine.is_partner[idx] & (engine.headroom[idx] <= 0))


# -- reasons -------------------------------------------------------------------------------------------------------


def _gap_detail(need: dict[str, float], uncovered: dict[str, float], closable: dict[str, float]) -> tuple[str, bool]:
    """The category the partner closes most of, and whether it is the community's largest gap."""
    best = max(closable, key=lambda c: (closable[c], c))
    largest = max(uncovered, key=lambda c: (uncovered[c], need[c], c)) if uncovered else best
    return best, best == largest


@dataclass(frozen=True)
class _PairContext:
    """What reason sentences need beyond the raw signals."""

    street: str | None
    room: int | None
    partner_degree: int
    role_zh: str
    role_en: str
    gap_category: str | None
    gap_is_largest: bool


def _reason_texts(code: str, raw: float, ctx: _PairContext, typed: bool) -> tuple[str, str]:
    noun_zh, noun_en = ("伙伴", "partners") if typed else ("邻居", "neighbours")
    here_zh, here_en = ("本社区", "this community") if typed else ("该节点", "this node")
    if code == "gap_fit" and ctx.gap_category:
        label = category(ctx.gap_category)
        if ctx.gap_is_largest:
            return f"提供{label.zh}，本社区缺口最大", f"offers {label.en}, this community's largest gap"
        return (
            f"提供{label.zh}，可补上本社区约{raw:.0%}的需求缺口",
            f"offers {label.en}, could close about {raw:.0%} of this community's need",
        )
    if code == "fills_role":
        return f"补上五社联动中缺少的{ctx.role_zh}", f"fills a missing five-society role: {ctx.role_en}"
    if code == "same_street":
        return f"同在{ctx.street}街道", f"works in the same street ({ctx.street})"
    if code == "street_hub":
        return "本街道的枢纽组织", "the hub of this community's street"
    if code == "headroom":
        if ctx.room is None:
            return "未设服务上限，可承接新社区", "no capacity limit set, can take on new communities"
        return f"尚有服务余量，还可服务{ctx.room}个社区", f"has room for {ctx.room} more communities"
    if code == "l3":
        return (
            f"与{here_zh}共享{noun_zh}的一方也与其合作（L3 {raw:.2f}）",
            f"linked to those who share {noun_en} with {here_en} (L3 {raw:.2f})",
        )
    if code == "common_neighbors":
        count = int(raw)
        noun = noun_en if count != 1 else noun_en[:-1]
        return f"与{here_zh}有{count}个共同{noun_zh}", f"shares {count} {noun} with {here_en}"
    if code == "adamic_adar":
        return (
            f"共同{noun_zh}较少见（Adamic-Adar {raw:.2f}）",
            f"shared {noun_en} that few others have (Adamic-Adar {raw:.2f})",
        )
    if code == "resource_allocation":
        return (
            f"共同{noun_zh}资源分配指数 {raw:.2f}",
            f"shared {noun_en} with few other links (resource allocation {raw:.2f})",
        )
    if code == "preferential_attachment":
        return f"合作活跃，已有{ctx.partner_degree}个合作方", f"active, with {ctx.partner_degree} partnerships already"
    return code, code


def _reasons(model: LinkModel, raw: np.ndarray, ctx: _PairContext, typed: bool) -> list[Reason]:
    contrib = model.contributions(transform(raw[None, :])[0])
    out = []
    for i in np.argsort(-contrib, kind="stable").tolist():
        value = round(float(contrib[i]), 6)
        if value <= 0:
            break
        zh, en = _reason_texts(FEATURES[i], float(raw[i]), ctx, typed)
        out.append(Reason.model_construct(code=FEATURES[i], contribution=value, text_zh=zh, text_en=en))
    return out


def _context(
    G: nx.Graph,
    c: Hashable,
    p: Hashable,
    closable: dict[str, float],
    need: dict[str, float],
    uncovered: dict[str, float],
    partner: tuple[int | None, FiveSocietyRole] | None = None,
) -> _PairContext:
    """``partner`` = (free capacity, role) when the caller has them at hand (the fast path)."""
    role_zh = role_en = ""
    room = None
    if partner is None and is_partner(G, p):
        partner = (headroom(G, p), role_of(G, p))
    if partner is not None:
        room, role = partner
        role_zh, role_en = role.zh, role.en
    gap_category, largest = (None, False)
    if closable:
        gap_category, largest = _gap_detail(need, uncovered, closable)
    return _PairContext(
        street=G.nodes[c].get("street"),
        room=room,
        partner_degree=G.degree(p),
        role_zh=role_zh,
        role_en=role_en,
        gap_category=gap_category,
        gap_is_largest=largest,
    )


# -- the recommender -----------------------------------------------------------------------------------------------


def _node_key(node: Hashable) -> tuple[str, Hashable]:
    return (str(type(node)), node)


class Recommender:
    """Fitted recommendations for one snapshot: fit once, answer many requests.

    Parameters
    ----------
    G : networkx.Graph
        The graph recommendations are for. It is read, never changed; do not change it while the
        recommender is in use (build a new one per snapshot).
    model : LinkModel
        The weighting (from :func:`fit_model`, or :func:`prior_model`).

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 4)])
    >>> rec = Recommender.fit(G, seed=0)          # few links: the prior weights
    >>> rec.model.name, [r.partner for r in rec.recommend(0, k=2).recommendations]
    ('prior', ['2', '3'])
    """

    CACHE_ROWS = 4096

    def __init__(self, G: nx.Graph, model: LinkModel, *, task: PairTask | None = None) -> None:
        check_graph(G)
        self.G = G
        self.model = model
        self.task = task or task_for(G)
        self.typed = self.task.kind == "community-partner"
        self.engine = SignalEngine(G)
        idx = self.engine.index
        self.cols = np.array(sorted(idx[n] for n in self.task.candidates), dtype=np.int64)
        self.col_nodes = [self.engine.nodes[i] for i in self.cols]
        blocked = np.zeros(len(self.cols), dtype=bool)
        if self.typed:
            blocked = self.engine.is_partner[self.cols] & (self.engine.headroom[self.cols] <= 0)
        self.blocked = blocked
        self._rows: OrderedDict[Hashable, np.ndarray] = OrderedDict()

    @classmethod
    def fit(cls, G: nx.Graph, *, seed: int | None = 0, k: int = 10) -> Recommender:
        """Learn the weighting on ``G`` (:func:`fit_model`) and prepare the signal matrices."""
        task = task_for(G)
        return cls(G, fit_model(G, seed=seed, k=k, task=task), task=task)

    # -- scoring
    def _check_query(self, node: Hashable) -> None:
        if node not in self.engine.index or not self.task.is_query(self.G, node):
            raise EntityNotFound(str(node))

    def _scores_block(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(scores, raw features) of rows x all candidate columns; linked, self and blocked pairs get -inf."""
        X = self.engine.block(rows, self.cols)
        T = np.moveaxis(X, 0, -1)
        n = len(STRUCTURAL)
        T = np.concatenate([np.log1p(T[..., :n]), T[..., n:]], axis=-1)
        s = np.round(self.model.score(T), DECIMALS)
        linked = self.engine.A[rows][:, self.cols].toarray() > 0
        same = rows[:, None] == self.cols[None, :]
        s[linked | same | self.blocked[None, :]] = -np.inf
        return s, X

    def _filter_mask(self, kinds: Iterable[str] | None, street: str | None) -> np.ndarray | None:
        if kinds is None and street is None:
            return None
        keep = np.ones(len(self.cols), dtype=bool)
        if kinds is not None:
            wanted = {EntityKind(k).value if not isinstance(k, EntityKind) else k.value for k in kinds}
            keep &= np.array([self.G.nodes[n].get("kind") in wanted for n in self.col_nodes])
        if street is not None:
            keep &= np.array([self.G.nodes[n].get("street") == street for n in self.col_nodes])
        return keep

    def score_pairs(self, pairs: Sequence[tuple[Hashable, Hashable]]) -> np.ndarray:
        """Scores of arbitrary (query, candidate) pairs; candidates at capacity get ``-inf``."""
        X = self.engine.pair_features(pairs)
        s = np.round(self.model.score(transform(X)), DECIMALS)
        if self.typed and len(pairs):
            s[_excluded(self.engine, pairs)] = -np.inf
        return s

    def signals(self, pairs: Sequence[tuple[Hashable, Hashable]]) -> np.ndarray:
        """Raw signals of pairs (columns :data:`~graphsvc.analysis.signals.FEATURES`)."""
        return self.engine.pair_features(pairs)

    # -- answers
    def _top(
        self, scores: np.ndarray, k: int, keep: np.ndarray | None, min_score: float | None
    ) -> list[tuple[int, float]]:
        s = scores if keep is None else np.where(keep, scores, -np.inf)
        if min_score is not None:
            s = np.where(np.round(s, 6) >= min_score, s, -np.inf)
        valid = np.flatnonzero(np.isfinite(s))
        if len(valid) == 0 or k <= 0:
            return []
        if len(valid) > k:
            cut = np.partition(s[valid], len(valid) - k)[len(valid) - k]
            valid = valid[s[valid] >= cut]
        ranked = sorted(valid.tolist(), key=lambda j: (-s[j], j))[:k]
        return [(j, float(s[j])) for j in ranked]

    def _explain(self, query: Hashable, picks: list[tuple[int, float]], raw: np.ndarray) -> CommunityRecommendations:
        eng = self.engine
        qi = eng.index[query]
        out = []
        for j, score in picks:
            partner = self.col_nodes[j]
            closing: dict[str, float] = {}
            need: dict[str, float] = {}
            uncovered: dict[str, float] = {}
            if self.typed and eng.is_community[qi]:
                pi = self.cols[j]
                for k_i, cat in enumerate(eng.cats):
                    if eng.N[qi, k_i] > 0:
                        need[cat] = float(eng.N[qi, k_i])
                        uncovered[cat] = float(eng.U[qi, k_i])
                        if eng.O[pi, k_i] > 0:
                            amount = closable(float(eng.O[pi, k_i]), need[cat], float(eng.W[pi, k_i]), uncovered[cat])
                            if amount > 0:
                                closing[cat] = amount
            info = None
            if self.typed and eng.is_partner[self.cols[j]]:
                free = int(eng.room[self.cols[j]])
                info = (None if free < 0 else free, PARTNER_ROLES[int(eng.role[self.cols[j]])])
            ctx = _context(self.G, query, partner, closing, need, uncovered, info)
            out.append(
                Recommendation.model_construct(
                    partner=str(partner),
                    kind=self.G.nodes[partner].get("kind"),
                    score=round(score, 6),
                    reasons=_reasons(self.model, raw[:, j], ctx, self.typed),
                )
            )
        return CommunityRecommendations.model_construct(community=str(query), recommendations=out)

    def recommend(
        self,
        community: Hashable,
        *,
        k: int = 10,
        kinds: Iterable[str] | None = None,
        street: str | None = None,
        min_score: float | None = None,
    ) -> CommunityRecommendations:
        """The top-``k`` candidates for one community (any node on a generic graph), with reasons.

        ``kinds`` keeps partners of these kinds, ``street`` partners working in that street,
        ``min_score`` candidates scoring at least that. Raises ``EntityNotFound`` for an unknown community.
        """
        self._check_query(community)
        row = np.array([self.engine.index[community]], dtype=np.int64)
        cached = self._rows.get(community)
        if cached is None:
            scores, raw = self._scores_block(row)
            cached = np.vstack([scores, raw[:, 0, :]])
            self._rows[community] = cached
            if len(self._rows) > self.CACHE_ROWS:
                self._rows.popitem(last=False)
        picks = self._top(cached[0], k, self._filter_mask(kinds, street), min_score)
        return self._explain(community, picks, cached[1:])

    def recommend_all(
        self,
        *,
        k: int = 10,
        kinds: Iterable[str] | None = None,
        street: str | None = None,
        min_score: float | None = None,
        communities: Iterable[Hashable] | None = None,
    ) -> dict[str, CommunityRecommendations]:
        """:meth:`recommend` for every community (or those given), computed in sparse blocks."""
        queries = list(self.task.queries) if communities is None else list(communities)
        for q in queries:
            self._check_query(q)
        keep = self._filter_mask(kinds, street)
        rows = np.array([self.engine.index[q] for q in queries], dtype=np.int64)
        step = max(1, 400_000 // max(1, len(self.cols)))
        out: dict[str, CommunityRecommendations] = {}
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            scores, raw = self._scores_block(chunk)
            for r, qi in enumerate(chunk.tolist()):
                query = self.engine.nodes[qi]
                picks = self._top(scores[r], k, keep, min_score)
                out[str(query)] = self._explain(query, picks, raw[:, r, :])
        return out


def recommend(
    G: nx.Graph,
    community: Hashable,
    *,
    k: int = 10,
    kinds: Iterable[str] | None = None,
    street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    model: LinkModel | None = None,
) -> CommunityRecommendations:
    """The top-``k`` partners for ``community``, each with its score and reasons.

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
        Only candidates scoring at least this (0 = an average candidate).
    seed : int, optional
        Seed of the inner split the weights are learned on.
    model : LinkModel, optional
        A weighting fitted before (skips learning). For many requests build a :class:`Recommender` once.

    Returns
    -------
    CommunityRecommendations

    Raises
    ------
    graphsvc.errors.EntityNotFound
        If ``community`` is not a community (query node) of ``G``.
    """
    check_graph(G)
    task = task_for(G)
    if community not in G or not task.is_query(G, community):
        raise EntityNotFound(str(community))
    rec = Recommender(G, model, task=task) if model is not None else Recommender.fit(G, seed=seed, k=k)
    return rec.recommend(community, k=k, kinds=kinds, street=street, min_score=min_score)


def recommend_all(
    G: nx.Graph,
    *,
    k: int = 10,
    kinds: Iterable[str] | None = None,
    street: str | None = None,
    min_score: float | None = None,
    seed: int | None = 0,
    model: LinkModel | None = None,
) -> dict[str, CommunityRecommendations]:
    """:func:`recommend` for every community at once (the ``scipy.sparse`` fast path).

    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3)])
    >>> {q: [r.partner for r in recs.recommendations] for q, recs in recommend_all(G, k=1).items()}
    {'0': ['2'], '1': ['3'], '2': ['0'], '3': ['1']}
    """
    check_graph(G)
    rec = Recommender(G, model) if model is not None else Recommender.fit(G, seed=seed, k=k)
    return rec.recommend_all(k=k, kinds=kinds, street=street, min_score=min_score)


def recommend_reference(
    G: nx.Graph,
    community: Hashable,
    model: LinkModel,
    *,
    k: int = 10,
    kinds: Iterable[str] | None = None,
    street: str | None = None,
    min_score: float | None = None,
) -> CommunityRecommendations:
    """The same answer as :meth:`Recommender.recommend`, computed pair by pair with NetworkX and plain Python.

    It is the reference the fast path is tested and benchmarked against; use :class:`Recommender` in production.

    >>> G = nx.Graph([(0, 1), (1, 2), (2, 3)])
    >>> [r.partner for r in recommend_reference(G, 0, prior_model(False), k=1).recommendations]
    ['2']
    """
    check_graph(G)
    task = task_for(G)
    if community not in G or not task.is_query(G, community):
        raise EntityNotFound(str(community))
    typed = task.kind == "community-partner"
    wanted = None if kinds is None else {EntityKind(k).value for k in kinds}
    cands = []
    for p in task.candidates:
        if p == community or G.has_edge(community, p):
            continue
        data = G.nodes[p]
        if typed:
            capacity = data.get("capacity")
            if capacity is not None and sum(1 for n in G[p] if is_community(G, n)) >= capacity:
                continue
        if wanted is not None and data.get("kind") not in wanted:
            continue
        if street is not None and data.get("street") != street:
            continue
        cands.append(p)
    pairs = [(community, p) for p in cands]
    raw = reference_features(G, pairs, domain=typed)
    scores = np.round(model.score(transform(raw)), DECIMALS) if pairs else np.zeros(0)
    order = sorted(range(len(cands)), key=lambda i: (-scores[i], _node_key(cands[i])))
    picked = [i for i in order if min_score is None or round(float(scores[i]), 6) >= min_score][:k]
    out = []
    if typed and picked:
        from graphsvc.analysis.signals import _DomainData

        data = _DomainData(G)
    for i in picked:
        p = cands[i]
        closing: dict[str, float] = {}
        need: dict[str, float] = {}
        uncovered: dict[str, float] = {}
        if typed:
            need, uncovered = data.need[community], data.uncovered[community]
            for cat, amount in (G.nodes[p].get("offers") or {}).items():
                if cat in need:
                    share = closable(amount, need[cat], data.served_need[p].get(cat, 0.0), uncovered[cat])
                    if share > 0:
                        closing[cat] = share
        ctx = _context(G, community, p, closing, need, uncovered)
        out.append(
            Recommendation.model_construct(
                partner=str(p),
                kind=G.nodes[p].get("kind"),
                score=round(float(scores[i]), 6),
                reasons=_reasons(model, raw[i], ctx, typed),
            )
        )
    return CommunityRecommendations.model_construct(community=str(community), recommendations=out)
