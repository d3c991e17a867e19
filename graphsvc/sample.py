"""A synthetic sample district, shaped by the figures of the Xiangzhou case (docs/domain.md).

Everything it makes is invented and says so: ids start with the kind, names end
in "（示例）" and every entity carries ``synthetic=true``. The same seed and size
give the same district, so tests, docs, notebooks and benchmarks share it.

For the default 130 communities it makes 10 streets (the case's street names),
one district hub, one hub per street, 56 caring enterprises, 10 universities
with 2 student societies each, 5 media, 30 social organizations, 12 social-work
agencies and about 200 community self-organizations, with needs, offers and
partnerships that follow the hubs and streets. Other sizes scale every figure
by ``communities / 130``. Beyond 10 streets the sample has an area hierarchy too: every 10 streets lie in
one district (``areas``), so a larger territory reads as districts, streets and communities.

>>> ds = generate_district(communities=13, seed=1)
>>> sum(e.kind.value == "community" for e in ds.entities)
13
>>> generate_district(communities=13, seed=1) == ds
True
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graphsvc.model import Area, Dataset, Entity, Link, Need, Offer, Project
from graphsvc.vocabulary import EntityKind, HierarchyLevel, LinkKind, ProjectStatus, Subtype, categories

if TYPE_CHECKING:
    import networkx as nx

STREETS = [
    ("拱北", "Gongbei", "星辰", "Xingchen"),
    ("吉大", "Jida", "新芽", "Xinya"),
    ("狮山", "Shishan", "点睛", "Dianjing"),
    ("翠香", "Cuixiang", "领航", "Linghang"),
    ("香湾", "Xiangwan", "扬帆", "Yangfan"),
    ("梅华", "Meihua", "同华", "Tonghua"),
    ("前山", "Qianshan", "新里程", "Xinlicheng"),
    ("南屏", "Nanping", "晨曦", "Chenxi"),
    ("湾仔", "Wanzai", "新时代", "Xinshidai"),
    ("凤山", "Fengshan", "同心", "Tongxin"),
]
"""Street names from the case (the tenth street's hub name is invented)."""

DISTRICTS = ["香洲", "金湾", "斗门", "横琴", "高新", "万山", "高栏", "富山", "鹤洲", "白藤"]
"""Names of the sample's districts (Zhuhai's three, then invented ones); more are numbered (香洲2...)."""
STREETS_PER_DISTRICT = 10
"""Streets per district when the sample has more streets than the case's ten: a district level is filled."""

SYNTHETIC = "（示例）"
BASE_COMMUNITIES = 130

NEED_CATEGORIES = [c.code for c in categories().values() if c.group == "need"]

# What each kind of partner tends to offer: (categories, capacity range per category).
SERVICE_OFFERS = [
    "elderly_care",
    "disability",
    "hardship_relief",
    "youth",
    "children",
    "legal_aid",
    "mediation",
    "health",
]
ENTERPRISE_OFFERS = ["funding", "goods", "volunteers", "venue", "appliance_repair", "health"]
SOCIETY_OFFERS = ["interns", "volunteers", "training", "culture_arts", "legal_aid", "health", "children", "youth"]
SELF_ORG_OFFERS = {
    "culture_arts": ["舞蹈队", "合唱团", "太极拳队", "器乐队", "小品团"],
    "hardship_relief": ["互助会"],
    "security_patrol": ["楼宇巡逻队"],
    "appliance_repair": ["义修队"],
    "elderly_care": ["睦邻互助队"],
}


@dataclass(frozen=True)
class DistrictFigures:
    """How many of each kind a district of this size gets."""

    communities: int
    streets: int
    enterprises: int
    universities: int
    societies_per_university: int
    media: int
    social_organizations: int
    social_work_agencies: int
    self_organizations: int

    @classmethod
    def for_size(cls, communities: int) -> DistrictFigures:
        scale = communities / BASE_COMMUNITIES

        def scaled(n: float) -> int:
            return max(1, round(n * scale))

        return cls(
            communities=communities,
            streets=max(1, math.ceil(communities / 13)),
            enterprises=scaled(56),
            universities=scaled(10),
            societies_per_university=2,
            media=scaled(5),
            social_organizations=scaled(30),
            social_work_agencies=scaled(12),
            self_organizations=scaled(200),
        )


def _street_names(i: int) -> tuple[str, str, str, str]:
    if i < len(STREETS):
        return STREETS[i]
    zh, en, hub_zh, hub_en = STREETS[i % len(STREETS)]
    n = i // len(STREETS) + 1
    return f"{zh}{n}", f"{en} {n}", hub_zh, hub_en


def generate_district(*, communities: int = BASE_COMMUNITIES, seed: int = 0) -> Dataset:
    """A synthetic district with ``communities`` communities; the same seed gives the same district."""
    if communities < 1:
        raise ValueError("a district needs at least one community")
    rng = random.Random(seed)
    fig = DistrictFigures.for_size(communities)
    entities: list[Entity] = []
    links: dict[tuple[str, str, str], Link] = {}
    needs: list[Need] = []
    offers: list[Offer] = []
    start = dt.date(2018, 1, 1)

    def entity(**fields: object) -> Entity:
        attributes = {"synthetic": "true", **fields.pop("attributes", {})}  # type: ignore[dict-item]
        e = Entity.model_validate({**fields, "attributes": attributes})
        entities.append(e)
        return e

    def link(source: str, target: str, kind: LinkKind, project: str | None = None) -> None:
        since = start + dt.timedelta(days=rng.randrange(0, 8 * 365))
        weight = float(rng.randint(1, 5))
        links[(source, target, kind.value)] = Link(
            source=source, target=target, kind=kind, since=since, weight=weight, project=project
        )

    def offer(partner: str, cats: list[str], low: int, high: int) -> None:
        for cat in cats:
            offers.append(Offer(partner=partner, category=cat, capacity=float(rng.randint(low, high))))

    # Streets, the district hub and one hub per street.
    hub = entity(
        id="org-district-hub",
        kind="organization",
        subtype="district_hub",
        capacity=fig.streets * 2,
        name=f"香洲社协区级统筹中心{SYNTHETIC}",
        name_en="Xiangzhou district hub (synthetic)",
    )
    offer(hub.id, ["training", "social_work", "funding"], 10, 30)
    streets: list[str] = []
    street_hub: dict[str, str] = {}
    for i in range(fig.streets):
        zh, en, hub_zh, hub_en = _street_names(i)
        streets.append(zh)
        h = entity(
            id=f"org-hub-{i + 1:03d}",
            kind="organization",
            subtype="street_hub",
            street=zh,
            capacity=20,
            name=f"{zh}{hub_zh}{SYNTHETIC}",
            name_en=f"{en} {hub_en} hub (synthetic)",
        )
        street_hub[zh] = h.id
        offer(h.id, ["training", "volunteers", "venue"], 4, 12)
        link(hub.id, h.id, LinkKind.COORDINATION)

    # Communities, spread over the streets, each with needs.
    by_street: dict[str, list[str]] = defaultdict(list)
    street_of: dict[str, str] = {}
    community_needs: dict[str, dict[str, float]] = {}
    for i in range(fig.communities):
        street = streets[i % fig.streets]
        n_in_street = len(by_street[street]) + 1
        en = _street_names(i % fig.streets)[1]
        c = entity(
            id=f"com-{i + 1:05d}",
            kind="community",
            street=street,
            name=f"{street}第{n_in_street}社区{SYNTHETIC}",
            name_en=f"{en} community {n_in_street} (synthetic)",
        )
        by_street[street].append(c.id)
        street_of[c.id] = street
        wanted = rng.sample(NEED_CATEGORIES, rng.randint(3, 6))
        community_needs[c.id] = {}
        for cat in wanted:
            weight = float(rng.randint(1, 5))
            community_needs[c.id][cat] = weight
            needs.append(Need(community=c.id, category=cat, weight=weight))
        if rng.random() < 0.9:  # a few communities are not yet reached by their street hub
            link(street_hub[street], c.id, LinkKind.COORDINATION)

    def serve(partner: str, home: str | None, cats: list[str], count: int, kind: LinkKind, local: float) -> None:
        """Link a partner to ``count`` communities, preferring its street and matching needs."""
        pool_local = by_street.get(home, []) if home else []
        chosen: set[str] = set()
        for _ in range(count * 4):
            if len(chosen) >= count:
                break
            pool = pool_local if pool_local and rng.random() < local else by_street[rng.choice(streets)]
            candidate = rng.choice(pool)
            matches = any(cat in community_needs[candidate] for cat in cats)
            if matches or rng.random() < 0.3:
                chosen.add(candidate)
        for community in sorted(chosen):
            link(partner, community, kind)

    # Social organizations and social-work agencies deliver services in their street.
    for i in range(fig.social_organizations):
        street = streets[i % fig.streets]
        cats = rng.sample(SERVICE_OFFERS, rng.randint(1, 3))
        served = rng.randint(2, 6)
        o = entity(
            id=f"org-so-{i + 1:04d}",
            kind="organization",
            subtype="social_organization",
            street=street,
            capacity=served + rng.randint(0, 3),
            name=f"{street}社会服务中心{i + 1}{SYNTHETIC}",
            name_en=f"Social service centre {i + 1} (synthetic)",
        )
        offer(o.id, cats, 4, 15)
        link(street_hub[street], o.id, LinkKind.COORDINATION)
        serve(o.id, street, cats, served, LinkKind.SERVICE, 0.85)
    for i in range(fig.social_work_agencies):
        street = streets[(i * 3) % fig.streets]
        cats = ["social_work", *rng.sample(SERVICE_OFFERS, rng.randint(1, 2))]
        served = rng.randint(2, 5)
        o = entity(
            id=f"org-sw-{i + 1:04d}",
            kind="organization",
            subtype="social_work_agency",
            street=street,
            capacity=served + rng.randint(0, 2),
            name=f"社工服务社{i + 1}{SYNTHETIC}",
            name_en=f"Social-work agency {i + 1} (synthetic)",
        )
        offer(o.id, cats, 4, 12)
        serve(o.id, street, cats, served, LinkKind.SERVICE, 0.7)

    # Community self-organizations: most belong to one community.
    all_communities = [c for s in streets for c in by_street[s]]
    for i in range(fig.self_organizations):
        home = rng.choice(all_communities)
        cat = rng.choices(list(SELF_ORG_OFFERS), weights=[362, 69, 42, 15, 20])[0]
        label = rng.choice(SELF_ORG_OFFERS[cat])
        street = street_of[home]
        o = entity(
            id=f"org-self-{i + 1:05d}",
            kind="organization",
            subtype="self_organization",
            street=street,
            capacity=2,
            name=f"{label}{i + 1}{SYNTHETIC}",
            name_en=f"Self-organization {i + 1} (synthetic)",
            attributes={"home_community": home},
        )
        offer(o.id, [cat], 1, 4)
        link(o.id, home, LinkKind.VOLUNTEERING)
        if rng.random() < 0.2:
            link(o.id, rng.choice(by_street[street]), LinkKind.VOLUNTEERING)

    # Caring enterprises subscribe through their street hub and support a few communities.
    for i in range(fig.enterprises):
        street = rng.choice(streets)
        cats = rng.sample(ENTERPRISE_OFFERS, rng.randint(1, 3))
        served = rng.choice([1, 1, 2, 2, 3, 4, 6])
        e = entity(
            id=f"ent-{i + 1:04d}",
            kind="enterprise",
            street=street,
            capacity=served + rng.randint(0, 3),
            name=f"爱心企业{i + 1}{SYNTHETIC}",
            name_en=f"Caring enterprise {i + 1} (synthetic)",
        )
        offer(e.id, cats, 3, 12)
        link(e.id, street_hub[street], LinkKind.FUNDING)
        serve(e.id, street, cats, served, LinkKind.FUNDING if "funding" in cats else LinkKind.VOLUNTEERING, 0.8)

    # Universities train with hubs; their student societies work in communities.
    for i in range(fig.universities):
        street = rng.choice(streets)
        u = entity(
            id=f"sch-{i + 1:03d}",
            kind="school",
            subtype="university",
            street=street,
            capacity=10,
            name=f"珠海高校{i + 1}{SYNTHETIC}",
            name_en=f"University {i + 1} (synthetic)",
        )
        offer(u.id, ["training", "interns"], 5, 20)
        link(u.id, hub.id, LinkKind.TRAINING)
        link(u.id, street_hub[street], LinkKind.INTERNSHIP)
        for j in range(fig.societies_per_university):
            cats = rng.sample(SOCIETY_OFFERS, rng.randint(1, 3))
            served = rng.randint(1, 4)
            s = entity(
                id=f"sch-{i + 1:03d}-soc-{j + 1}",
                kind="school",
                subtype="student_society",
                street=street,
                capacity=served + rng.randint(0, 2),
                name=f"珠海高校{i + 1}学生社团{j + 1}{SYNTHETIC}",
                name_en=f"University {i + 1} student society {j + 1} (synthetic)",
            )
            offer(s.id, cats, 2, 8)
            link(u.id, s.id, LinkKind.COORDINATION)
            serve(s.id, street, cats, served, LinkKind.INTERNSHIP, 0.6)

    # Media publicise hubs and a few communities.
    for i in range(fig.media):
        m = entity(
            id=f"med-{i + 1:03d}",
            kind="media",
            capacity=6,
            name=f"珠海媒体{i + 1}{SYNTHETIC}",
            name_en=f"Media outlet {i + 1} (synthetic)",
        )
        offer(m.id, ["publicity"], 5, 15)
        link(m.id, hub.id, LinkKind.PUBLICITY)
        street = rng.choice(streets)
        link(m.id, street_hub[street], LinkKind.PUBLICITY)
        serve(m.id, street, ["publicity"], rng.randint(1, 3), LinkKind.PUBLICITY, 0.7)

    projects = generate_projects(entities, needs, offers, seed=seed)
    areas = _districts(streets)
    return Dataset(
        entities=entities, links=list(links.values()), needs=needs, offers=offers, projects=projects, areas=areas
    )


# -- projects -----------------------------------------------------------------------------------------------------

PROJECT_STATUSES = [ProjectStatus.PROPOSED, ProjectStatus.SUBSCRIBED, ProjectStatus.CLOSED]
"""The statuses of the sample's projects: proposed ones for the next fair, subscribed and closed ones before it.
None is running, so the sample's coverage (and every figure measured on it) is what it was before projects."""


def generate_projects(
    entities: list[Entity], needs: list[Need], offers: list[Offer], *, seed: int = 0
) -> list[Project]:
    """Synthetic community projects (公益项目) for a synthetic district: each built from its community's needs.

    About two communities in three propose one to three projects, covering one or two of their needs; most are
    ``proposed`` (the next fair's), the others ``subscribed`` or ``closed``, taken by one or two partners of the
    community's street that offer what they cover (or funding). Titles end in "（示例）" and ids start with
    ``prj-``. A random generator of its own (from ``seed``) leaves the district's own draws as they were.

    >>> ds = generate_district(communities=13, seed=1)
    >>> len(ds.projects) > 0, all(p.title.endswith("（示例）") for p in ds.projects)
    (True, True)
    """
    rng = random.Random(f"graphsvc sample projects {seed}")
    by_id = {e.id: e for e in entities}
    wanted: dict[str, dict[str, float]] = defaultdict(dict)
    for need in needs:
        wanted[need.community][need.category] = need.weight
    offered: dict[str, set[str]] = defaultdict(set)
    for o in offers:
        offered[o.partner].add(o.category)
    sponsors_in: dict[str | None, list[str]] = defaultdict(list)
    not_sponsors = (Subtype.DISTRICT_HUB, Subtype.STREET_HUB, Subtype.SELF_ORGANIZATION)  # hubs hold fairs
    for e in entities:
        if e.kind is not EntityKind.COMMUNITY and e.subtype not in not_sponsors:
            sponsors_in[e.street].append(e.id)
    projects: list[Project] = []
    for community in sorted(wanted):
        if rng.random() > 0.65:
            continue
        street = by_id[community].street
        for _ in range(rng.choice([1, 1, 2, 3])):
            cats = rng.sample(sorted(wanted[community]), min(len(wanted[community]), rng.choice([1, 1, 2])))
            covers = {c: float(rng.randint(1, int(wanted[community][c]))) for c in cats}
            budget = float(rng.randrange(3000, 20001, 500))
            status = rng.choices(PROJECT_STATUSES, weights=[6, 2, 2])[0]
            n = len(projects) + 1
            label = "、".join(categories()[c].zh for c in cats)
            proposed = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 180))
            fields: dict[str, object] = {
                "id": f"prj-{n:05d}",
                "community": community,
                "title": f"{label}微公益项目{n}{SYNTHETIC}",
                "covers": covers,
                "budget": budget,
                "status": status,
                "proposed_on": proposed,
            }
            if status is not ProjectStatus.PROPOSED:
                fields["proposed_on"] = proposed - dt.timedelta(days=365 + rng.randrange(0, 365))
                fit = [p for p in sponsors_in[street] + sponsors_in[None] if offered[p] & {*cats, "funding"}]
                if not fit:
                    continue
                chosen = sorted(rng.sample(fit, min(len(fit), rng.choice([1, 1, 2]))))
                share = round(budget / len(chosen), 2)
                fields["sponsors"] = [{"partner": p, "amount": share} for p in chosen]
                fields["start"] = fields["proposed_on"] + dt.timedelta(days=60)  # type: ignore[operator]
                if status is ProjectStatus.CLOSED:
                    fields["end"] = fields["start"] + dt.timedelta(days=rng.randrange(90, 300))  # type: ignore[operator]
            projects.append(Project.model_validate(fields))
    return projects


def district_name(i: int) -> str:
    """The name of the sample's ``i``-th district (from 0).

    >>> district_name(0), district_name(10)
    ('香洲', '香洲2')
    """
    name = DISTRICTS[i % len(DISTRICTS)]
    n = i // len(DISTRICTS)
    return f"{name}{n + 1}" if n else name


def _districts(streets: list[str]) -> list[Area]:
    """A district level over ``streets`` when there are more than the case's ten; none at the case's size."""
    if len(streets) <= len(STREETS):
        return []
    areas = [
        Area(level=HierarchyLevel.STREET, name=street, parent=district_name(i // STREETS_PER_DISTRICT))
        for i, street in enumerate(streets)
    ]
    n_districts = math.ceil(len(streets) / STREETS_PER_DISTRICT)
    return areas + [Area(level=HierarchyLevel.DISTRICT, name=district_name(i)) for i in range(n_districts)]


def sample_graph(*, communities: int = BASE_COMMUNITIES, seed: int = 0) -> nx.Graph:
    """The synthetic sample district as a snapshot graph, without any store.

    Parameters
    ----------
    communities : int
        Size of the district (130 is the Xiangzhou case's figure; every other figure scales with it).
    seed : int
        The same seed gives the same district.

    Returns
    -------
    networkx.Graph
        ``build_graph(generate_district(communities=communities, seed=seed))``: what a store holding the
        sample district returns from :meth:`~graphsvc.store.GraphStore.snapshot`.

    Examples
    --------
    >>> G = sample_graph(communities=13, seed=1)
    >>> sum(kind == "community" for _, kind in G.nodes(data="kind"))
    13
    """
    from graphsvc.graph import build_graph  # networkx only when a graph is asked for

    return build_graph(generate_district(communities=communities, seed=seed))
