"""The free-text matcher on its labelled set, on the cases issue 23 names, and bench/matcher.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.loaders import load_paths
from graphsvc.loaders.category_text import match_categories, matched_phrases
from graphsvc.store import SQLiteStore
from graphsvc.vocabulary import categories
from tests.loaders.matcher_set import holdout, read_labels, score

ROOT = Path(__file__).resolve().parents[2]


def test_the_labelled_set_is_what_it_says() -> None:
    rows = read_labels()
    assert len(rows) >= 200
    assert {r.language for r in rows} == {"en", "zh"}
    assert all(c in categories() for r in rows for c in r.expected)
    assert len({r.text for r in rows}) == len(rows)


def test_precision_and_recall_on_the_labelled_set() -> None:
    result = score(read_labels(), match_categories)
    assert result.precision >= 0.95, [(r.text, r.expected, got) for r, got in result.wrong]
    assert result.recall >= 0.85, [(r.text, r.expected, got) for r, got in result.wrong]
    assert result.legal_clinic_as_health == 0


def test_the_held_out_fifth_holds_too() -> None:
    result = score(holdout(read_labels()), match_categories)
    assert result.precision >= 0.95 and result.recall >= 0.85


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a legal clinic is legal aid, never health
        ("Legal Clinic", ["legal_aid"]),
        ("Veterans legal clinic", ["legal_aid"]),
        ("Health law clinic: appeals of denied Medicaid claims", ["legal_aid"]),
        ("社区法律诊所", ["legal_aid"]),
        # legal help for a group is legal aid for that group, not care
        ("Legal help for seniors", ["legal_aid"]),
        ("Free legal clinic at the senior center", ["legal_aid"]),
        ("Disability legal advocacy", ["legal_aid"]),
        ("老年人法律咨询", ["legal_aid"]),
        # child support is a legal matter
        ("Parentage and Child Support Pro Se Advice Desk", ["legal_aid"]),
        ("Child support enforcement and modification help", ["legal_aid"]),
        ("儿童抚养费纠纷法律咨询", ["legal_aid"]),
        # a group adds its category where the service is that kind of care
        ("Senior center lunch program", ["elderly_care"]),
        ("长者饭堂", ["elderly_care"]),
        ("残疾人康复", ["disability"]),
        ("Teen drop-in center", ["youth"]),
        ("Free dental clinic for children", ["health"]),
        ("老年人健康体检", ["health"]),
        ("Computer literacy classes for seniors", ["training"]),
        # weak words only when nothing else is named; topics of a dispute are not services
        ("Pediatric clinic", ["health"]),
        ("Tenant rights hotline: eviction defense and repair disputes with landlords", ["legal_aid"]),
        ("空调、冰箱、洗衣机上门维修", ["appliance_repair"]),
        ("医疗纠纷调解", ["mediation"]),
        ("邻里纠纷", ["mediation"]),
        ("Parts and accessories", []),
    ],
)
def test_context(text: str, expected: list[str]) -> None:
    assert match_categories(text) == expected


def test_a_service_is_read_as_one_text() -> None:
    # name and description together: the description's "seniors" is the clinic's audience
    assert match_categories("Legal clinic", "Free advice for seniors", None) == ["legal_aid"]
    assert match_categories("Senior Center", "Lunch and activities") == ["elderly_care"]


def test_matched_phrases_say_why() -> None:
    assert matched_phrases("Lunch for seniors") == {"elderly_care": ["seniors (lunch)"]}
    assert matched_phrases("Legal help for seniors") == {"legal_aid": ["legal"]}


def test_hsds_services_get_context_categories(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    d = tmp_path / "dir"
    d.mkdir()
    (d / "organization.csv").write_text("id,name\no1,Bay Legal Aid\no2,Harbor Seniors\n", "utf-8")
    (d / "service.csv").write_text(
        "id,organization_id,name,description\n"
        "s1,o1,Legal Clinic,Free legal help for seniors and people with disabilities\n"
        "s2,o1,Parentage and Child Support Pro Se Advice Desk,\n"
        "s3,o2,Senior Center Lunch,Hot lunch for older adults\n",
        "utf-8",
    )
    load_paths(sqlite_store, [d])
    got = {(o.partner, o.category, o.capacity) for o in sqlite_store.list_offers()}
    assert got == {("o1", "legal_aid", 2.0), ("o2", "elderly_care", 1.0)}
