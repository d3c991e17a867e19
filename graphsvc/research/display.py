"""Presentation: bilingual column headers, English street names, pages inline in Jupyter, a CJK font for charts."""

from __future__ import annotations

import importlib
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from graphsvc.labels import street_en

if TYPE_CHECKING:
    from graphsvc.analysis.recommender.recommend import Recommender

__all__ = ["CJK_FONTS", "COLUMN_LABELS", "bilingual", "show_community", "show_overview", "street_en", "use_cjk_font"]

COLUMN_LABELS: dict[str, str] = {
    "id": "编号 id",
    "community": "社区 community",
    "community_name": "社区名称 community name",
    "name": "名称 name",
    "street": "街道 street",
    "street_en": "街道(英文) street (en)",
    "kind": "类型 kind",
    "category": "类别 category",
    "category_zh": "类别 category (zh)",
    "category_en": "category (en)",
    "needs_recorded": "已记录需求 needs recorded",
    "need": "需求 need",
    "covered": "已覆盖 covered",
    "uncovered": "未覆盖 uncovered",
    "coverage": "覆盖率 coverage",
    "status": "状态 status",
    "partners": "合作方 partners",
    "partner": "合作方 partner",
    "partner_name": "合作方名称 partner name",
    "single_partner": "单一合作方 single partner",
    "rank": "排名 rank",
    "score": "得分 score",
    "reasons_zh": "推荐理由 reasons (zh)",
    "reasons_en": "reasons (en)",
    "gain": "新增覆盖 gain",
    "before": "之前 before",
    "after": "之后 after",
    "naive": "朴素方案 naive",
    "roles_missing_zh": "缺少的角色 roles missing (zh)",
    "roles_missing_en": "roles missing (en)",
    "communities": "社区数 communities",
    "communities_uncovered": "未覆盖社区数 communities short",
}
"""Bilingual headers :func:`bilingual` puts on frame columns (other columns keep their names)."""


def bilingual(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with zh/en column headers (:data:`COLUMN_LABELS`, updated by ``labels``), for reports.

    >>> bilingual(pd.DataFrame({"community": ["c1"], "need": [2.0], "other": [1]})).columns.tolist()
    ['社区 community', '需求 need', 'other']
    """
    names = {**COLUMN_LABELS, **(labels or {})}
    return frame.rename(columns={c: names[c] for c in frame.columns if c in names})


def show_overview(G: nx.Graph, *, height: int = 720, policy: str | None = None) -> Any:
    """The district overview page (:func:`graphsvc.viz.render_overview`), inline in a notebook (``policy``: the
    policy profile, ``None`` for the graph's default).

    Put it last in a cell; returns an ``IPython.display.HTML`` object.
    """
    from graphsvc.viz import render_overview, show

    return show(render_overview(G, policy=policy), height=height)


def show_community(
    G: nx.Graph,
    community: Hashable,
    *,
    k: int = 5,
    recommender: Recommender | None = None,
    height: int = 720,
    policy: str | None = None,
) -> Any:
    """One community's page with its gaps and ``k`` suggested partners (:func:`graphsvc.viz.render_community`).

    ``recommender`` reuses a fitted weighting; ``policy`` is the policy profile of its gaps. Raises
    :class:`~graphsvc.errors.EntityNotFound` for an id that is not a community.
    """
    from graphsvc.viz import render_community, show

    model = recommender.model if recommender is not None else None
    return show(render_community(G, community, k=k, model=model, policy=policy), height=height)


CJK_FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
"""Fonts :func:`use_cjk_font` looks for, in order."""


def use_cjk_font() -> str | None:
    """Put the first installed CJK font of :data:`CJK_FONTS` first in matplotlib's sans-serif list.

    Returns its name, or ``None`` (nothing changed) if none is installed or matplotlib is missing
    (``pip install -e '.[notebooks]'``).
    """
    try:
        font_manager = importlib.import_module("matplotlib.font_manager")
        mpl = importlib.import_module("matplotlib")
    except ImportError:
        return None
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            mpl.rcParams["font.sans-serif"] = [name, *mpl.rcParams["font.sans-serif"]]
            mpl.rcParams["axes.unicode_minus"] = False
            return name
    return None
