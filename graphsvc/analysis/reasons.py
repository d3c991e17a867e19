"""Reasons: a recommendation's score taken apart into terms a planner reads, in Chinese and English.

Every list of reasons adds up to its score. By rank mode:

``gap``
    One term per category the partner would cover (the need it closes there), largest first, then
    what the partner's other communities would lose as its offer is split one way more.
``gain``
    The score is ``gain x probability``. It is split between the two factors as the Shapley value of a
    product splits it (baseline: no gain, an average candidate's probability ``p0``): the gap terms carry
    ``gain x (p + p0) / 2``, the plausibility terms ``gain x (p - p0) / 2``, shared among the signals
    that raise the probability in proportion to their terms of the link model's score.
``likelihood``
    The link model's terms (:meth:`~graphsvc.analysis.model_selection.LinkModel.contributions`), largest
    first.

Signals that lower a score are not listed one by one; one ``other`` term holds their total, so the listed
contributions always add up to the score.

>>> fmt(4.0), fmt(3.333), fmt(0.04)
('4', '3.3', '0.04')
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphsvc.analysis.model_selection import LinkModel
from graphsvc.analysis.rank_modes import RankMode, rank_mode
from graphsvc.analysis.results import Reason, built
from graphsvc.analysis.signals import SIGNALS, transform
from graphsvc.vocabulary import PARTNER_ROLES, category

SMALL = 1e-6
ROUNDING = 1e-5
"""What rounding each term to 6 decimals may leave between a sum of terms and the rounded score."""


def fmt(x: float) -> str:
    """A number as a planner reads it: one decimal (two below 0.1), no trailing zeros."""
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


def _signal_text(code: str, raw: float, ctx: PairContext, typed: bool) -> tuple[str, str]:
    noun_zh, noun_en = ("伙伴", "partners") if typed else ("邻居", "neighbours")
    here_zh, here_en = ("本社区", "this community") if typed else ("该节点", "this node")
    if code == "gap_fit":
        return f"需求契合：可补上本社区约{raw:.0%}的需求", f"fits its needs: could close about {raw:.0%} of its need"
    if code == "fills_role":
        return f"补上五社联动中缺少的{ctx.role_zh}", f"fills a missing five-society role: {ctx.role_en}"
    if code == "same_street":
        return f"与本社区同属{ctx.street}街道", f"works in the same street ({ctx.street})"
    if code == "street_hub":
        return "本街道的枢纽组织", "the hub of this community's street"
    if code == "headroom_share":
        if ctx.headroom is None:
            return "未设服务上限，可承接新社区", "no capacity limit set, can take on new communities"
        return f"尚有服务余量，还可服务{ctx.headroom}个社区", f"has room for {ctx.headroom} more communities"
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


def _reason(code: str, value: float, zh: str, en: str) -> Reason:
    return built(Reason, {"code": code, "contribution": round(value, 6), "text_zh": zh, "text_en": en})


def _gap_reasons(ctx: PairContext, factor: float) -> list[Reason]:
    out = []
    order = sorted(range(len(ctx.cats)), key=lambda i: (-ctx.closed[i], ctx.cats[i]))
    for i in order:
        if ctx.closed[i] > SMALL:
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


def _signal_reasons(values: np.ndarray, raw: np.ndarray, ctx: PairContext, typed: bool) -> list[Reason]:
    out = []
    for i in np.argsort(-values, kind="stable").tolist():
        if values[i] <= SMALL:
            break
        zh, en = _signal_text(SIGNALS[i], float(raw[i]), ctx, typed)
        out.append(_reason(SIGNALS[i], float(values[i]), zh, en))
    return out


def closing_nothing(score: float) -> list[Reason]:
    """The reasons of a partner that closes nothing (``gain`` and ``gap`` modes on a snapshot): all that
    :func:`reasons` needs to know of it is its score.

    >>> [(r.code, r.contribution) for r in closing_nothing(0.25)]
    [('no_gap', 0.0), ('other', 0.25)]
    """
    out = [_reason("no_gap", 0.0, "不提供本社区缺少的资源", "offers nothing this community lacks")]
    return _rest(out, score)


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
    return _rest(out, score)


def _rest(out: list[Reason], score: float) -> list[Reason]:
    rest = score - sum(r.contribution for r in out)
    if abs(rest) > SMALL:
        out.append(_reason("other", rest, "其余信号合计", "the other signals together"))
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
    if not spec.by_need or not typed:
        out = _signal_reasons(model.contributions(transform(raw[None, :])[0]), raw, ctx, typed)
    elif not any(c > SMALL for c in ctx.closed):
        return closing_nothing(score)
    elif not spec.with_probability:
        return gap_reasons(ctx, score)
    else:
        p0 = model.base_probability
        out = _gap_reasons(ctx, (probability + p0) / 2)
        T = transform(raw[None, :])
        s = float(model.score(T)[0])
        if s > SMALL and gain > SMALL:
            terms = model.terms(T[0])
            out += _signal_reasons(terms * (gain * (probability - p0) / 2 / s), raw, ctx, typed)
    return _rest(out, score)
