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

Five-society roles
------------------
Under the ``hub`` policy (the "five-society linkage" of graphsvc's own district tables: ``G.graph["policy"]``
is ``"hub"``), each partner role a community should reach (social organization, social worker, university
society, social forces) is a need too: the category ``role:<role>`` with need :data:`ROLE_NEED`, offered
without limit by every partner of that role (:data:`ROLE_OFFER`: one partner fills the role for every
community it serves). A community with no partner of a role has that role uncovered; a partner of the role
closes it. Gaps, the plan and recommendations read needs and offers through :func:`community_needs` and
:func:`partner_offers`, so a missing role is worth the same to all of them.

>>> G = nx.Graph(policy="hub")
>>> G.add_node("c", kind="community", needs={"health": 2.0})
>>> G.add_node("s", kind="school", offers={"volunteers": 1.0})
>>> community_needs(G, "c")["role:university_society"], link_gain(G, "c", "s")   # s fills the missing role
(0.5, 0.5)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx
import numpy as np

from graphsvc.analysis.core.common import is_community, is_partner, role_of
from graphsvc.vocabulary import PARTNER_ROLES, FiveSocietyRole

HUB_POLICY = "hub"
"""``G.graph["policy"]`` of a district under the five-society linkage: its missing roles are needs."""

ROLE_PREFIX = "role:"
ROLE_NEED = 0.5
"""What a missing five-society role weighs, in the units of needs: half a unit, a sixth of a middle need on the
case's scale of 1 to 5. Residents' own needs come first ("residents order"): a partner closing a need still
outranks one that only fills a role, while a partner of a missing role closes something, so it is on the list
with a reason that names the role (and :data:`ROLE_SLOTS` keeps one of each missing role in the first places).
Measured on the sample district (``bench/README.md``): at 1 unit or more the roles crowd the partners a
community actually links to out of the ``gain`` lists (Hits@10 0.46 -> 0.29); at 0.5 they do not (0.45)."""
ROLE_SLOTS = 5
"""The first places of a ``gain`` or ``gap`` list in which every missing role that some partner can still fill
gets its best such partner (the case's targets: every community reaches each part of the five-society
linkage)."""
ROLE_OFFER = 1e9
"""What a partner offers of its own role: without limit, so its share never runs short."""

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


def role_category(role: FiveSocietyRole) -> str:
    """The need category of a five-society role (``role:university_society``)."""
    return ROLE_PREFIX + role.value


def is_role_category(category: str) -> bool:
    """Whether ``category`` is a five-society role (not a residents' need)."""
    return category.startswith(ROLE_PREFIX)


ROLE_CATEGORIES = {role_category(r): r for r in PARTNER_ROLES}
"""``{category: role}`` of every partner role."""


def roles_are_needs(G: nx.Graph) -> bool:
    """Whether missing five-society roles count as needs in ``G``: its ``policy`` is :data:`HUB_POLICY`, as a
    snapshot of graphsvc's own tables says (a directory's is ``generic``: see
    :mod:`graphsvc.analysis.core.policy`)."""
    return bool(G.graph.get("policy") == HUB_POLICY)


def residents_needs(G: nx.Graph, community: Hashable) -> dict[str, float]:
    """``{category: need}`` the community's residents named (positive needs only; no roles), less what its
    running projects cover (``G.graph["project_cover"]``, :func:`graphsvc.graph.add_projects`): a need a running
    project covers counts as covered, so partners are asked only for the rest.

    >>> G = nx.Graph(project_cover={"c": {"health": 1.5}})
    >>> G.add_node("c", kind="community", needs={"health": 2.0, "youth": 1.0})
    >>> residents_needs(G, "c")
    {'health': 0.5, 'youth': 1.0}
    """
    running = (G.graph.get("project_cover") or {}).get(community) or {}
    needs = ((cat, float(w) - running.get(cat, 0.0)) for cat, w in (G.nodes[community].get("needs") or {}).items())
    return {cat: w for cat, w in needs if w > 0}


def community_needs(G: nx.Graph, community: Hashable) -> dict[str, float]:
    """``{category: need}`` of a community: its residents' needs and, under the ``hub`` policy, one need of
    :data:`ROLE_NEED` per five-society partner role (see the module doc)."""
    need = residents_needs(G, community)
    if roles_are_needs(G):
        for cat in ROLE_CATEGORIES:
            need[cat] = ROLE_NEED
    return need


def partner_offers(G: nx.Graph, partner: Hashable) -> dict[str, float]:
    """``{category: amount}`` a partner offers (positive only) and, under the ``hub`` policy, its own role
    without limit (:data:`ROLE_OFFER`)."""
    offers = {cat: float(a) for cat, a in (G.nodes[partner].get("offers") or {}).items() if a > 0}
    if roles_are_needs(G) and is_partner(G, partner):
        offers[role_category(role_of(G, partner))] = ROLE_OFFER
    return offers


def partner_shares(
    G: nx.Graph, partner: Hashable, *, needs: Mapping[Hashable, dict[str, float]] | None = None
) -> dict[str, dict[str, float]]:
    """``{community: {category: share}}``: how a partner's offers are shared among its communities.

    >>> G = nx.Graph()
    >>> G.add_node("a", kind="community", needs={"health": 1.0})
    >>> G.add_node("b", kind="community", needs={"health": 3.0})
    >>> G.add_node("p", kind="enterprise", offers={"health": 2.0})
    >>> G.add_edges_from([("p", "a"), ("p", "b")])
    >>> partner_shares(G, "p")   # a gets 2 * 1/4 = 0.5, b gets 2 * 3/4 = 1.5
    {'a': {'health': 0.5}, 'b': {'health': 1.5}}
    """
    offers = partner_offers(G, partner)
    served = sorted((n for n in G[partner] if is_community(G, n)), key=str)
    need = {c: community_needs(G, c) if needs is None else needs[c] for c in served}
    out: dict[str, dict[str, float]] = {}
    for cat, amount in offers.items():
        weights = {c: need[c].get(cat, 0.0) for c in served}
        total = sum(weights.values())
        for c, w in weights.items():
            s = share(amount, w, total)
            if s > 0:
                out.setdefault(c, {})[cat] = s
    return out


class _NeedsOf(dict[Hashable, dict[str, float]]):
    """``{community: community_needs(G, community)}``, each computed when first looked up."""

    def __init__(self, G: nx.Graph) -> None:
        super().__init__()
        self.G = G

    def __missing__(self, community: Hashable) -> dict[str, float]:
        need = self[community] = community_needs(self.G, community)
        return need


def coverage_shares(
    G: nx.Graph,
    communities: Iterable[Hashable] | None = None,
    *,
    needs: Mapping[Hashable, dict[str, float]] | None = None,
) -> Shares:
    """The shares every partner gives to ``communities`` (all communities if ``None``).

    ``needs``: :func:`community_needs` of every community, if the caller has them (else each is computed when a
    partner first serves it, and reused for the others: the needs do not change during the pass)."""
    wanted = None if communities is None else set(communities)
    if wanted is None:
        partners: Iterable[Hashable] = (n for n in G if is_partner(G, n))
    else:
        partners = {p for c in wanted for p in G[c] if is_partner(G, p)}
    shares: Shares = defaultdict(dict)
    known = _NeedsOf(G) if needs is None else needs
    for p in sorted(partners, key=str):
        for c, by_cat in partner_shares(G, p, needs=known).items():
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
    own = community_needs(G, community)
    needs = {c: community_needs(G, c) for c in affected}
    for k, amount in partner_offers(G, partner).items():
        need = own.get(k, 0.0)
        if need <= 0:
            continue
        weights = {c: needs[c].get(k, 0.0) for c in affected}
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
