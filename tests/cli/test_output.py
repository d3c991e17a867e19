"""What the command line prints for people: never cut, rounded, named, bilingual, safe with any data.

Every command runs in-process through ``graphsvc.cli.main`` (``tests/cli/console.py``: the console script's
entry point, so errors are reported as a user sees them) at several terminal widths and off a terminal.
``TTY_COMPATIBLE=1`` makes Rich treat the captured output as a terminal.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from graphsvc.analysis.core.results import LONG_SHOT, CommunityRecommendations, Reason, Recommendation
from graphsvc.cli.app import console, err_console
from graphsvc.cli.recommendations import PartnerBlocks
from graphsvc.labels import num
from graphsvc.model import Dataset, Entity, Need, Offer
from graphsvc.store import SQLiteStore
from tests.cli.console import graphsvc

runner = CliRunner()
WIDTHS = ("40", "80", "120", "200")


def terminal(width: str) -> dict[str, str]:
    return {"TTY_COMPATIBLE": "1", "COLUMNS": width, "NO_COLOR": "1"}


OFF_TTY = {"TTY_COMPATIBLE": "0", "COLUMNS": "80"}
STYLE = re.compile(r"\x1b\[[0-9;]*m")
"""A style's escape code (a terminal shows table headers bold): it takes no room on the screen."""


@pytest.fixture(scope="module")
def sample_store_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample district in a store of its own; its URI."""
    db = tmp_path_factory.mktemp("output") / "g.db"
    uri = f"sqlite:///{db}"
    assert graphsvc("demo", "--communities", "26", env={"GRAPHSVC_STORE": uri}).code == 0
    return uri


COMMANDS = [
    ("recommend", "com-00001", "-k", "3"),
    ("gaps", "com-00001"),
    ("gaps", "--street", "拱北"),
    ("gaps",),
    ("plan",),
    ("stats",),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_nothing_is_cut_at_any_width(sample_store_uri: str, command: tuple[str, ...], width: str) -> None:
    done = graphsvc(*command, env={**terminal(width), "GRAPHSVC_STORE": sample_store_uri})
    assert done.code == 0, done.err
    assert "…" not in done.out
    if command[0] == "recommend":  # one block per partner, not a table
        assert re.search(r"^1\. \S", STYLE.sub("", done.out), re.MULTILINE) and "┃" not in done.out
    else:
        assert "┃" in done.out or "│" in done.out  # a table on a terminal
    assert max(cell_len(STYLE.sub("", line)) for line in done.out.splitlines()) <= int(width)


def test_each_run_prints_for_the_terminal_it_has(sample_store_uri: str) -> None:
    """Each run makes its consoles for its own terminal, as a new process does: after a run on a wide terminal
    (with styles), one process runs on a narrow terminal, then off a terminal (an embedder, a notebook, a test)."""
    console.cache_clear()  # no console yet, as in a new process: the wide run makes the first ones
    err_console.cache_clear()
    store = {"GRAPHSVC_STORE": sample_store_uri}
    assert graphsvc("gaps", env={**terminal("200"), **store}).code == 0
    narrow = graphsvc("gaps", env={**terminal("40"), **store})
    assert max(len(STYLE.sub("", line)) for line in narrow.out.splitlines()) <= 40
    piped = graphsvc("gaps", "com-99999", env={**OFF_TTY, **store})
    assert piped.code == 4 and piped.err.startswith("error: ")  # no style's escape code off a terminal


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_off_a_terminal_rows_are_tab_separated_lines(sample_store_uri: str, command: tuple[str, ...]) -> None:
    done = graphsvc(*command, env={**OFF_TTY, "GRAPHSVC_STORE": sample_store_uri})
    assert done.code == 0, done.err
    assert "…" not in done.out
    assert not re.search("[│┃━─]", done.out)  # no box drawing
    assert "\t" in done.out


def test_recommend_shows_names_kinds_and_every_reason_in_both_languages(sample_store_uri: str) -> None:
    env = {**OFF_TTY, "GRAPHSVC_STORE": sample_store_uri}
    recs = json.loads(graphsvc("recommend", "com-00001", "-k", "2", "--json", env=env).out)["recommendations"]
    lines = graphsvc("recommend", "com-00001", "-k", "2", env=env).out.splitlines()
    assert lines[0] == "建议的合作方 Partners for 拱北第1社区（示例） (com-00001)"
    assert lines[1].split("\t") == [
        "#",
        "合作方 partner",
        "类型 kind",
        "得分 score",
        "可补缺口 gain",
        "可能性 likely",
        "希望不大 long shot",
        "理由 reasons",
    ]
    for rec, line in zip(recs, lines[2:4], strict=True):
        rank, partner, kind, score, gain, likely, long_shot, reasons = line.split("\t")
        assert abs(float(gain) - rec["gain"]) < 0.05
        assert rank == str(recs.index(rec) + 1)
        assert partner.endswith(f" ({rec['partner']})") and len(partner) > len(rec["partner"]) + 3
        assert re.fullmatch(r"\S+ [a-z -]+( · \S+ [a-z -]+)?", kind), kind  # 爱心企业 caring enterprise
        assert score == num(rec["score"]) and abs(float(score) - rec["score"]) < 0.05
        assert likely == f"{100 * rec['probability']:.0f}%" or (likely == "<1%" and rec["probability"] < 0.005)
        assert long_shot == ("是 yes" if rec["probability"] < 0.05 else "否 no")
        for reason in rec["reasons"]:
            assert f"{reason['text_zh']} / {reason['text_en']}" in reasons
        assert len(reasons.split("; ")) >= len(rec["reasons"])


SIGNED = re.compile(r"^ +([+-]\d[\d.]*) (\S.*)$")
"""A reason's first line in a block: its contribution, then its sentence."""


def test_recommend_on_a_terminal_is_one_block_per_partner_and_one_line_per_reason(sample_store_uri: str) -> None:
    store = {"GRAPHSVC_STORE": sample_store_uri}
    recs = json.loads(graphsvc("recommend", "com-00001", "-k", "6", "--json", env={**OFF_TTY, **store}).out)
    shown = graphsvc("recommend", "com-00001", "-k", "6", env={**terminal("100"), **store}).out
    lines = [STYLE.sub("", line).rstrip() for line in shown.splitlines()]
    assert max(cell_len(line) for line in lines) <= 100
    assert not re.search(r"(?<![\d.])0\.00(?!\d)", shown) and "…" not in shown  # no +0.00 or -0.00
    heads = [i for i, line in enumerate(lines) if re.match(r"^\d+\. ", line)]
    assert len(heads) == len(recs["recommendations"])
    folded = 0
    for place, (at, rec) in enumerate(zip(heads, recs["recommendations"], strict=True), start=1):
        assert lines[at] == f"{place}. {rec['name']} ({rec['partner']})"
        end = heads[place] if place < len(heads) else len(lines)
        block = lines[at + 1 : end]
        facts = " ".join(line.strip() for line in block if not SIGNED.match(line) and line.startswith("   "))
        assert f"可补缺口 gain {num(rec['gain'])}" in facts
        assert ("希望不大 long shot" in facts) == (rec["probability"] < 0.05)
        starts = [SIGNED.match(line) for line in block]
        shown_reasons = [m for m in starts if m]
        wanted = [x for x in rec["reasons"] if x["contribution"]]  # a term adding nothing has no number
        assert len(shown_reasons) == len(wanted)  # one reason per line, in order
        for m, reason in zip(shown_reasons, wanted, strict=True):
            assert float(m.group(1)) == pytest.approx(reason["contribution"], abs=0.06)
            assert m.group(2).startswith(reason["text_zh"][:8])
        folded += any(x["code"].startswith("other:") for x in wanted)
    assert folded and "其余信号" in shown  # small and lowering terms folded into one named line


def test_numbers_are_rounded_for_people_and_exact_in_json(sample_store_uri: str) -> None:
    env = {**OFF_TTY, "GRAPHSVC_STORE": sample_store_uri}
    exact = json.loads(graphsvc("gaps", "--json", env=env).out)
    assert any(len(str(c["covered"]).split(".")[-1]) > 2 for c in exact["categories"])  # JSON keeps precision
    for line in graphsvc("gaps", env=env).out.splitlines():
        for number in re.findall(r"(?<![\w-])\d+\.(\d+)", line):
            assert len(number) <= 2, line
    streets = graphsvc("gaps", env=env).out
    assert "拱北 Gongbei\t" in streets  # streets in both languages
    assert "True" not in streets and "False" not in streets
    assert "是 yes" in streets


def hostile_store(tmp_path: Path) -> str:
    """A tiny district whose names and ids are Rich markup and emoji codes (``/`` only in names: ids refuse it)."""
    db = tmp_path / "hostile.db"
    dataset = Dataset(
        entities=[
            Entity(id="[b]c1", kind="community", name="[bold]社区[/bold] :smile:", street="[red]"),
            Entity(id="[i]e1", kind="enterprise", name="[/x]企业", capacity=3),
        ],
        links=[],
        needs=[Need(community="[b]c1", category="elderly_care", weight=2.0)],
        offers=[Offer(partner="[i]e1", category="elderly_care", capacity=1.0)],
    )
    with SQLiteStore(db) as store:
        store.upsert(dataset)
    return f"sqlite:///{db}"


@pytest.mark.parametrize("env", [terminal("200"), OFF_TTY], ids=["terminal", "off-terminal"])
def test_markup_in_data_is_printed_as_written(tmp_path: Path, env: dict[str, str]) -> None:
    uri = hostile_store(tmp_path)
    shown = {
        ("gaps", "[b]c1"): "[bold]社区[/bold] :smile: ([b]c1)",  # neither styled nor an emoji
        ("recommend", "[b]c1", "-k", "1"): "[/x]企业 ([i]e1)",
        ("gaps", "--street", "[red]"): "[bold]社区[/bold] :smile: ([b]c1)",
        ("gaps",): "[red]",
    }
    for command, text in shown.items():
        done = graphsvc(*command, env={**env, "GRAPHSVC_STORE": uri})
        assert done.code == 0, (command, done.err)
        assert "MarkupError" not in done.err
        assert text in re.sub(r"\s*\n\s*", " ", done.out), command


def test_an_error_message_with_markup_is_printed_as_written(tmp_path: Path) -> None:
    uri = hostile_store(tmp_path)
    done = graphsvc("gaps", "[/nope]", env={**OFF_TTY, "GRAPHSVC_STORE": uri})
    assert done.code == 4
    assert "[/nope]" in done.err and "error: " in done.err


def write_bad_files(folder: Path) -> None:
    folder.mkdir()
    (folder / "entities.csv").write_text(
        "id,kind,name,street\nc1,community,拱北第1社区,拱北\n[/x],spaceship,坏[/b],拱北\n", "utf-8"
    )
    (folder / "links.csv").write_text("source,target,kind\nc1,nobody,funding\n", "utf-8")


@pytest.mark.parametrize("width", ["80", "200"])
def test_off_a_terminal_problems_are_compiler_lines(tmp_path: Path, width: str) -> None:
    bad = tmp_path / "a-rather-long-folder-name-for-the-district-files" / "bad"
    bad.parent.mkdir()
    write_bad_files(bad)
    uri = f"sqlite:///{tmp_path / 'g.db'}"
    done = graphsvc("load", str(bad), env={"TTY_COMPATIBLE": "0", "COLUMNS": width, "GRAPHSVC_STORE": uri})
    assert done.code == 2
    lines = done.err.splitlines()
    problems = [line for line in lines if re.match(r"^\S+:\d+: ", line)]
    assert len(problems) >= 2, done.err
    for line in problems:
        path, line_no, rest = line.split(":", 2)
        assert Path(path).name in {"entities.csv", "links.csv"} and str(bad) in path  # the whole path
        assert int(line_no) >= 2
        field, reason = rest.strip().split(": ", 1)
        assert field and reason
    assert any(line.startswith(f"{bad / 'entities.csv'}:3: kind: ") for line in problems)
    assert any(line.startswith(f"{bad / 'links.csv'}:2: target: ") and "nobody" in line for line in problems)
    assert lines[-1].endswith("found; nothing was written.")
    assert "…" not in done.err and "│" not in done.err and "MarkupError" not in done.err
    with SQLiteStore(tmp_path / "g.db") as store:
        assert store.counts().links == 0 and sum(store.counts().entities.values()) == 0


def test_export_picks_the_format_from_the_extension(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'g.db'}"
    env = {**OFF_TTY, "GRAPHSVC_STORE": uri}
    assert graphsvc("demo", "--communities", "13", env=env).code == 0
    readers = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}
    for suffix in ("graphml", "gexf", "json"):
        out = tmp_path / f"district.{suffix}"
        done = graphsvc("export", str(out), env=env)
        assert done.code == 0, done.err
        assert f"({suffix})" in done.out
        if suffix == "json":
            assert out.read_text("utf-8").lstrip().startswith("{")
        else:
            assert readers[suffix](out).number_of_nodes() > 13
    done = graphsvc("export", str(tmp_path / "x.xml"), "--format", "graphml", env=env)
    assert done.code == 0 and nx.read_graphml(tmp_path / "x.xml").number_of_nodes() > 13


@pytest.mark.parametrize(
    ("name", "args", "says"),
    [
        ("x.json", ["--format", "graphml"], "does not match"),
        ("x.gexf", ["--format", "json"], "does not match"),
        ("x.xml", [], "cannot tell the format"),
    ],
)
def test_export_refuses_a_format_the_name_contradicts(tmp_path: Path, name: str, args: list[str], says: str) -> None:
    uri = f"sqlite:///{tmp_path / 'g.db'}"
    done = graphsvc("export", str(tmp_path / name), *args, env={**OFF_TTY, "GRAPHSVC_STORE": uri})
    assert done.code == 2
    assert says in re.sub(r"[\s│]+", " ", done.err)
    assert not (tmp_path / name).exists()


def test_columns_of_numbers_line_up_on_the_right_on_a_terminal(sample_store_uri: str) -> None:
    done = graphsvc("stats", env={**terminal("80"), "GRAPHSVC_STORE": sample_store_uri})
    row = next(line for line in done.out.splitlines() if "社区 community" in line)
    assert re.search(r"│  +26 │$", row), row  # the count sits against the right edge of its column
    assert re.search(r"│ 社区 community +│", row), row  # the label on the left


@pytest.mark.parametrize("env", [terminal("100"), OFF_TTY], ids=["terminal", "off-terminal"])
def test_explain_names_the_partner_and_rounds_like_the_list(sample_store_uri: str, env: dict[str, str]) -> None:
    store = {"GRAPHSVC_STORE": sample_store_uri}
    listed = json.loads(graphsvc("recommend", "com-00001", "-k", "1", "--json", env={**OFF_TTY, **store}).out)
    first = listed["recommendations"][0]["partner"]
    asked = ("recommend", "com-00001", "--explain", first)
    why = json.loads(graphsvc(*asked, "--json", env={**OFF_TTY, **store}).out)
    done = graphsvc(*asked, env={**env, **store})
    assert done.code == 0, done.err
    shown = STYLE.sub("", done.out)
    lines = shown.splitlines()
    assert re.match(rf"^\S+ \({first}\) · 对 for 拱北第1社区（示例） \(com-00001\)", lines[0]), lines[0]
    assert f"可补缺口 gain {num(why['gain'])}" in shown and f"得分 score {num(why['score'])}" in shown
    assert not re.search(r"\d\.\d{3}", shown)  # rounded for people
    assert max(cell_len(line) for line in lines) <= (100 if env is not OFF_TTY else 10_000)
    for reason in why["reasons"]:  # each term starts a line of its own (off a terminal: after its code)
        start = reason["text_zh"][:8]
        assert any(re.match(rf"^\s*(\S+\t)?[+-]\d[\d.]*\s+{re.escape(start)}", line) for line in lines), start


def small_list() -> CommunityRecommendations:
    """Two partners close a gap of c1 (one a long shot), one likely partner closes none; asked for k=5."""

    def reason(code: str, value: float, en: str) -> Reason:
        return Reason(code=code, contribution=value, text_zh=f"中文 {en}", text_en=en)

    def rec(partner: str, gain: float, p: float, reasons: list[Reason]) -> Recommendation:
        score = round(sum(r.contribution for r in reasons), 6)
        return Recommendation(
            partner=partner, name=f"名{partner}", kind="organization", score=score, gain=gain, probability=p,
            long_shot=p < LONG_SHOT, reasons=reasons,
        )  # fmt: skip

    return CommunityRecommendations(
        community="c1",
        name="第一社区",
        recommendations=[
            rec("o1", 3.0, 0.4, [reason("gap:health", 1.0, "offers health " * 12), reason("other:l3", -0.2, "x")]),
            rec("o2", 1.0, 0.01, [reason("gap:youth", 0.0104, "offers youth work"), reason("same_street", 0.0, "s")]),
        ],
        others=[rec("e1", 0.0, 0.5, [reason("no_gap", 0.0, "offers nothing this community lacks")])],
        closing=2,
    )


@pytest.mark.parametrize("terminal_width", [40, 100, None])
def test_partner_blocks_show_others_apart_and_say_how_few_close_a_gap(terminal_width: int | None) -> None:
    out = io.StringIO()
    shown = Console(file=out, width=terminal_width or 80, force_terminal=terminal_width is not None, no_color=True)
    shown.print(PartnerBlocks(small_list(), kind=lambda n: "社会组织 social organization", k=5))
    text = STYLE.sub("", out.getvalue())
    assert "只有2个伙伴" in text and "only 2 partners offer what" in " ".join(text.split())  # 2 of k=5 close one
    assert "其他可能的合作方（不补缺口）" in text
    assert not re.search(r"(?<![\d.])0\.00(?!\d)", text)  # 0.0104 is +0.01, 0 has no number
    if terminal_width is None:  # off a terminal: a second table, its rows numbered on after the list's
        lines = text.splitlines()
        assert any(line.startswith("3\t名e1 (e1)\t") for line in lines)
        assert any(line.startswith("2\t名o2 (o2)\t") and "\t是 yes\t" in line for line in lines)
        return
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= terminal_width
    assert any(line.startswith("3. 名e1 (e1)") for line in lines)
    assert "希望不大 long shot" in " ".join(text.split())
    assert sum(bool(re.match(r"^ +[+-]\d", line)) for line in lines) == 3  # numbered reasons: +1, -0.2, +0.01


def test_a_styled_fact_starting_a_line_colours_only_itself() -> None:
    from graphsvc.cli.recommendations import _packed

    mark, score = Text("long shot", style="yellow"), Text("score 0.005")
    [line] = _packed([mark, score], 40)
    assert line.plain == "long shot · score 0.005" and not line.style
    assert [(span.start, span.end) for span in line.spans] == [(0, len("long shot"))]


def test_a_short_list_says_the_others_would_close_nothing_more() -> None:
    recs = small_list().model_copy(update={"closing": 7})  # 7 close a gap alone; after the 2 listed, none does
    out = io.StringIO()
    Console(file=out, width=200).print(PartnerBlocks(recs, kind=lambda n: "kind", k=5))
    text = out.getvalue()
    assert "5 more partners offer what 第一社区 (c1) lacks, but would close nothing more once the 2 listed join" in text
    assert "只有" not in text
    Console(file=(full := io.StringIO()), width=200).print(PartnerBlocks(recs, kind=lambda n: "kind", k=2))
    assert "more partners" not in full.getvalue()  # a list of k says nothing


def test_a_short_list_says_why_in_the_words_of_what_cut_it(sample_store_uri: str, tmp_path: Path) -> None:
    env = {"GRAPHSVC_STORE": sample_store_uri, **OFF_TTY}
    whole = json.loads(graphsvc("recommend", "com-00001", "--json", env=env, check=True).out)
    cut = whole["recommendations"][1]["score"]  # keeps the first one or two
    short = graphsvc("recommend", "com-00001", "--min-score", str(cut), env=env, check=True).out
    assert "score below --min-score" in short and "would close nothing more" not in short
    # offers and no needs anywhere: in graphsvc's own tables a partner may still fill a missing role; in a
    # directory's areas (generic profile) no partner is listed, and the note says how to see the likely ones
    for area, says, listed in (({}, "five-society roles only", True), ({"area_level": "city"}, "--others", False)):
        db = tmp_path / f"dir-{listed}.db"
        store = SQLiteStore(db)
        store.upsert(
            Dataset(
                entities=[
                    Entity(id="area-1", kind="community", name="Area 1", attributes=area),
                    Entity(id="org-1", kind="organization", name="Org 1"),
                ],
                offers=[Offer(partner="org-1", category="legal_aid", capacity=1.0)],
            )
        )
        store.close()
        out = graphsvc("recommend", "area-1", env={"GRAPHSVC_STORE": f"sqlite:///{db}", **OFF_TTY}, check=True).out
        assert "no needs recorded" in out and says in out and ("Org 1" in out) == listed
