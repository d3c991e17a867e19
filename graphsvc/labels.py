"""How values are shown to people: rounded numbers, percentages and bilingual (zh/en) labels.

One place for the wording that the command line, the pages and the notebooks
share. Programs get full precision (``--json``, the API); people get numbers
rounded to what they can read, and every code with its Chinese and English
label.

>>> num(23.722222), num(628.31573), num(3.0), num(0.8333), num(14.7143), num(6.29)
('23.7', '628', '3', '0.83', '14.7', '6.3')
>>> pct(0.4567), yes_no(True)
('46%', '是 yes')
>>> kind_label("organization", "street_hub")
'社会组织 social organization · 街道枢纽组织 street hub'
>>> category_label("elderly_care"), street_label("拱北")
('养老服务 elderly care', '拱北 Gongbei')
"""

from __future__ import annotations

import math
from functools import cache

from graphsvc.vocabulary import EntityKind, LinkKind, Subtype, categories

__all__ = [
    "ADD_NEEDS",
    "NO_NEEDS",
    "category_label",
    "kind_label",
    "likely",
    "link_label",
    "named",
    "num",
    "pct",
    "signed",
    "street_en",
    "street_label",
    "subtype_label",
    "yes_no",
]


NO_NEEDS = "未记录需求 no needs recorded"
"""What a community, street or district with no need recorded shows instead of a coverage (never 100%)."""
ADD_NEEDS = (
    "添加需求：需求表 needs.csv（community,category,weight）用 graphsvc load 载入 / "
    "add needs as a needs table (needs.csv: community,category,weight) and load it with graphsvc load"
)
"""How to add needs, shown beside :data:`NO_NEEDS`."""


def num(x: float | int | None) -> str:
    """A number as people read it: whole numbers as they are; otherwise 2 decimals below 1, 1 below 100,
    none from 100 on, trailing zeros dropped; ``—`` for none.

    >>> num(2), num(2.0), num(0.125), num(9.31), num(-12.349), num(1234.5), num(0.004), num(None)
    ('2', '2', '0.12', '9.3', '-12.3', '1234', '0.004', '—')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, bool):
        return yes_no(x)
    if isinstance(x, int) or math.isinf(x):
        return str(x)
    if x == int(x):
        return str(int(x))
    size = abs(x)
    if size < 0.01:
        return f"{x:.1g}"
    digits = 2 if size < 1 else 1 if size < 100 else 0
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(share: float | None) -> str:
    """A share in [0, 1] as a whole percentage (``0.456`` -> ``46%``); ``—`` for none."""
    if share is None or math.isnan(share):
        return "—"
    return f"{100 * share:.0f}%"


def signed(x: float) -> str:
    """A contribution to a score, rounded as :func:`num` rounds, with its sign; ``""`` for none (a term that
    adds nothing shows no number, never ``+0.00``).

    >>> signed(0.974), signed(-1.506), signed(0.0037), signed(0.0)
    ('+0.97', '-1.5', '+0.004', '')
    """
    if not x:
        return ""
    return ("+" if x > 0 else "-") + num(abs(x))


def likely(probability: float) -> str:
    """A probability as a planner reads it: a whole percentage, ``<1%`` when it would round to 0.

    >>> likely(0.386592), likely(0.0037), likely(0.0)
    ('39%', '<1%', '0%')
    """
    if 0 < probability < 0.005:
        return "<1%"
    return pct(probability)


def yes_no(flag: bool | None) -> str:
    """``是 yes``, ``否 no``, or ``—`` for unknown."""
    if flag is None:
        return "—"
    return "是 yes" if flag else "否 no"


def category_label(code: str) -> str:
    """``养老服务 elderly care`` for ``elderly_care``; an unknown code as it is."""
    cat = categories().get(code)
    return cat.label if cat else code


def link_label(code: str) -> str:
    """``资金支持 funding`` for ``funding``; an unknown code as it is."""
    try:
        return LinkKind(code).label
    except ValueError:
        return code


def subtype_label(code: str | None) -> str:
    """``街道枢纽组织 street hub`` for ``street_hub``; ``""`` for none; an unknown code as it is."""
    if not code:
        return ""
    try:
        return Subtype(code).label
    except ValueError:
        return code


def kind_label(kind: str | None, subtype: str | None = None) -> str:
    """An entity's kind in both languages, with its subtype if it has one (and it says more).

    >>> kind_label("organization", "social_organization"), kind_label("enterprise")
    ('社会组织 social organization', '爱心企业 caring enterprise')
    """
    try:
        text = EntityKind(kind).label if kind else ""
    except ValueError:
        text = str(kind)
    sub = subtype_label(subtype)
    if not sub or sub == text:
        return text
    return f"{text} · {sub}" if text else sub


@cache
def _streets_en() -> dict[str, str]:
    from graphsvc.sample import STREETS  # the case's streets; imported on first use, it pulls in the model

    return {zh: en for zh, en, _, _ in STREETS}


def street_en(street: str | None) -> str | None:
    """The street's name in English where the case names it (``拱北`` -> ``Gongbei``), else the name itself.

    Chart labels in English avoid missing-glyph boxes where no CJK font is installed.

    >>> street_en("拱北"), street_en("拱北2"), street_en("Elm Street")
    ('Gongbei', 'Gongbei 2', 'Elm Street')
    """
    if street is None:
        return None
    known = _streets_en()
    if street in known:
        return known[street]
    base, number = street.rstrip("0123456789"), street[len(street.rstrip("0123456789")) :]
    if number and base in known:
        return f"{known[base]} {number}"
    return street


def street_label(street: str | None) -> str:
    """A street in both languages where they differ (``拱北 Gongbei``), else its name; ``—`` for none."""
    if not street:
        return "—"
    en = street_en(street)
    return f"{street} {en}" if en and en != street else street


def named(name: object, node: object) -> str:
    """A name beside its id, ``拱北星辰 (org-00003)``; the id alone when the name is missing or the id itself."""
    text = str(name) if name not in (None, "") else ""
    return f"{text} ({node})" if text and text != str(node) else str(node)
