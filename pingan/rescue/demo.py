"""Demo data for rescue: synthetic but plausible teams (about 45, 5,000 people), members, equipment,
warehouses, experts, shelters and drills, spread over Qingyuan with fewer, smaller teams in the
mountainous north so that the coverage gap shows; and a synthetic road network. All labelled synthetic."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction

from pingan.geo.models import Division

from .choices import DEFAULT_CAPABILITIES, EquipmentKind, ExerciseKind, Specialty, TeamKind
from .models import Equipment, Exercise, Expert, Member, RoadNetwork, Shelter, StockItem, Team, Warehouse

# (district code, teams): the urban south has more teams than the mountain north.
TEAMS_PER_DISTRICT = {
    "441802": 10,
    "441803": 7,
    "441881": 9,
    "441821": 5,
    "441823": 4,
    "441882": 4,
    "441826": 3,
    "441825": 3,
}
KIND_CYCLE = [
    TeamKind.FIRE,
    TeamKind.PROFESSIONAL,
    TeamKind.FLOOD,
    TeamKind.MEDICAL,
    TeamKind.HAZCHEM,
    TeamKind.POWER,
    TeamKind.VOLUNTEER,
    TeamKind.MINE,
    TeamKind.COMMUNICATIONS,
    TeamKind.FIRE,
]
SURNAMES = "陈李黄张梁林刘何罗邓朱冯谢吴郑欧钟莫潘赖"
GIVEN = "伟强军华明志勇杰文斌辉俊海涛鹏飞亮建平国庆东红丽芳"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def seed(log: Callable[[str], Any] = print) -> None:
    districts = {d.code: d for d in Division.objects.filter(level="district", code__in=TEAMS_PER_DISTRICT)}
    if not districts:
        log("rescue: no districts yet (geo demo missing) — skipped")
        return
    if not RoadNetwork.objects.filter(is_active=True).exists():
        from .actions import do_build_synthetic

        net = do_build_synthetic(None)
        log(
            f"rescue: synthetic Qingyuan road network v{net.version}: {net.nodes} nodes, {net.edges} edges (synthetic)"  # noqa: E501
        )
    if Team.objects.filter(is_synthetic=True).exists():
        log(f"rescue: demo already present ({Team.objects.count()} teams)")
        return
    rng = random.Random(2026)
    towns: dict[str, list[Division]] = {}
    for t in Division.objects.filter(level="town").exclude(lat=None):
        towns.setdefault(t.code[:6], []).append(t)
    from pingan.org.models import Department

    fire_dept = {
        d.division.code[:6]: d for d in Department.objects.filter(sector="fire").select_related("division")
    }
    with transaction.atomic():
        teams = []
        k = 0
        for code, n in TEAMS_PER_DISTRICT.items():
            dist = districts.get(code)
            if dist is None:
                continue
            places = towns.get(code) or [dist]
            mountain = code in {"441882", "441825", "441826", "441823"}
            for i in range(n):
                kind = KIND_CYCLE[(k + i) % len(KIND_CYCLE)] if i else TeamKind.FIRE
                place = places[0] if i == 0 else rng.choice(places)
                lat = (place.lat or dist.lat) + rng.uniform(-0.01, 0.01)
                lon = (place.lon or dist.lon) + rng.uniform(-0.01, 0.01)
                headcount = rng.randint(40, 90) if mountain else rng.randint(90, 180)
                teams.append(
                    Team(
                        code=f"RT-{code}-{i + 1:02d}",
                        name=f"{dist.name}{place.name if place != dist else ''}"
                        f"{TeamKind(kind).label}" + (f"{i + 1}" if i else ""),
                        kind=kind,
                        division=place,
                        department=fire_dept.get(code),
                        lat=lat,
                        lon=lon,
                        headcount=headcount,
                        capabilities=[str(c) for c in DEFAULT_CAPABILITIES[kind]],
                        leader=_name(rng),
                        phone=f"0763-{rng.randint(3000000, 3999999)}",
                        is_synthetic=True,
                    )
                )
            k += n
        Team.objects.bulk_create(teams)
        teams = list(Team.objects.filter(is_synthetic=True))
        members, equipment = [], []
        for t in teams:
            for j in range(t.headcount):
                members.append(
                    Member(
                        team=t,
                        name=_name(rng),
                        position="队长" if j == 0 else ("副队长" if j < 3 else "队员"),
                        phone=f"13{rng.randint(100000000, 999999999)}",
                        certified=rng.random() < 0.7,
                    )
                )
            equipment.append(
                Equipment(
                    team=t,
                    kind=EquipmentKind.VEHICLE,
                    name="抢险救援车",
                    quantity=rng.randint(1, 4),
                    plate=f"粤R{rng.randint(10000, 99999)}",
                )
            )
            if t.kind in (TeamKind.FLOOD, TeamKind.PROFESSIONAL):
                equipment.append(
                    Equipment(team=t, kind=EquipmentKind.BOAT, name="冲锋舟", quantity=rng.randint(2, 6))
                )
            equipment.append(
                Equipment(team=t, kind=EquipmentKind.DRONE, name="侦察无人机", quantity=rng.randint(1, 3))
            )
        Member.objects.bulk_create(members, batch_size=1000)
        Equipment.objects.bulk_create(equipment)
        experts = []
        specs = list(Specialty.values)
        for _n in range(60):
            dist = rng.choice(list(districts.values()))
            experts.append(
                Expert(
                    name=_name(rng),
                    specialties=rng.sample(specs, rng.randint(1, 2)),
                    affiliation=rng.choice(
                        [
                            "清远市应急管理局专家库",
                            "清远职业技术学院",
                            "广东省安全生产科学技术研究院",
                            f"{dist.name}人民医院",
                            "清远供电局",
                        ]
                    ),
                    title=rng.choice(["高级工程师", "教授", "主任医师", "工程师"]),
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    available=rng.random() < 0.85,
                    division=dist,
                    lat=dist.lat + rng.uniform(-0.05, 0.05),
                    lon=dist.lon + rng.uniform(-0.05, 0.05),
                    is_synthetic=True,
                )
            )
        Expert.objects.bulk_create(experts)
        shelters, warehouses = [], []
        for code, dist in districts.items():
            for place in (towns.get(code) or [dist])[:4]:
                shelters.append(
                    Shelter(
                        name=f"{place.name}应急避难场所",
                        division=place,
                        lat=place.lat,
                        lon=place.lon,
                        capacity=rng.choice([500, 800, 1200, 2000, 3000]),
                        area_m2=rng.randint(2000, 15000),
                        address=f"{dist.name}{place.name}",
                        is_synthetic=True,
                    )
                )
            warehouses.append(
                Warehouse(
                    name=f"{dist.name}应急物资储备库",
                    division=dist,
                    lat=dist.lat,
                    lon=dist.lon,
                    phone=f"0763-{rng.randint(3000000, 3999999)}",
                    is_synthetic=True,
                )
            )
        Shelter.objects.bulk_create(shelters)
        Warehouse.objects.bulk_create(warehouses)
        stock = []
        for w in Warehouse.objects.filter(is_synthetic=True):
            for name, unit in (
                ("帐篷", "顶"),
                ("折叠床", "张"),
                ("棉被", "床"),
                ("救生衣", "件"),
                ("发电机", "台"),
                ("沙袋", "个"),
            ):
                stock.append(StockItem(warehouse=w, name=name, unit=unit, quantity=rng.randint(50, 3000)))
        StockItem.objects.bulk_create(stock)
        ex = []
        for year in (2025, 2026):
            for dist in districts.values():
                for _i in range(rng.randint(2, 5)):
                    kind = rng.choice([ExerciseKind.DRILL, ExerciseKind.TRAINING])
                    ex.append(
                        Exercise(
                            kind=kind,
                            title=f"{dist.name}{'防汛抢险综合演练' if kind == 'drill' else '救援技能培训'}",
                            date=datetime.date(year, rng.randint(1, 11), rng.randint(1, 28)),
                            division=dist,
                            participants=rng.randint(30, 300),
                            score=rng.randint(70, 98),
                            evaluation="合成数据 synthetic",
                        )
                    )
        Exercise.objects.bulk_create(ex)
        by_div: dict[str, list[Team]] = {}
        for t in teams:
            by_div.setdefault(t.division.code[:6], []).append(t)
        for e in Exercise.objects.all():
            e.teams.set(by_div.get(e.division.code, [])[:3])
    log(
        f"rescue: {len(teams)} teams, {len(members)} members, {len(experts)} experts, {len(shelters)} shelters, "  # noqa: E501
        f"{len(warehouses)} warehouses, {len(ex)} drills/trainings (all synthetic)"
    )
