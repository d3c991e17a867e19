"""The fair's printable sheet (one A4 section per street) and its CSV: what a hub hands out at a subscription fair.

The sheet is one self-contained HTML document: no script, no font, no image, nothing fetched (a
Content-Security-Policy allows only its own inline style), so it opens offline and prints as it looks;
``@page`` sets A4 portrait and every street starts a new page. Every text goes through Jinja's autoescaping.
The CSV has one row per project, matched or not, with the same words (UTF-8 with a byte-order mark, so that
Excel opens the Chinese as it is).

>>> from graphsvc.analysis.fair.match import FairResult
>>> empty = FairResult(street=None, solver="milp", projects=0, need_covered=0, need_offered=0,
...                    matches=[], unmatched=[], sponsors=[])
>>> "@page" in fair_sheet_html(empty), fair_csv(empty).splitlines()[0][:21]
(True, '\\ufeffstreet,project,title')
"""

from __future__ import annotations

import csv
import io
from typing import Any

from jinja2 import Environment

from graphsvc.analysis.fair.match import FairMatch, FairResult, FairUnmatched
from graphsvc.labels import street_label

CSV_COLUMNS = [
    "street",
    "project",
    "title",
    "community",
    "community_name",
    "status",
    "sponsor",
    "sponsor_name",
    "cost",
    "need_closed",
    "probability",
    "expected",
    "reason",
    "why_zh",
    "why_en",
]
"""The columns of :func:`fair_csv`: ``status`` is ``matched`` or ``unmatched``; ``why_*`` are a match's reasons
(joined with ``；``/``; ``) or an unmatched project's reason."""

_SHEET = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ title }}</title>
<style>
@page { size: A4 portrait; margin: 12mm 11mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 9.5pt;
       color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 0 0 2mm; border-bottom: 1.5pt solid #1f4e79; padding-bottom: 1mm; color: #1f4e79; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
p.meta { margin: 0 0 3mm; color: #444; }
section.street { break-before: page; page-break-before: always; }
section.street:first-of-type { break-before: auto; page-break-before: auto; }
table { width: 100%; border-collapse: collapse; margin-bottom: 2mm; }
th, td { border: 0.6pt solid #999; padding: 1.2mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #e8eef5; font-weight: 600; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
td small, th small { color: #555; display: block; }
ul { margin: 0; padding-left: 4mm; }
.summary td { border: none; padding: 0.5mm 2mm 0.5mm 0; }
.sign { margin-top: 5mm; color: #444; }
@media screen { body { padding: 10mm; } section.street { border-top: 1px dashed #bbb; padding-top: 6mm;
  margin-top: 8mm; } }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">{{ meta }}</p>
{% for s in streets %}
<section class="street">
<h2>{{ s.name }}</h2>
<table class="summary"><tr>
<td>项目 projects: {{ s.projects }}</td><td>认购 matched: {{ s.matches|length }}</td>
<td>未认购 unmatched: {{ s.unmatched|length }}</td>
<td>预期覆盖需求 expected need covered: {{ s.expected }}</td></tr></table>
{% if s.matches %}
<h3>认购结果 Matches</h3>
<table>
<thead><tr><th style="width:26%">项目 project</th><th style="width:19%">认购方 sponsor</th>
<th style="width:10%">金额 yuan</th><th style="width:9%">可能性 likely</th><th>理由 reasons</th></tr></thead>
<tbody>
{% for m in s.matches %}
<tr><td>{{ m.title }}<small>{{ m.project }} · {{ m.community_name or m.community }}</small></td>
<td>{{ m.sponsor_name or m.sponsor }}<small>{{ m.sponsor }}</small></td>
<td class="num">{{ m.cost }}</td><td class="num">{{ m.likely }}</td>
<td><ul>{% for r in m.reasons %}<li>{{ r.text_zh }}<small>{{ r.text_en }}</small></li>{% endfor %}</ul></td></tr>
{% endfor %}
</tbody></table>
{% endif %}
{% if s.unmatched %}
<h3>未认购项目及原因 Projects left without a sponsor, and why</h3>
<table>
<thead><tr><th style="width:30%">项目 project</th><th style="width:12%">预算 yuan</th><th>原因 why</th></tr></thead>
<tbody>
{% for u in s.unmatched %}
<tr><td>{{ u.title }}<small>{{ u.project }} · {{ u.community_name or u.community }}</small></td>
<td class="num">{{ u.cost }}</td><td>{{ u.text_zh }}<small>{{ u.text_en }}</small></td></tr>
{% endfor %}
</tbody></table>
{% endif %}
<p class="sign">枢纽组织签字 Hub: ____________　　日期 Date: ____________</p>
</section>
{% endfor %}
</body>
</html>
"""


def _yuan(amount: float) -> str:
    return f"¥{amount:,.0f}"


def _street_name(street: str | None) -> str:
    return f"街道 street: {street_label(street)}" if street else "无街道 no street"


def _match_view(m: FairMatch) -> dict[str, Any]:
    return {**m.model_dump(), "cost": _yuan(m.cost), "likely": f"{m.probability:.0%}"}


def _unmatched_view(u: FairUnmatched) -> dict[str, Any]:
    return {**u.model_dump(), "cost": _yuan(u.cost)}


def fair_sheet_html(result: FairResult, *, title: str | None = None) -> str:
    """The fair as one printable HTML document: a section per street (matches with reasons, unmatched projects
    with why), A4 pages, nothing fetched."""
    streets = []
    for street in result.streets():
        matches = [m for m in result.matches if m.street == street]
        unmatched = [u for u in result.unmatched if u.street == street]
        streets.append(
            {
                "name": _street_name(street),
                "projects": len(matches) + len(unmatched),
                "matches": [_match_view(m) for m in matches],
                "unmatched": [_unmatched_view(u) for u in unmatched],
                "expected": f"{sum(m.expected for m in matches):.1f}",
            }
        )
    solver = {"milp": "精确求解 exact (MILP)", "greedy": "贪心 greedy", "first_come": "先到先得 first come"}
    meta = (
        f"项目 {result.projects} 个 projects · 认购 {len(result.matches)} matched · "
        f"预期覆盖需求 expected need covered {result.need_covered:.1f} / {result.need_offered:.1f} · "
        f"{solver.get(result.solver, result.solver)}"
    )
    where = f" · {street_label(result.street)}" if result.street else ""
    heading = title or f"公益项目认购会 Project subscription fair{where}"
    env = Environment(autoescape=True)
    return env.from_string(_SHEET).render(title=heading, meta=meta, streets=streets)


def fair_rows(result: FairResult) -> list[dict[str, Any]]:
    """One row per project of the fair (:data:`CSV_COLUMNS`), matched first, each part by street and project."""
    rows: list[dict[str, Any]] = []
    for m in result.matches:
        rows.append(
            {
                "street": m.street,
                "project": m.project,
                "title": m.title,
                "community": m.community,
                "community_name": m.community_name,
                "status": "matched",
                "sponsor": m.sponsor,
                "sponsor_name": m.sponsor_name,
                "cost": m.cost,
                "need_closed": m.need_closed,
                "probability": m.probability,
                "expected": m.expected,
                "reason": ";".join(r.code for r in m.reasons),
                "why_zh": "；".join(r.text_zh for r in m.reasons),
                "why_en": "; ".join(r.text_en for r in m.reasons),
            }
        )
    for u in result.unmatched:
        rows.append(
            {
                "street": u.street,
                "project": u.project,
                "title": u.title,
                "community": u.community,
                "community_name": u.community_name,
                "status": "unmatched",
                "sponsor": None,
                "sponsor_name": None,
                "cost": u.cost,
                "need_closed": u.need_closed,
                "probability": None,
                "expected": 0.0,
                "reason": u.reason,
                "why_zh": u.text_zh,
                "why_en": u.text_en,
            }
        )
    return sorted(rows, key=lambda r: (r["status"] != "matched", r["street"] or "\uffff", r["project"]))


def fair_csv(result: FairResult) -> str:
    """The fair as CSV text (:data:`CSV_COLUMNS`), with a byte-order mark for Excel."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in fair_rows(result):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return "\ufeff" + out.getvalue()
