"""How pages look: one colour and shape per kind, gap levels for communities, node sizes, the legend.

Colour is never the only cue: every kind also has its own shape, and the legend
names each one in Chinese and English.

>>> gap_level(0.6).code, gap_level(None).code
('high', 'unknown')
>>> KIND_STYLES["enterprise"].shape
'square'
>>> partner_size(0) < partner_size(4) < partner_size(16)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from graphsvc.vocabulary import EntityKind, Subtype


@dataclass(frozen=True)
class KindStyle:
    """How nodes of one kind (or a hub) are drawn, with the legend's labels."""

    code: str
    zh: str
    en: str
    color: str
    shape: str
    symbol: str  # the legend's glyph for ``shape``


KIND_STYLES: dict[str, KindStyle] = {
    kind.value: KindStyle(kind.value, kind.zh, kind.en, color, shape, symbol)
    for kind, color, shape, symbol in [
        (EntityKind.COMMUNITY, "#8fa3b8", "dot", "●"),
        (EntityKind.ORGANIZATION, "#4e79a7", "diamond", "◆"),
        (EntityKind.ENTERPRISE, "#b07aa1", "square", "■"),
        (EntityKind.SCHOOL, "#59a89c", "triangle", "▲"),
        (EntityKind.MEDIA, "#9c755f", "triangleDown", "▼"),
    ]
}
"""Style per entity kind; communities take their fill from their gap level instead."""

HUB_STYLE = KindStyle("hub", "枢纽组织", "hub organization", "#1d3557", "star", "★")
"""District and street hubs (organizations whose subtype is a hub)."""

STREET_STYLE = KindStyle("street", "街道（汇总）", "street (summary)", "#e9edc9", "box", "▭")
"""A street drawn as one node when the full district would be unreadable."""

HUB_SUBTYPE_CODES = frozenset({Subtype.DISTRICT_HUB.value, Subtype.STREET_HUB.value})

FOCUS_BORDER = "#e63946"
LINK_COLOR = "#9aa5b1"
SUGGESTED_COLOR = "#e76f51"


@dataclass(frozen=True)
class GapLevel:
    """A band of a community's uncovered need share (uncovered / need)."""

    code: str
    zh: str
    en: str
    color: str
    upper: float  # shares below this fall in the band


GAP_LEVELS: tuple[GapLevel, ...] = (
    GapLevel("low", "缺口小（<25%）", "small gap (<25%)", "#74c476", 0.25),
    GapLevel("medium", "缺口中（25–50%）", "medium gap (25–50%)", "#fdd049", 0.5),
    GapLevel("high", "缺口大（50–75%）", "large gap (50–75%)", "#fd8d3c", 0.75),
    GapLevel("severe", "缺口严重（≥75%）", "severe gap (≥75%)", "#d62728", math.inf),
)
UNKNOWN_GAP = GapLevel("unknown", "缺口未知", "gap not computed", "#d9d9d9", math.nan)
NO_NEEDS_GAP = GapLevel("no_needs", "未记录需求", "no needs recorded", "#b0b7bf", math.nan)
"""A community with no need recorded: a neutral grey, never the green of a small gap."""


def gap_level(share: float | None) -> GapLevel:
    """The band of an uncovered need share in ``[0, 1]``; ``UNKNOWN_GAP`` for ``None`` (not computed),
    ``NO_NEEDS_GAP`` for NaN (no need recorded: :func:`graphsvc.viz.panels.shares_of` gives NaN then).

    >>> gap_level(0.1).code, gap_level(None).code, gap_level(math.nan).code
    ('low', 'unknown', 'no_needs')
    """
    if share is None:
        return UNKNOWN_GAP
    if math.isnan(share):
        return NO_NEEDS_GAP
    return next(level for level in GAP_LEVELS if share < level.upper)


def partner_size(communities_served: int) -> int:
    """Node size of a partner: grows with the square root of the communities it serves."""
    return round(10 + 5 * math.sqrt(max(0, communities_served)))


COMMUNITY_SIZE = 14
HUB_SIZE = 26


def kind_style(kind: str | None, subtype: str | None) -> KindStyle:
    """The style of a node of this kind and subtype (hubs have their own)."""
    if subtype in HUB_SUBTYPE_CODES:
        return HUB_STYLE
    return KIND_STYLES.get(kind or "", KIND_STYLES[EntityKind.ORGANIZATION.value])
