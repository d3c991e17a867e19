"""What ``graphsvc recommend`` and ``graphsvc fit`` share: printing a list, and the default lists kept with the model
(:mod:`graphsvc.answers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphsvc.cli.app import console, print_json, table
from graphsvc.cli.progress import progress_bar
from graphsvc.labels import ADD_NEEDS, NO_NEEDS, kind_label, named, num

if TYPE_CHECKING:
    import networkx as nx

    from graphsvc.analysis.model_selection import LinkModel
    from graphsvc.analysis.results import PartnerExplanation
    from graphsvc.store.base import GraphStore


def print_recommendations(
    recs: dict[str, Any],
    *,
    name: Callable[[str], str],
    kind: Callable[[str], str],
    as_json: bool,
    needs_recorded: bool = True,
) -> None:
    """A community's list (as JSON data): for programs as it is, for people as a table with names and kinds
    (``needs_recorded`` False: the community has no need, so no coverage is shown, and how to add needs is)."""
    if as_json:
        print_json(recs)
        return
    rows: list[list[object]] = [
        [
            i + 1,
            name(r["partner"]),
            kind(r["partner"]),
            r["score"],
            r["gain"],
            [f"{x['text_zh']} / {x['text_en']} ({x['contribution']:+.2f})" for x in r["reasons"]],
        ]
        for i, r in enumerate(recs["recommendations"])
    ]
    console().print(
        table(
            f"建议的合作方 Partners for {name(recs['community'])}",
            ["#", "合作方 partner", "类型 kind", "得分 score", "可补缺口 gain", "理由 reasons"],
            rows,
        )
    )
    if not needs_recorded:
        console().print(
            f"排序 rank: {recs['rank']}; {NO_NEEDS}: no partner can close a need here, "
            "so the list is the link model's alone"
        )
        console().print(ADD_NEEDS)
        return
    console().print(
        f"排序 rank: {recs['rank']}; 覆盖率 coverage {recs['coverage']:.0%} -> {recs['coverage_if_linked']:.0%} "
        f"if all join; 预期补缺 expected need closed {recs['expected_gain']:.2f}"
    )


def print_kept(graph_store: GraphStore, kept: dict[str, Any], *, as_json: bool) -> None:
    """A kept list (:func:`graphsvc.answers.kept_answer`), its names, kinds and needs read from the store."""
    ids = [kept["community"], *(r["partner"] for r in kept["recommendations"])]
    found = {} if as_json else {e.id: e for e in graph_store.get_entities(ids)}

    def name(node: str) -> str:
        entity = found.get(node)
        return named(entity.name if entity else None, node)

    def kind(node: str) -> str:
        entity = found.get(node)
        if entity is None:
            return kind_label(None)
        return kind_label(entity.kind.value, entity.subtype.value if entity.subtype else None)

    recorded = as_json or bool(graph_store.list_needs(kept["community"]))
    print_recommendations(kept, name=name, kind=kind, as_json=as_json, needs_recorded=recorded)


def keep_default_lists(
    graph_store: GraphStore, G: nx.Graph, version: int, model: LinkModel, *, seed: int, quiet: bool
) -> int:
    """Compute every community's default list on ``G`` (the store's data at ``version``) with ``model`` and keep
    them in the store (:func:`graphsvc.answers.keep_answers`); returns how many were kept."""
    from graphsvc.analysis.options import RecommendationOptions
    from graphsvc.analysis.recommend import Recommender
    from graphsvc.answers import keep_answers

    recommender = Recommender(G, model)
    with progress_bar("Keeping every community's default list", quiet=quiet) as bar:
        lists = recommender.answer_all(RecommendationOptions(), progress=bar)
    keep_answers(graph_store, version, {str(c): r.model_dump_json().encode() for c, r in lists.items()}, seed=seed)
    return len(lists)


def explanation_header(why: PartnerExplanation, *, community: str, partner: str) -> str:
    """The first line of ``--explain``: the partner by name, its place in the list's one order, rounded as the
    list rounds (``#7 of 272 on the list``; ``#45 of 272, among the partners that close no gap``)."""
    if why.rank is None:
        place = "not a candidate"
    elif why.listed:
        place = f"#{why.rank} of {why.candidates}, on the list"
    elif why.other:
        place = f"#{why.rank} of {why.candidates}, among the partners that close no gap"
    else:
        place = f"#{why.rank} of {why.candidates}, below the list"
    score = "-" if why.score is None else num(why.score)
    likely = f"likely {why.probability:.0%}" + (" (long shot)" if why.long_shot else "")
    return f"{partner} for {community} ({why.rank_mode}): {place}; score {score}, gain {num(why.gain)}, {likely}"
