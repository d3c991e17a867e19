"""What ``graphsvc recommend`` and ``graphsvc fit`` share: printing a list, and the default lists kept with the model
(:mod:`graphsvc.answers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from graphsvc.analysis.core.options import DEFAULT_K
from graphsvc.cli.app import PeopleTable, console, print_json, table
from graphsvc.cli.progress import progress_bar
from graphsvc.labels import ADD_NEEDS, NO_NEEDS, kind_label, likely, named, num, pct, signed

if TYPE_CHECKING:
    import networkx as nx
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

    from graphsvc.analysis.core.results import CommunityRecommendations, PartnerExplanation, Reason, Recommendation
    from graphsvc.analysis.linkmodel.model_selection import LinkModel
    from graphsvc.store.base import GraphStore


def print_recommendations(
    recs: dict[str, Any], *, kind: Callable[[str], str], as_json: bool, k: int, min_score: float | None = None
) -> None:
    """A community's list (as JSON data, asked for ``k`` partners): for programs as it is; for people one block
    per partner on a terminal, a table of tab-separated lines off one (:class:`PartnerBlocks`)."""
    if as_json:
        print_json(recs)
        return
    from graphsvc.analysis.core.results import CommunityRecommendations

    console().print(PartnerBlocks(CommunityRecommendations.model_validate(recs), kind=kind, k=k, min_score=min_score))


def _reason_lines(reasons: list[Reason]) -> list[tuple[str, str]]:
    """Each reason as (its contribution with its sign, ``zh / en``); no number for a term that adds nothing."""
    return [(signed(x.contribution), f"{x.text_zh} / {x.text_en}") for x in reasons]


class PartnerBlocks:
    """A community's list for people. On a terminal: one block per partner -- its rank, name and id, kind, gain,
    how likely the partnership is and a long-shot mark -- with one reason per line under it, wrapped to the
    terminal's width, never cut. Off a terminal (a pipe, a log): one tab-separated line per partner, its reasons
    joined with ``; ``, for ``cut`` and ``grep``. Then what the list leaves out: likely partners that close no
    gap (when asked for), and how few partners close a gap when fewer than ``k`` do."""

    def __init__(
        self, recs: CommunityRecommendations, *, kind: Callable[[str], str], k: int, min_score: float | None = None
    ) -> None:
        self.recs, self.kind, self.k, self.min_score = recs, kind, k, min_score
        self.community = named(recs.name, recs.community)

    @property
    def title(self) -> str:
        return f"建议的合作方 Partners for {self.community}"

    def notes(self) -> list[str]:
        """What the list's figures say, and why it is shorter than ``k`` when it is: fewer partners offer what the
        community lacks, or the others offering it would close nothing more once the listed ones join; with no
        need recorded, no coverage but how to add needs."""
        recs = self.recs
        if not recs.needs_recorded:
            if recs.closing is None:
                why = "so the list is the link model's alone"
            elif recs.recommendations:
                why = "so the partners listed fill missing five-society roles only"
            else:
                why = "so no partner is listed (--others: the likely ones; --rank likelihood: by the link model)"
            return [
                f"排序 rank: {recs.rank}; {NO_NEEDS}: no partner can close a need here, {why}",
                ADD_NEEDS,
                *self.declined(),
            ]
        closing, community, listed = recs.closing, self.community, len(recs.recommendations)
        out = []
        if closing is not None and listed < self.k:
            if self.min_score is not None and closing > listed:
                out.append(f"其余伙伴低于最低分 / the other partners score below --min-score {self.min_score:g}")
            elif closing <= listed:
                out.append(
                    f"只有{closing}个伙伴能补上{community}缺少的资源 / only {closing} "
                    f"partner{'s' * (closing != 1)} offer{'s' * (closing == 1)} what {community} lacks"
                )
            else:
                more = closing - listed
                out.append(
                    f"另有{more}个伙伴提供{community}缺少的资源，但列出的{listed}个伙伴加入后它们补不上更多缺口 / "
                    f"{more} more partner{'s' * (more != 1)} offer{'s' * (more == 1)} what {community} lacks, "
                    f"but would close nothing more once the {listed} listed join"
                )
        out.append(
            f"排序 rank: {recs.rank}; 覆盖率 coverage {pct(recs.coverage)} -> {pct(recs.coverage_if_linked)} "
            f"if all join; 预期补缺 expected need closed {num(recs.expected_gain)}"
        )
        return [*out, *self.declined()]

    def declined(self) -> list[str]:
        """The partners left out because they declined the community, if any (``--include-declined`` lists them)."""
        left = self.recs.declined
        if not left:
            return []
        shown = ", ".join(str(p) for p in left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
        n = len(left)
        return [
            f"{n}个曾婉拒{self.community}的伙伴未列出 / {n} partner{'s' * (n != 1)} that declined {self.community} "
            f"left out ({shown}; --include-declined lists them)"
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        others = self.recs.others
        if not console.is_terminal:
            yield self._table(self.title, self.recs.recommendations, 1)
            if others:
                yield self._table(OTHERS_TITLE, others, len(self.recs.recommendations) + 1)
            yield from (Text(note) for note in self.notes())
            return
        yield Text(self.title, style="bold")
        yield from (Text(note) for note in self.notes())
        place = 1
        for part, title in ((self.recs.recommendations, None), (others, OTHERS_TITLE)):
            if title is not None and part:
                yield Text("")
                yield Text(title, style="bold")
            for r in part:
                yield Text("")
                yield self._block(place, r, options.max_width)
                place += 1

    def _block(self, place: int, r: Recommendation, width: int) -> RenderableType:
        """One partner: its rank beside its name and facts, then one reason per line, each wrapped under itself
        (``width``: the terminal's)."""
        from rich.console import Group
        from rich.table import Table

        facts = _facts(self.kind(r.partner), r.gain, r.probability, r.long_shot, r.score)
        rank = Text(f"{place}.", style="bold")
        block = Table.grid(padding=(0, 1))
        block.add_column(justify="right", no_wrap=True)
        block.add_column(overflow="fold", ratio=1)
        room = width - rank.cell_len - 1
        name = Text(named(r.name, r.partner), style="bold")
        block.add_row(rank, Group(name, *_packed(facts, room), _reason_grid(r.reasons)))
        return block

    def _table(self, title: str, recs: list[Recommendation], first: int) -> PeopleTable:
        rows: list[list[object]] = [
            [
                place,
                named(r.name, r.partner),
                self.kind(r.partner),
                r.score,
                r.gain,
                likely(r.probability),
                r.long_shot,
                [f"{text} ({number})" if number else text for number, text in _reason_lines(r.reasons)],
            ]
            for place, r in enumerate(recs, start=first)
        ]
        return table(title, COLUMNS, rows)


def _facts(kind: str, gain: float, probability: float, long_shot: bool, score: float | None) -> list[Text]:
    """What a partner's block says of it under its name: kind, gain, how likely, a long-shot mark, score."""
    return [
        Text(kind),
        Text(f"可补缺口 gain {num(gain)}"),
        Text(f"可能性 likely {likely(probability)}"),
        *([Text("希望不大 long shot", style="bold yellow")] if long_shot else []),
        Text(f"得分 score {num(score)}"),
    ]


def _reason_grid(reasons: list[Reason]) -> RenderableType:
    """One reason per line: its signed contribution, then its text wrapped under itself."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold", ratio=1)
    for number, text in _reason_lines(reasons):
        grid.add_row(number, Text(text))
    return grid


class ExplanationView:
    """``recommend --explain``: where a partner stands for a community, named and rounded like the list, what keeps
    it off the list, and its score's terms, one per line on a terminal (a table with each term's code off one)."""

    def __init__(self, why: PartnerExplanation, *, community: str, kind: Callable[[str], str]) -> None:
        """``community``: the community's name beside its id."""
        self.why, self.community, self.kind = why, community, kind

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        why = self.why
        yield Text(f"{named(why.name, why.partner)} · 对 for {self.community} · 排序 rank: {why.rank_mode}")
        if why.rank is None:
            where = [Text("不是候选 not a candidate")]
        else:
            if why.listed:
                which = "在列表中 on the list"
            elif why.other:
                which = "在不补缺口的伙伴中 among the partners that close no gap"
            else:
                which = "在列表之后 below the list"
            where = [Text(f"#{why.rank} of {why.candidates}"), Text(which)]
        facts = _facts(self.kind(why.partner), why.gain, why.probability, why.long_shot, why.score)
        yield from _packed([*where, *facts], options.max_width)
        for out in why.kept_out:
            yield Text(f"未入选原因 kept out: {out.text_zh} / {out.text_en}")
        if not why.reasons:
            return
        if console.is_terminal:
            yield Text("得分构成 Terms of its score", style="bold")
            yield _reason_grid(why.reasons)
            return
        terms = [[x.code, signed(x.contribution), f"{x.text_zh} / {x.text_en}"] for x in why.reasons]
        yield table("得分构成 Terms of its score", ["项 term", "贡献 contribution", "理由 reason"], terms)


def _packed(parts: list[Text], width: int, sep: str = " · ") -> list[Text]:
    """``parts`` joined by ``sep`` into lines of at most ``width`` cells, a line breaking only between parts (a part
    wider than a line is left to wrap on its own).

    >>> [t.plain for t in _packed([Text("gain 10"), Text("likely 39%"), Text("score 3.9")], 20)]
    ['gain 10 · likely 39%', 'score 3.9']
    """
    lines: list[Text] = []
    for part in parts:
        if lines and lines[-1].cell_len + len(sep) + part.cell_len <= width:
            lines[-1].append(sep)
            lines[-1].append_text(part)
        else:  # a line of its own style: a styled first part (the long-shot mark) colours only itself
            lines.append(Text())
            lines[-1].append_text(part)
    return lines


COLUMNS = [
    "#",
    "合作方 partner",
    "类型 kind",
    "得分 score",
    "可补缺口 gain",
    "可能性 likely",
    "希望不大 long shot",
    "理由 reasons",
]
"""The columns of a list off a terminal."""

OTHERS_TITLE = "其他可能的合作方（不补缺口）Other likely partners (they close no gap)"


def print_kept(graph_store: GraphStore, kept: dict[str, Any], *, as_json: bool) -> None:
    """A kept list (:func:`graphsvc.answers.kept_answer`), its kinds (with subtypes) read from the store."""
    partners = [r["partner"] for part in ("recommendations", "others") for r in kept.get(part, [])]
    found = {} if as_json else {e.id: e for e in graph_store.get_entities(partners)}

    def kind(node: str) -> str:
        entity = found.get(node)
        if entity is None:
            return kind_label(None)
        return kind_label(entity.kind.value, entity.subtype.value if entity.subtype else None)

    print_recommendations(kept, kind=kind, as_json=as_json, k=DEFAULT_K)


def keep_default_lists(
    graph_store: GraphStore, G: nx.Graph, version: int, model: LinkModel, *, seed: int, quiet: bool
) -> int:
    """Compute every community's default list on ``G`` (the store's data at ``version``) with ``model`` and keep
    them in the store (:func:`graphsvc.answers.keep_answers`); returns how many were kept."""
    from graphsvc.analysis.core.options import RecommendationOptions
    from graphsvc.analysis.recommender.recommend import Recommender
    from graphsvc.answers import keep_answers

    recommender = Recommender(G, model)
    with progress_bar("Keeping every community's default list", quiet=quiet) as bar:
        lists = recommender.answer_all(RecommendationOptions(), progress=bar)
    keep_answers(graph_store, version, {str(c): r.model_dump_json().encode() for c, r in lists.items()}, seed=seed)
    return len(lists)
