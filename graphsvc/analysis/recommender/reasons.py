"""Reasons: a recommendation's score taken apart into terms a planner reads, in Chinese and English.

Every list of reasons adds up to its score. By rank mode:

``gap``
    One term per category the partner would cover (the need it closes there), largest first, then
    what the partner's other communities would lose as its offer is split one way more.
``gain``
    The score is ``gain x probability``. It is split between the two factors as the Shapley value of a
    product splits it (baseline: no gain, an average candidate's probability ``p0``): the gap terms carry
    ``gain x (p + p0) / 2``, the plausibility terms ``gain x (p - p0) / 2``, shared among the signals in
    proportion to their terms of the link model's score.
``likelihood``
    The link model's terms (:meth:`~graphsvc.analysis.linkmodel.model_selection.LinkModel.contributions`), largest
    first.

Each signal that raises the score by at least :data:`FOLD_SHARE` of the largest term gets a line of its own,
in words a planner uses ("shares 1 partner with this community"), written from the signal's raw value; the
index it comes from stays in the reason's ``code``. The other signals -- those that lower the score, and
those too small to matter -- are folded into one line named for what they are (code ``other:`` and their
indices, e.g. ``other:adamic_adar,l3``), which also holds what the listed terms leave over, so the listed
contributions always add up to the score. Gap terms are never folded: they say what the partner closes.

>>> fmt(4.0), fmt(3.333), fmt(0.04), fmt(0.004)
('4', '3.3', '0.04', '0.004')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphsvc.analysis.core.rank_modes import RankMode, rank_mode
from graphsvc.analysis.core.results import Reason, built
from graphsvc.analysis.linkmodel.model_selection import LinkModel
from graphsvc.analysis.linkmodel.signals import SIGNALS, STRUCTURAL, transform
from graphsvc.vocabulary import PARTNER_ROLES, category

SMALL = 1e-6
ROUNDING = 1e-5
"""What rounding each term to 6 decimals may leave between a sum of terms and the rounded score."""

FOLD_SHARE = 0.1
"""A signal's term smaller than this share of the largest term of its score (gap terms included) is not
listed on its own: it is folded, with the signals that lower the score, into one line."""

BUSY = 10
"""A shared partner with more links than this is said to have "many" others; up to it, "few"."""

OTHER = "other"
"""The code of the folded line; its folded signals follow a colon (``other:adamic_adar,l3``)."""

LABELS: dict[str, tuple[str, str]] = {
    "common_neighbors": ("共同伙伴", "partners in common"),
    "adamic_adar": ("共同伙伴的繁忙程度", "how busy the shared partners are"),
    "resource_allocation": ("共同伙伴的繁忙程度", "how busy the shared partners are"),
    "preferential_attachment": ("合作活跃度", "how active both are"),
    "l3": ("伙伴的伙伴", "partners of partners"),
    "gap_fit": ("需求契合", "fit with its needs"),
    "fills_role": ("五社角色", "five-society role"),
    "same_street": ("同街道", "same street"),
    "street_hub": ("街道枢纽", "street hub"),
    "headroom_share": ("服务余量", "room for more communities"),
}
"""Each signal in a few words, as the folded line names it (two indices of one thing, one name)."""


def fmt(x: float) -> str:
    """A number as a planner reads it: one decimal (two below 0.1, one significant digit below 0.01), no
    trailing zeros; never ``0.00`` for a number that is not zero."""
    if x != 0 and abs(x) < 0.001:
        return "<0.001" if x > 0 else ">-0.001"
    if abs(x) < 0.01:
        return f"{x:.1g}"
    text = f"{x:.2f}" if abs(x) < 0.1 else f"{x:.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class PairContext:
    """What reason sentences need beyond the raw signals."""

    street: str | None
    headroom: int | None
    partner_degree: int
    role_zh: str
    role_en: str
    cats: tuple[str, ...] = ()
    closed: tuple[float, ...] = ()
    """Need the partner would close per category of ``cats``."""
    lost: tuple[float, ...] = ()
    """Need the partner's other communities would lose per category of ``cats``."""
    uncovered: tuple[float, ...] = ()
    """The community's uncovered need per category of ``cats``."""
    served: int = 0
    """How many communities the partner already serves."""


def gap_text(cat: str, closed: float, uncovered: float) -> tuple[str, str]:
    """The gap reason: which need the partner offers and how much of the uncovered need it would cover.

    >>> gap_text("disability", 4.0, 5.0)[1]
    "offers disability support: would cover 4 of this community's 5 uncovered"
    """
    label = category(cat)
    if label.group == "role":
        role = label.code.split(":", 1)[1]
        zh, en = next((r.zh, r.en) for r in PARTNER_ROLES if r.value == role)
        return f"{zh}：可补上本社区五社联动中缺少的这一方", f"{en}: fills this community's missing five-society role"
    return (
        f"提供{label.zh}，可覆盖本社区未覆盖的 {fmt(uncovered)} 中的 {fmt(closed)}",
        f"offers {label.en}: would cover {fmt(closed)} of this community's {fmt(uncovered)} uncovered",
    )


_CN = SIGNALS.index("common_neighbors")
_RA = SIGNALS.index("resource_allocation")


def _links_each(raw: np.ndarray) -> int:
    """How many links the shared partners have, typically: the harmonic mean of their degrees, which
    resource allocation (the sum of ``1 / degree`` over them) gives exactly."""
    shared, ra = float(raw[_CN]), float(raw[_RA])
    return round(shared / ra) if ra > 0 else 0


def signal_text(code: str, raw: np.ndarray, ctx: PairContext, *, typed: bool) -> tuple[str, str]:
    """A signal's sentence (zh, en) from the raw values of a pair's signals (``raw``, as :data:`SIGNALS`):
    counts where the signal counts something, plain words otherwise, never the index's name or value.

    >>> ctx = PairContext(street="拱北", headroom=2, partner_degree=3, role_zh="", role_en="")
    >>> row = np.zeros(len(SIGNALS))
    >>> row[[0, 1, 2]] = [2.0, 2 / np.log(4), 2 / 4]   # two shared partners of 4 links each
    >>> for code in ("common_neighbors", "adamic_adar", "l3"):
    ...     print(signal_text(code, row, ctx, typed=True)[1])
    shares 2 partners with this community
    shares 2 partners that few others work with (about 4 links each)
    not linked to partners of this community's partners
    """
    noun_zh, noun_en = ("伙伴", "partner") if typed else ("邻居", "neighbour")
    here_zh, here_en = ("本社区", "this community") if typed else ("该节点", "this node")
    value = float(raw[SIGNALS.index(code)])
    shared = round(float(raw[_CN]))
    plural = "s" if shared != 1 else ""
    if code == "common_neighbors":
        if shared == 0:
            return f"与{here_zh}没有共同{noun_zh}", f"shares no {noun_en} with {here_en}"
        return f"与{here_zh}有{shared}个共同{noun_zh}", f"shares {shared} {noun_en}{plural} with {here_en}"
    if code in ("adamic_adar", "resource_allocation"):
        if shared == 0:
            return f"与{here_zh}没有共同{noun_zh}", f"shares no {noun_en} with {here_en}"
        each = _links_each(raw)
        few = each <= BUSY
        few_en = "few" if few else "many"
        links_zh = "个合作方" if typed else "条连接"
        if code == "adamic_adar":
            busy_zh = ("少有他人合作" if few else "多有他人合作") if typed else ("连接较少" if few else "连接较多")
            return (
                f"{shared}个共同{noun_zh}{busy_zh}（各约{each}{links_zh}）",
                f"shares {shared} {noun_en}{plural} that {few_en} others work with (about {each} links each)",
            )
        return (
            f"共同{noun_zh}的{'合作方' if typed else '连接'}{'较少' if few else '较多'}（各约{each}{links_zh}）",
            f"the shared {noun_en}{plural} {'has' if shared == 1 else 'have'} {few_en} other links (about {each} each)",
        )
    if code == "l3":
        of_zh, of_en = f"{here_zh}{noun_zh}的{noun_zh}", f"{noun_en}s of {here_en}'s {noun_en}s"
        if value <= SMALL:
            return f"与{of_zh}没有联系", f"not linked to {of_en}"
        if value >= 0.5:
            return f"与{of_zh}联系紧密", f"closely linked to {of_en}"
        if value >= 0.1:
            return f"与{of_zh}有联系", f"linked to {of_en}"
        return (
            f"经由连接很多的{noun_zh}，与{of_zh}略有联系",
            f"loosely linked to {of_en} (through busy ones)",
        )
    if code == "preferential_attachment":
        if not typed:
            degree = ctx.partner_degree
            return f"连接较多，已有{degree}条连接", f"well connected, with {degree} links already"
        return f"合作活跃，已有{ctx.partner_degree}个合作方", f"active, with {ctx.partner_degree} partnerships already"
    if code == "gap_fit":
        share = "不到1%" if 0 < value < 0.005 else f"{value:.0%}"
        share_en = "under 1%" if 0 < value < 0.005 else f"{value:.0%}"
        return f"需求契合：可补上本社区约{share}的需求", f"fits its needs: could close about {share_en} of its need"
    if code == "fills_role":
        if value < 0.5:
            return "不补五社联动中缺少的角色", "fills no missing five-society role"
        return f"作为本社区五社联动中缺少的{ctx.role_zh}，更可能合作", f"likelier to join as its missing {ctx.role_en}"
    if code == "same_street":
        if value < 0.5:
            return "不在本社区所在的街道", "works in another street"
        return f"与本社区同属{ctx.street}街道", f"works in the same street ({ctx.street})"
    if code == "street_hub":
        if value < 0.5:
            return "不是本街道的枢纽组织", "not the hub of this community's street"
        return "本街道的枢纽组织", "the hub of this community's street"
    if code == "headroom_share":
        if ctx.headroom is None:
            return "未设服务上限，可承接新社区", "no capacity limit set, can take on new communities"
        return f"尚有服务余量，还可服务{ctx.headroom}个社区", f"has room for {ctx.headroom} more communities"
    return code, code


NAMED = 3
"""How many of the folded signals the folded line names (the largest); the others are counted."""


def folded_text(codes: list[str], *, typed: bool = True) -> tuple[str, str]:
    """The folded line's sentence for the folded signals ``codes`` (largest first): what it holds, named.

    >>> folded_text(["adamic_adar", "l3", "resource_allocation"])[1]
    'other structural signals: how busy the shared partners are, partners of partners'
    >>> folded_text(["same_street", "l3", "gap_fit", "street_hub", "fills_role"])[0]
    '其余信号：同街道、伙伴的伙伴、需求契合等5项'
    >>> folded_text(["same_street", "l3", "gap_fit", "street_hub", "fills_role"])[1]
    'other signals: same street, partners of partners, fit with its needs and 2 more'
    >>> folded_text([])[1]
    'the rest of the score'
    """
    if not codes:
        return "得分的其余部分", "the rest of the score"
    labels = list(dict.fromkeys(LABELS.get(c, (c, c)) for c in codes))
    what_zh = "、".join(zh for zh, _ in labels[:NAMED])
    what_en = ", ".join(en for _, en in labels[:NAMED])
    if len(labels) > NAMED:
        what_zh += f"等{len(labels)}项"
        what_en += f" and {len(labels) - NAMED} more"
    if not typed:  # a graph of any nodes: neighbours and links, not partners and partnerships
        what_zh = what_zh.replace("伙伴", "邻居").replace("合作活跃度", "连接多少")
        what_en = what_en.replace("partner", "neighbour").replace("how active", "how connected")
    if all(c in STRUCTURAL for c in codes):
        return f"其余结构信号：{what_zh}", f"other structural signals: {what_en}"
    return f"其余信号：{what_zh}", f"other signals: {what_en}"


def _reason(code: str, value: float, zh: str, en: str) -> Reason:
    return built(Reason, {"code": code, "contribution": round(value, 6), "text_zh": zh, "text_en": en})


def _gap_reasons(ctx: PairContext, factor: float) -> list[Reason]:
    out = []
    closing = [i for i, c in enumerate(ctx.closed) if c > SMALL]  # one or two of the categories
    for i in sorted(closing, key=lambda i: (-ctx.closed[i], ctx.cats[i])):
        zh, en = gap_text(ctx.cats[i], ctx.closed[i], ctx.uncovered[i])
        out.append(_reason(f"gap:{ctx.cats[i]}", ctx.closed[i] * factor, zh, en))
    lost = sum(ctx.lost)
    if lost > SMALL:
        out.append(
            _reason(
                "shared_offer",
                -lost * factor,
                f"需与其已服务的{ctx.served}个社区分摊资源，它们将少覆盖 {fmt(lost)}",
                f"splits its offer with the {ctx.served} communities it serves: they would lose {fmt(lost)}",
            )
        )
    return out


def _signal_reasons(
    values: np.ndarray, raw: np.ndarray, ctx: PairContext, typed: bool, largest: float
) -> tuple[list[Reason], list[str]]:
    """The lines of the signals that raise the score by at least :data:`FOLD_SHARE` of ``largest`` (the largest
    term besides them), largest first; and the codes of the others that count (folded), largest first."""
    terms = values.tolist()  # a few terms: sorted as Python floats (stable, as ``np.argsort(kind="stable")``)
    sizes = [abs(v) for v in terms]
    cut = max(FOLD_SHARE * max(largest, max(sizes, default=0.0)), SMALL)
    out = []
    for i in sorted(range(len(terms)), key=lambda i: -terms[i]):
        if terms[i] >= cut:
            zh, en = signal_text(SIGNALS[i], raw, ctx, typed=typed)
            out.append(_reason(SIGNALS[i], terms[i], zh, en))
    listed = {r.code for r in out}
    folded = [SIGNALS[i] for i in sorted(range(len(terms)), key=lambda i: -sizes[i]) if sizes[i] > SMALL]
    return out, [code for code in folded if code not in listed]


def closing_nothing(score: float) -> list[Reason]:
    """The reasons of a partner that closes nothing (``gain`` and ``gap`` modes on a snapshot): all that
    :func:`reasons` needs to know of it is its score.

    >>> [(r.code, r.contribution) for r in closing_nothing(0.25)]
    [('no_gap', 0.0), ('other', 0.25)]
    """
    out = [_reason("no_gap", 0.0, "不提供本社区缺少的资源", "offers nothing this community lacks")]
    return _rest(out, score, [])


def gap_reasons(ctx: PairContext, score: float) -> list[Reason]:
    """The reasons of a link worth the need it closes alone (``gap`` mode, and the district plan's links): a term
    per category it closes, then what its partner's other communities lose; they add up to ``score``.

    >>> ctx = PairContext(None, None, 0, "", "", cats=("health",), closed=(1.5,), lost=(0.5,), uncovered=(2.0,))
    >>> [(r.code, r.contribution) for r in gap_reasons(ctx, 1.0)]
    [('gap:health', 1.5), ('shared_offer', -0.5)]
    """
    if not any(c > SMALL for c in ctx.closed):
        return closing_nothing(score)
    out = _gap_reasons(ctx, 1.0)
    if abs(score - sum(r.contribution for r in out)) <= ROUNDING:
        return out  # the terms are the whole gain: what is left is the rounding of each, not another term
    return _rest(out, score, [])


def _rest(out: list[Reason], score: float, folded: list[str], *, typed: bool = True) -> list[Reason]:
    """``out`` and, if they leave some of ``score`` over, one line holding it, named for the ``folded`` signals."""
    rest = score - sum(r.contribution for r in out)
    if abs(rest) > SMALL:
        zh, en = folded_text(folded, typed=typed)
        out.append(_reason(":".join([OTHER, ",".join(folded)]) if folded else OTHER, rest, zh, en))
    return out


def reasons(
    mode: RankMode,
    model: LinkModel,
    raw: np.ndarray,
    ctx: PairContext,
    *,
    typed: bool,
    score: float,
    gain: float,
    probability: float,
) -> list[Reason]:
    """The reasons of one recommendation under ``mode`` (a rank mode's name); their contributions add up to
    ``score``."""
    spec = rank_mode(mode)
    folded: list[str] = []
    if not spec.by_need or not typed:
        values = model.contributions(transform(raw[None, :])[0])
        out, folded = _signal_reasons(values, raw, ctx, typed, 0.0)
    elif not any(c > SMALL for c in ctx.closed):
        return closing_nothing(score)
    elif not spec.with_probability:
        return gap_reasons(ctx, score)
    else:
        p0 = model.base_probability
        out = _gap_reasons(ctx, (probability + p0) / 2)
        T = transform(raw[None, :])
        s = float(model.score(T)[0])
        factor = gain * (probability - p0) / 2 / s if abs(s) > SMALL else 0.0
        if factor > 0:
            largest = max((abs(r.contribution) for r in out), default=0.0)
            signals, folded = _signal_reasons(model.terms(T[0]) * factor, raw, ctx, typed, largest)
            out += signals
    return _rest(out, score, folded, typed=typed)
