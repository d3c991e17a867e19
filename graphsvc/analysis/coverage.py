"""The coverage rule: how partners' offers cover communities' needs. Gaps, signals, plan and recommendations use it.

A community's need in a category (``needs[category]``, a weight) is met by what
its linked partners offer in that category (``offers[category]``). A partner's
offer is *shared* among the communities it is linked to that need the category,
in proportion to their needs, and each share is capped at the need it serves::

    share = min(need, offer * need / total need of the partner's communities in that category)

A community's coverage of a category is the sum of its shares, capped at its
need; what is left is *uncovered*. Any category a community lists as a need can
be covered, resource categories (funding, volunteers, venue...) included, by a
partner offering the same category.

A new link gives the community ``share(offer, need, served + need)``, where
``served`` is the need of the communities the partner already serves in that
category; the same link shrinks their shares. :func:`link_gain` counts both: it
is the change of the district's covered need, what a new link is worth to the
plan and to recommendations alike.

>>> share(3.0, 4.0, 6.0)          # 3 * 4 / 6 = 2
2.0
>>> share(10.0, 1.0, 2.0)         # 10 * 1 / 2 = 5, capped at the need 1
1.0
>>> share(3.0, 4.0, 0.0)          # nobody needs it: no share
0.0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np

from graphsvc.analysis.common import is_community, is_partner

Shares = dict[Hashable, dict[str, dict[str, float]]]
"""``{community: {partner: {category: share}}}`` (communities as the graph has them, partners as strings)."""


def share(offer: float, need: float, total: float) -> float:
    """One community's share of a partner's offer in one category: ``offer * need / total``, capped at ``need``.

    Parameters
    ----------
    offer : float
        What the partner offers in the category.
    need : float
        The community's need in the category.
    total : float
        The need of every community sharing the offer (this one included).

    Returns
    -------
    float
        The share, 0 when there is nothing to share.

    Examples
    --------
    >>> share(2.0, 1.0, 4.0), share(2.0, 3.0, 4.0)   # 2 units split 1 : 3
    (0.5, 1.5)
    """
    if offer <= 0 or need <= 0 or total <= 0:
        return 0.0
    return min(need, offer * need / total)


def share_array(offer: np.ndarray, need: np.ndarray, total: np.ndarray) -> np.ndarray:
    """:func:`share` elementwise over arrays (broadcast), for the ``scipy`` fast paths.

    >>> share_array(np.array([2.0, 10.0]), np.array([1.0, 1.0]), np.array([4.0, 2.0])).tolist()
    [0.5, 1.0]
    """
    offer, need, total = np.asarray(offer, dtype=float), np.asarray(need, dtype=float), np.asarray(total, dtype=float)
    ok = (offer > 0) & (need > 0) & (total > 0)
    return np.asarray(np.where(ok, np.minimum(need, offer * need / np.where(ok, total, 1.0)), 0.0))


def closable(offer: float, need: float, served: float, uncovered: float) -> float:
    """What a new link would close of one community's uncovered need in one category (its own side only).

    ``served`` is the need the partner already serves in the category; the community's share is
    ``share(offer, need, served + need)``, and it closes at most what is uncovered.

    >>> closable(4.0, 3.0, 1.0, 3.0)      # share 4 * 3 / (1 + 3) = 3
    3.0
    >>> closable(4.0, 3.0, 1.0, 2.0)      # ... but only 2 are uncovered
    2.0
    """
    return min(uncovered, share(offer, need, served + need))


def community_needs(G: nx.Graph, community: Hashable) -> dict[str, float]:
    """``{category: need}`` of a community (positive needs only)."""
    return {cat: float(w) for cat, w in (G.nodes[community].get("needs") or {}).items() if w > 0}


def partner_shares(G: nx.Graph, partner: Hashable) -> dict[str, dict[str, float]]:
    """``{community: {category: share}}``: how a partner's offers are shared among its communities.

    >>> G = nx.Graph()
    >>> G.add_node("a", kind="community", needs={"health": 1.0})
    >>> G.add_node("b", kind="community", needs={"health": 3.0})
    >>> G.add_node("p", kind="enterprise", offers={"health": 2.0})
    >>> G.add_edges_from([("p", "a"), ("p", "b")])
    >>> partner_shares(G, "p")   # a gets 2 * 1/4 = 0.5, b gets 2 * 3/4 = 1.5
    {'a': {'health': 0.5}, 'b': {'health': 1.5}}
    """
    offers: dict[str, float] = G.nodes[partner].get("offers") or {}
    served = sorted((n for n in G[partner] if is_community(G, n)), key=str)
    out: dict[str, dict[str, float]] = {}
    for cat, amount in offers.items():
        weights = {c: float((G.nodes[c].get("needs") or {}).get(cat, 0.0)) for c in served}
        total = sum(weights.values())
        for c, w in weights.items():
            s = share(amount, w, total)
            if s > 0:
                out.setdefault(c, {})[cat] = s
    return out


def coverage_shares(G: nx.Graph, communities: Iterable[Hashable] | None = None) -> Shares:
    """The shares every partner gives to ``communities`` (all communities if ``None``)."""
    wanted = None if communities is None else set(communities)
    if wanted is None:
        partners: Iterable[Hashable] = (n for n in G if is_partner(G, n))
    else:
        partners = {p for c in wanted for p in G[c] if is_partner(G, p)}
    shares: Shares = defaultdict(dict)
    for p in sorted(partners, key=str):
        for c, by_cat in partner_shares(G, p).items():
            if wanted is None or c in wanted:
                shares[c][str(p)] = by_cat
    return dict(shares)


def covered_amounts(need: dict[str, float], shares: dict[str, dict[str, float]]) -> dict[str, float]:
    """``{category: covered}`` from a community's needs and its partners' shares (capped at the need).

    >>> covered_amounts({"health": 2.0, "youth": 1.0}, {"p": {"health": 1.5}, "q": {"health": 1.5}})
    {'health': 2.0, 'youth': 0.0}
    """
    return {cat: min(w, sum(s.get(cat, 0.0) for s in shares.values())) for cat, w in need.items()}


def link_gain_terms(
    G: nx.Graph, community: Hashable, partner: Hashable, *, shares: Shares | None = None
) -> dict[str, tuple[float, float]]:
    """``{category: (closed, lost)}`` of a new link: what the community would close, what the partner's
    other communities would lose (:func:`link_gain` is the sum of ``closed - lost``).

    >>> G = nx.Graph()
    >>> G.add_node("a", kind="community", needs={"health": 2.0})
    >>> G.add_node("b", kind="community", needs={"health": 2.0})
    >>> G.add_node("p", kind="enterprise", offers={"health": 3.0})
    >>> G.add_edge("p", "a")
    >>> link_gain_terms(G, "b", "p")   # b gets 3 * 2/4 = 1.5; a drops from 2 to 1.5
    {'health': (1.5, 0.5)}
    """
    affected = [c for c in G[partner] if is_community(G, c)]
    current = partner_shares(G, partner)
    shares = coverage_shares(G, [*affected, community]) if shares is None else shares
    out: dict[str, tuple[float, float]] = {}
    for k, amount in (G.nodes[partner].get("offers") or {}).items():
        need = float((G.nodes[community].get("needs") or {}).get(k, 0.0))
        if amount <= 0 or need <= 0:
            continue
        weights = {c: float((G.nodes[c].get("needs") or {}).get(k, 0.0)) for c in affected}
        total = sum(weights.values()) + need
        had = sum(s.get(k, 0.0) for s in shares.get(community, {}).values())
        closed = min(need, had + share(amount, need, total)) - min(need, had)
        lost = 0.0
        for c, w in weights.items():
            if w > 0:
                old_own = current.get(c, {}).get(k, 0.0)
                had_c = sum(s.get(k, 0.0) for s in shares.get(c, {}).values())
                lost += min(w, had_c) - min(w, had_c - old_own + share(amount, w, total))
        out[k] = (closed, lost)
    return out


def link_gain(G: nx.Graph, community: Hashable, partner: Hashable, *, shares: Shares | None = None) -> float:
    """The change of the district's covered need if only this link were added.

    The new community takes part of the partner's offer, so the partner's other communities may lose
    what it gains: the gain counts both. A partner whose offer its communities already use up closes
    nothing.

    Parameters
    ----------
    G : networkx.Graph
        The snapshot graph (not changed).
    community, partner : node
        The link's two ends (not linked yet).
    shares : Shares, optional
        :func:`coverage_shares` of ``G`` when the caller has it (saves recomputing it).

    Returns
    -------
    float
        Need newly covered in the community minus need the partner's other communities lose.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", kind="community", needs={"health": 2.0})
    >>> G.add_node("b", kind="community", needs={"health": 2.0})
    >>> G.add_node("p", kind="enterprise", offers={"health": 2.0})
    >>> G.add_edge("p", "a")
    >>> link_gain(G, "b", "p")   # p's 2 units are now split 1 + 1: a loses 1, b gains 1
    0.0
    """
    return sum(closed - lost for closed, lost in link_gain_terms(G, community, partner, shares=shares).values())
