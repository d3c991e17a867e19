"""The fair's sheet: escaped, offline, one A4 section per street; its CSV has one row per project."""

from __future__ import annotations

import csv
import io

from graphsvc.analysis.fair.match import FairResult, FairSponsor, fair
from graphsvc.analysis.linkmodel.model_selection import prior_model
from graphsvc.graph import build_graph
from graphsvc.model import Dataset, Entity, Need, Offer, Project
from graphsvc.viz.fair_sheet import CSV_COLUMNS, fair_csv, fair_sheet_html


def result() -> FairResult:
    ds = Dataset(
        entities=[
            Entity(id="c1", kind="community", name="<script>alert(1)</script>", street="拱北"),
            Entity(id="c2", kind="community", name="吉大一社区", street="吉大"),
            Entity(id="e1", kind="enterprise", name="企业"),
        ],
        needs=[Need(community="c1", category="youth", weight=2), Need(community="c2", category="youth", weight=2)],
        offers=[Offer(partner="e1", category="funding", capacity=3)],
        projects=[
            Project(id="p1", community="c1", title="课堂 & <b>", covers={"youth": 2}, budget=500),
            Project(id="p2", community="c2", title="课堂二", covers={"youth": 2}, budget=900),
        ],
    )
    return fair(build_graph(ds), model=prior_model(True), sponsors=[FairSponsor(partner="e1", budget=600)])


def test_the_sheet_is_escaped_offline_and_has_a_page_per_street() -> None:
    page = fair_sheet_html(result())
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "课堂 &amp; &lt;b&gt;" in page
    assert "default-src 'none'" in page and "@page { size: A4 portrait" in page
    assert page.count('<section class="street">') == 2
    assert page.index("street: 吉大") < page.index("street: 拱北")  # streets in order
    assert "未认购项目及原因" in page  # p2 costs more than the sponsor's whole budget


def test_the_csv_has_a_row_per_project_with_its_words() -> None:
    text = fair_csv(result())
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["project"], r["status"]) for r in rows] == [("p1", "matched"), ("p2", "unmatched")]
    assert rows[1]["reason"] == "too_costly" and rows[1]["why_zh"]
