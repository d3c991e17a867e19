"""Communities: list by street, one community with its needs and partners."""

from __future__ import annotations

import enum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from graphsvc.analysis.core.options import DEFAULT_K, RecommendationOptions
from graphsvc.analysis.core.rank_modes import DEFAULT_RANK
from graphsvc.analysis.core.results import CommunityRecommendations, PartnerExplanation
from graphsvc.analysis.gaps.answers import CommunityGaps
from graphsvc.api.deps import EditionDep, SettingsDep, StoreDep
from graphsvc.api.edition import Edition
from graphsvc.api.params import CommunityIdPath, Limit, Offset, PartnerIdPath, RankQuery, StreetFilter
from graphsvc.api.problems import problem_responses
from graphsvc.api.recommendations import MAX_K, AnswerKey, RecommendationService
from graphsvc.api.results import gaps_of_community, require_community
from graphsvc.api.schemas import DEFAULT_PAGE, CommunityPublic, EntitiesPublic, PartnerLink
from graphsvc.errors import NotFound, StoreUnavailable
from graphsvc.model import Entity
from graphsvc.store.base import GraphStore
from graphsvc.vocabulary import PARTNER_KINDS, EntityKind

router = APIRouter(prefix="/communities", tags=["communities"])


PartnerKind = enum.StrEnum("PartnerKind", {k.name: k.value for k in PARTNER_KINDS})  # type: ignore[misc]
"""Entity kinds that can be recommended as partners."""

ListLength = Annotated[int, Query(ge=1, le=MAX_K, description="how many partners", examples=[DEFAULT_K])]
KindsFilter = Annotated[
    list[PartnerKind] | None,
    Query(alias="kind", description="only partners of these kinds (repeat the parameter)", examples=[["enterprise"]]),
]
MinScore = Annotated[
    float | None,
    Query(ge=-1e6, le=1e6, description="only partners scoring at least this (in the rank mode's units)"),
]


OthersQuery = Annotated[
    bool,
    Query(
        description="gain and gap modes: follow the partners that close a gap with likely partners that close none "
        "(the answer's `others`), up to k in all. Without it the list holds only partners that close a gap and "
        "may be shorter than k; `closing` says how many candidates could close one.",
    ),
]


IncludeDeclinedQuery = Annotated[
    bool,
    Query(
        description="list partners that declined the community too (recorded with POST /outcomes); without it "
        "they are left out and the answer's `declined` names them",
    ),
]


def list_options(
    k: ListLength = DEFAULT_K,
    kinds: KindsFilter = None,
    street: StreetFilter = None,
    min_score: MinScore = None,
    rank: RankQuery = DEFAULT_RANK,  # type: ignore[assignment]
    others: OthersQuery = False,
    include_declined: IncludeDeclinedQuery = False,
) -> RecommendationOptions:
    """The options of the list asked for, from the query parameters the list routes share."""
    kind_values = [kind.value for kind in kinds] if kinds else None
    return RecommendationOptions(
        k=k,
        kinds=kind_values,
        street=street,
        min_score=min_score,
        rank=rank,
        others=others,
        include_declined=include_declined,
    )


ListOptions = Annotated[RecommendationOptions, Depends(list_options)]


def _ready_list(
    edition: Edition, community_id: str, options: RecommendationOptions
) -> tuple[RecommendationService, AnswerKey]:
    """The edition's recommendation service (503 until it is fitted) and the key of the list asked for."""
    require_community(edition, community_id)
    service = edition.fitted
    if service is None:
        raise StoreUnavailable("recommendations are not ready yet; retry shortly")
    return service, (community_id, options)


def get_community(store: GraphStore, community_id: str) -> Entity:
    """The community with this id; ``NotFound`` for an unknown id or an entity of another kind."""
    entity = store.get_entity(community_id)
    if entity.kind is not EntityKind.COMMUNITY:
        raise NotFound(f"{community_id!r} is an entity of kind {entity.kind.value!r}, not a community")
    return entity


@router.get("", summary="List communities, optionally of one street", responses=problem_responses(422, 503))
def list_communities(
    store: StoreDep, street: StreetFilter = None, limit: Limit = DEFAULT_PAGE, offset: Offset = 0
) -> EntitiesPublic:
    """Communities ordered by id; ``count`` is the number of matches before paging."""
    kind = EntityKind.COMMUNITY
    data = store.list_entities(kind=kind, street=street, limit=limit, offset=offset)
    return EntitiesPublic(data=data, count=store.count_entities(kind=kind, street=street))


@router.get("/{community_id}", summary="One community", responses=problem_responses(404, 422, 503))
def community_detail(store: StoreDep, community_id: CommunityIdPath, request: Request) -> CommunityPublic:
    """The community, its needs, the partners it already works with and links to its analyses."""
    entity = get_community(store, community_id)
    needs = {n.category: float(n.weight) for n in store.list_needs(community_id)}
    kinds_by_partner: dict[str, set[str]] = {}
    for link in store.list_links(community_id):
        other = link.target if link.source == community_id else link.source
        kinds_by_partner.setdefault(other, set()).add(link.kind.value)
    partners = [
        PartnerLink(id=p.id, kind=p.kind.value, name=p.name, link_kinds=sorted(kinds_by_partner[p.id]))
        for p in store.get_entities(kinds_by_partner)
    ]
    base = request.url_for("community_detail", community_id=community_id).path
    links = {
        "self": base,
        "gaps": f"{base}/gaps",
        "recommendations": f"{base}/recommendations",
        "page": request.url_for("community_html", community_id=community_id).path,
    }
    return CommunityPublic(entity=entity, needs=needs, partners=partners, links=links)


@router.get("/{community_id}/gaps", summary="Gaps of one community", responses=problem_responses(404, 422, 503))
def community_gaps(edition: EditionDep, settings: SettingsDep, community_id: CommunityIdPath) -> CommunityGaps:
    """Per-category need, covered and uncovered amounts (largest gap first), needs covered by a single partner,
    partners whose loss would uncover the most need, and, under the ``hub`` policy profile, missing five-society
    roles and hub reach. ``needs_recorded`` is false (and ``coverage`` null) when the community has no need
    recorded; ``profile`` names the policy profile used (the setting ``GRAPHSVC_POLICY``, else the data's
    default: ``generic`` for communities made from a directory's areas, ``hub`` otherwise)."""
    return gaps_of_community(edition, community_id, settings.policy)


@router.get(
    "/{community_id}/recommendations",
    summary="Partners this community could work with next, ranked, with reasons",
    response_model=CommunityRecommendations,
    responses=problem_responses(404, 422, 503),
)
async def community_recommendations(
    edition: EditionDep, community_id: CommunityIdPath, options: ListOptions
) -> Response:
    """The same objects and reasons as ``graphsvc recommend --json``, served from the in-memory edition.

    Partners already linked to the community and partners at capacity are never recommended; in ``gain`` and
    ``gap`` modes neither are partners that close no gap (unless ``others``). Each partner carries its
    ``name`` and ``long_shot`` (probability under 5%). ``rank=gain``
    (default) ranks by expected need closed (the need a partner would close times the probability the
    partnership forms), chosen as a set so a list does not repeat partners filling the same gap;
    ``rank=likelihood`` by how likely the link is, whatever the community needs; ``rank=gap`` by need closed
    alone. Each reason is one term of the score with a sentence in Chinese and English; they add up to it.
    """
    service, key = _ready_list(edition, community_id, options)
    data = service.cached(key)
    if data is None:
        data = await run_in_threadpool(service.answer, key)
    return Response(data, media_type="application/json")


@router.get(
    "/{community_id}/recommendations/{partner_id}",
    summary="Why (not) this partner? Its rank, its score's terms and what keeps it off the list",
    response_model=PartnerExplanation,
    responses=problem_responses(404, 422, 503),
)
async def explain_recommendation(
    edition: EditionDep,
    community_id: CommunityIdPath,
    partner_id: PartnerIdPath,
    options: ListOptions,
) -> Response:
    """``graphsvc recommend COMMUNITY --explain PARTNER --json``: the partner's place in the community's whole
    list (the order the list is made in: its rank is where the list, asked with ``others`` and a large ``k``,
    shows it), its name, its score's terms, and what keeps it off the top-k (already linked, at capacity, offers
    nothing the community lacks, filtered out, its gaps filled by partners above it, or ranked below).
    """
    service, key = _ready_list(edition, community_id, options)
    data = await run_in_threadpool(service.explain, key, partner_id)
    return Response(data, media_type="application/json")
