"""Input an adversary would send: look-alike ids, late Western code pages, huge numbers, oversized values.

Each refused case goes through :func:`tests.loaders.test_bad_input.check_refused` on both stores, holding the
tiny district: a load names the problem's file, line and field, the CLI exits 2, ``POST /imports`` answers a
4xx problem, and the store is unchanged.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook

from graphsvc.errors import ValidationFailed
from graphsvc.loaders import load_paths
from graphsvc.model import Dataset, Link
from graphsvc.settings import Settings
from graphsvc.store import GraphStore
from tests.loaders.test_bad_input import (
    ENTITY_HEAD,
    GOOD_BOOK,
    Case,
    check_refused,
    cli_exit_code,
    csv,
    rezip,
    workbook,
)

NFD_CAFE = unicodedata.normalize("NFD", "café")

ASCII_ROWS = ENTITY_HEAD + "".join(f"a{i},community,name {i},\n" for i in range(3000))
GBK_ROWS = ENTITY_HEAD + "".join(f"g{i},community,拱北第{i}社区王堃,\n" for i in range(3000))

HUGE = b"7" * 5000


def hidden_sheet_book() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "entities"
    sheet.append(["id", "kind", "name"])
    sheet.append(["c9", "community", "看得见的社区"])
    hidden = book.create_sheet("links")
    hidden.append(["source", "target", "kind"])
    hidden.append(["e1", "c9", "funding"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def late_dtd(name: str, content: bytes) -> bytes:
    """A sheet whose DTD comes after a long comment: valid XML, past the first 4,096 bytes."""
    if name != "xl/worksheets/sheet1.xml":
        return content
    body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
    dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    return b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + dtd + body


CASES: dict[str, Case] = {
    # Ids: invisible format characters (Unicode category Cf) are refused like control characters.
    "zero-width space after an id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "c1\u200b,community,x,\n")}, ("entities.csv", 2, "id"), "U+200B"
    ),
    "zero-width joiner inside an id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "c\u200d1,community,x,\n")}, ("entities.csv", 2, "id"), "U+200D"
    ),
    "byte-order mark inside an id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "z\ufeff1,community,x,\n")}, ("entities.csv", 2, "id"), "U+FEFF"
    ),
    "bidi override before an id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "\u202ez1,community,x,\n")}, ("entities.csv", 2, "id"), "U+202E"
    ),
    "format character in a JSON link's target": Case(
        {"d.json": json.dumps({"links": [{"source": "e1", "target": "c1\u2060", "kind": "funding"}]}).encode()},
        ("d.json", 1, "target"),
        "U+2060",
    ),
    # Ids that differ only by case or width from one in the store, or one earlier in the load.
    "upper case of a stored id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "C1,community,x,\n")}, ("entities.csv", 2, "id"), "'c1' (in the store)"
    ),
    "full width of a stored id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "ｃ１,community,x,\n")}, ("entities.csv", 2, "id"), "only by case or width"
    ),
    "case twins in one load": Case(
        {"entities.csv": csv(ENTITY_HEAD + "z1,community,x,\nZ1,community,y,\n")},
        ("entities.csv", 3, "id"),
        "'z1' (earlier in this load)",
    ),
    "composed and decomposed forms are one id": Case(
        {"entities.csv": csv(ENTITY_HEAD + "café,community,x,\n" + NFD_CAFE + ",community,y,\n")},
        ("entities.csv", 3, "id"),
        "duplicate of",
    ),
    # Encoding: decided on every non-ASCII byte of the file, not a prefix.
    "Latin-1 after 3,000 ASCII rows": Case(
        {"entities.csv": ASCII_ROWS.encode() + "la-x,community,Renée,\n".encode("latin-1")},
        ("entities.csv", 3002, None),
        "reads as another encoding",
    ),
    "Latin-1 after 3,000 GBK rows": Case(
        {"entities.csv": GBK_ROWS.encode("gb18030") + "la-x,community,Renée,\n".encode("latin-1")},
        ("entities.csv", 3002, None),
        "reads as another encoding",
    ),
    # Numbers: refused within the documented limits, before Python's own (4,300 digits) can raise.
    "JSON capacity of 5,000 digits": Case(
        {"d.json": b'{"entities": [{"id": "e9", "kind": "enterprise", "name": "x", "capacity": ' + HUGE + b"}]}"},
        ("d.json", 1, "capacity"),
        "numbers may have at most 100",
    ),
    "JSON extra column of 5,000 digits": Case(
        {"d.json": b'{"entities": [{"id": "e9", "kind": "enterprise", "name": "x", "phone": ' + HUGE + b"}]}"},
        ("d.json", 1, "phone"),
        "numbers may have at most 100",
    ),
    "JSON attribute of 5,000 digits": Case(
        {
            "d.json": b'{"entities": [{"id": "e9", "kind": "enterprise", "name": "x", "attributes": {"n": -'
            + HUGE
            + b"}}]}"
        },
        ("d.json", 1, "attributes.n"),
        "numbers may have at most 100",
    ),
    "JSON weight written with 5,000 digits and a point": Case(
        {"d.json": b'{"needs": [{"community": "c1", "category": "funding", "weight": ' + HUGE + b".5}]}"},
        ("d.json", 1, "weight"),
        "numbers may have at most 100",
    ),
    "CSV capacity of 5,000 digits": Case(
        {"entities.csv": csv(ENTITY_HEAD + "e9,enterprise,x," + HUGE.decode() + "\n")},
        ("entities.csv", 2, "capacity"),
        "integer",
    ),
    "CSV weight of 5,000 digits": Case(
        {"needs.csv": csv("community,category,weight\nc1,funding," + HUGE.decode() + "\n")},
        ("needs.csv", 2, "weight"),
        "finite",
    ),
    "JSON capacity true": Case(
        {"d.json": b'{"entities": [{"id": "e9", "kind": "enterprise", "name": "x", "capacity": true}]}'},
        ("d.json", 1, "capacity"),
        "not true",
    ),
    "JSON offer capacity false": Case(
        {"d.json": b'{"offers": [{"partner": "e1", "category": "funding", "capacity": false}]}'},
        ("d.json", 1, "capacity"),
        "not false",
    ),
    # Sizes: every size a file controls has a limit (small ones set here; the defaults in the README).
    "a cell over the limit": Case(
        {"entities.csv": csv(ENTITY_HEAD.replace("\n", ",street\n") + "c9,community,x,," + "街" * 101 + "\n")},
        ("entities.csv", 2, "street"),
        "a cell may hold at most 100",
        env={"GRAPHSVC_MAX_CELL_CHARS": "100"},
    ),
    "an extra column over the limit": Case(
        {"entities.csv": csv("id,kind,name,note\nc9,community,x," + "n" * 101 + "\n")},
        ("entities.csv", 2, "note"),
        "each may hold at most 100",
        env={"GRAPHSVC_MAX_ATTRIBUTE_CHARS": "100"},
    ),
    "a JSON note of 30,000 characters (default limit)": Case(
        {
            "d.json": json.dumps(
                {"entities": [{"id": "c9", "kind": "community", "name": "x", "note": "n" * 30_000}]}
            ).encode()
        },
        ("d.json", 1, "note"),
        "each may hold at most 10000",
    ),
    "an attributes object's value over the limit": Case(
        {
            "d.json": json.dumps(
                {"entities": [{"id": "c9", "kind": "community", "name": "x", "attributes": {"n": "x" * 101}}]}
            ).encode()
        },
        ("d.json", 1, "attributes.n"),
        "each may hold at most 100",
        env={"GRAPHSVC_MAX_ATTRIBUTE_CHARS": "100"},
    ),
    "a record over the limit": Case(
        {"links.csv": csv("source,target,kind,project\ne1,c2,training," + "p" * 400 + "\n")},
        ("links.csv", 2, None),
        "a record may hold at most 300",
        env={"GRAPHSVC_MAX_RECORD_CHARS": "300", "GRAPHSVC_MAX_CELL_CHARS": "1000"},
    ),
    "an entity's extra attributes over the limit": Case(
        {"entities.csv": csv("id,kind,name,a,b,c,d\nc9,community,x" + ("," + "v" * 90) * 4 + "\n")},
        ("entities.csv", 2, "attributes"),
        "an entity's may hold at most 300",
        env={"GRAPHSVC_MAX_ENTITY_ATTRIBUTE_CHARS": "300"},
    ),
    "the store's extra attributes over the limit": Case(
        {"entities.csv": csv("id,kind,name,note\nc8,community,x,short\nc9,community,y," + "n" * 60 + "\n")},
        ("entities.csv", 3, "attributes"),
        "more than 100 characters of extra attributes",
        env={"GRAPHSVC_MAX_STORE_ATTRIBUTE_CHARS": "100"},
    ),
    # Workbooks: a hidden sheet's rows, and a DTD declared past the first bytes of a part.
    "rows on a hidden sheet": Case({"d.xlsx": hidden_sheet_book()}, ("d.xlsx", None, None), "is hidden"),
    "a DTD after 5,000 bytes of comment": Case(
        {"d.xlsx": rezip(workbook(GOOD_BOOK), late_dtd)}, ("d.xlsx", None, None), "declares a DTD"
    ),
    # A link is its pair and kind, whichever way it is written.
    "a link and its reverse in one load": Case(
        {"links.csv": csv("source,target,kind\ne1,c1,training\nc1,e1,training\n")},
        ("links.csv", 3, "kind"),
        "duplicate of",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_refused(name: str, store: GraphStore, tiny: Dataset, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    store.upsert(tiny)
    check_refused(CASES[name], store, tmp_path, request)


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_ids_are_kept_composed(store: GraphStore, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "in",
        {
            "entities.csv": ENTITY_HEAD + f"{NFD_CAFE},community,咖啡社区,\ne1,enterprise,企业,\n",
            "links.csv": "source,target,kind\ne1,café,funding\n",
        },
    )
    load_paths(store, [folder], settings=Settings(store=store.uri))
    assert store.entity_ids() and sorted(store.entity_ids()) == ["café", "e1"]
    assert store.get_entity("café").name == "咖啡社区"
    (link,) = store.list_links()
    assert link.target == "café"
    # Referencing the decomposed form again finds the same entity.
    write(tmp_path / "more", {"needs.csv": f"community,category,weight\n{NFD_CAFE},elderly_care,2\n"})
    load_paths(store, [tmp_path / "more"], settings=Settings(store=store.uri))
    assert [n.community for n in store.list_needs()] == ["café"]


def test_lookalike_ids_allowed_by_the_setting(store: GraphStore, tiny: Dataset, tmp_path: Path) -> None:
    store.upsert(tiny)
    folder = write(tmp_path / "in", {"entities.csv": ENTITY_HEAD + "C1,community,x,\nｃ１,community,y,\n"})
    load_paths(store, [folder], settings=Settings(store=store.uri, allow_lookalike_ids=True))
    assert {"c1", "C1", "ｃ１"} <= set(store.entity_ids())


def test_reloading_a_stored_id_is_no_lookalike(store: GraphStore, tiny: Dataset, tmp_path: Path) -> None:
    store.upsert(tiny)
    folder = write(tmp_path / "in", {"entities.csv": ENTITY_HEAD + "c1,community,改名,\nc2,community,改名2,\n"})
    load_paths(store, [folder], settings=Settings(store=store.uri))
    assert store.get_entity("c1").name == "改名"


def test_gbk_with_rare_characters_still_loads(sqlite_store: GraphStore, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    rows = GBK_ROWS + "r1,community,张喆,\nr2,organization,王𠮷,\nr3,community,Renée Müller,\n"
    (folder / "entities.csv").write_bytes(rows.encode("gb18030"))
    load_paths(sqlite_store, [folder], settings=Settings(store=sqlite_store.uri))
    assert [sqlite_store.get_entity(i).name for i in ("g7", "r1", "r2", "r3")] == [
        "拱北第7社区王堃",
        "张喆",
        "王𠮷",
        "Renée Müller",
    ]


def test_minus_zero_is_zero(store: GraphStore, tiny: Dataset, tmp_path: Path) -> None:
    """``-0`` is zero, not a negative number: accepted, and kept as ``0`` (never ``-0.0``)."""
    store.upsert(tiny)
    doc = {
        "needs": [{"community": "c1", "category": "funding", "weight": -0.0}],
        "offers": [{"partner": "e1", "category": "legal_aid", "capacity": -0}],
        "links": [{"source": "e1", "target": "c2", "kind": "training", "weight": -0.0}],
    }
    (tmp_path / "d.json").write_text(json.dumps(doc))
    (tmp_path / "entities.csv").write_text(ENTITY_HEAD + "e9,enterprise,x,-0\n")
    load_paths(store, [tmp_path / "d.json", tmp_path / "entities.csv"], settings=Settings(store=store.uri))
    values = [
        next(n.weight for n in store.list_needs("c1") if n.category == "funding"),
        next(o.capacity for o in store.list_offers("e1") if o.category == "legal_aid"),
        next(link.weight for link in store.list_links("e1") if link.kind.value == "training"),
        store.get_entity("e9").capacity,
    ]
    assert values == [0, 0, 0, 0]
    assert [math.copysign(1, v or 0.0) for v in values] == [1, 1, 1, 1]


def test_store_limit_counts_what_a_load_replaces(store: GraphStore, tiny: Dataset, tmp_path: Path) -> None:
    """A load that replaces an entity's attributes is measured after the replacement, not on top of it."""
    store.upsert(tiny)
    at_limit = store.attribute_chars()
    assert at_limit == 4 * len("{}") + len('{"contact": "王"}')
    settings = Settings(store=store.uri, max_store_attribute_chars=at_limit)
    write(tmp_path / "in", {"entities.csv": "id,kind,name,contact\ne1,enterprise,爱心企业一,李\n"})
    load_paths(store, [tmp_path / "in"], settings=settings)
    assert store.get_entity("e1").attributes == {"contact": "李"}
    assert store.attribute_chars(["e1", "c1"]) == len('{"contact": "李"}') + 2


def test_a_link_out_of_a_load_directory_is_refused(
    store: GraphStore, tiny: Dataset, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    store.upsert(tiny)
    secret = tmp_path / "elsewhere" / "entities.csv"
    secret.parent.mkdir()
    secret.write_text(ENTITY_HEAD + "x1,community,不该读的,\n", encoding="utf-8")
    folder = write(tmp_path / "in", {"needs.csv": "community,category,weight\nc2,funding,1\n"})
    (folder / "entities.csv").symlink_to(secret)
    (folder / "links.csv").symlink_to(folder / "needs.csv")  # a link inside the directory is its own file
    before = store.counts()
    with pytest.raises(ValidationFailed) as info:
        load_paths(store, [folder], settings=Settings(store=store.uri))
    problems = [(Path(p.file).name, p.reason) for p in info.value.problems]
    assert [name for name, reason in problems if "outside the directory" in reason] == ["entities.csv"]
    assert store.counts() == before
    env = {}
    if store.uri.startswith("bolt:"):
        env["GRAPHSVC_NEO4J_PASSWORD"] = request.getfixturevalue("neo4j_server").password
    assert cli_exit_code(["load", str(folder), "--store", store.uri], env) == 2
    assert "x1" not in store.entity_ids()


def test_a_link_written_the_other_way_is_the_same_link(store: GraphStore, tiny: Dataset, tmp_path: Path) -> None:
    store.upsert(tiny)  # holds e1 -> c2 volunteering
    write(tmp_path / "in", {"links.csv": "source,target,kind,weight\nc2,e1,volunteering,5\n"})
    load_paths(store, [tmp_path / "in"], settings=Settings(store=store.uri))
    assert store.counts().links == len(tiny.links)
    (link,) = [x for x in store.list_links("c2") if x.kind.value == "volunteering"]
    assert (link.source, link.target, link.weight) == ("e1", "c2", 5)  # the first direction, the new values
    assert store.snapshot().number_of_edges() == 3

    both = [
        Link(source="hub", target="c2", kind="training"),
        Link(source="c2", target="hub", kind="training", weight=2),
    ]
    store.upsert(Dataset(links=both))
    (training,) = [x for x in store.list_links("hub") if x.kind.value == "training"]
    assert (training.source, training.target, training.weight) == ("hub", "c2", 2)

    assert store.delete_link("c2", "e1", "volunteering")  # either direction names it
    assert not [x for x in store.list_links("c2") if x.kind.value == "volunteering"]
