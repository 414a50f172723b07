"""Synthetic risk data across Qingyuan, labelled `is_synthetic` (invented, plausible, not official):
a few hundred city risk points (slopes in the mountain counties, crowded places in the urban
districts), each with its chain and a month of checks (some missed, so overdue); 30–50 chemical and
other enterprises' analysis units, major hazard sources of every grade, and a week of daily
commitments with some late or missing.

Idempotent: does nothing when synthetic risk points are there. Needs the geo and org demo.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.core import deadlines
from pingan.geo.models import Division
from pingan.org.models import Department, Enterprise

from . import actions, lifelines, rules
from .choices import Level, ObjectKind, PointType
from .models import (
    Assessment,
    CheckRecord,
    CheckTask,
    Commitment,
    ControlMeasure,
    LifelineAsset,
    MajorHazardSource,
    MhsChemical,
    RiskEvent,
    RiskObject,
)

SEED = 20260412
N_POINTS = 320
URBAN = ("441802", "441803")  # 清城区, 清新区
MOUNTAIN = ("441881", "441882", "441823", "441825", "441826")  # 英德、连州、阳山、连山、连南

# point type → (names, event, measure kind, measure, check)
CHAINS = {
    PointType.SLOPE: (
        ["后山边坡", "公路高边坡", "村后滑坡隐患点", "矿区排土场边坡"],
        "山体滑坡",
        "engineering",
        "截排水沟与挡土墙",
        "雨后巡查坡面裂缝",
    ),
    PointType.CROWDED: (
        ["商业广场", "客运站候车厅", "农贸市场", "体育馆", "步行街"],
        "拥挤踩踏",
        "management",
        "人流限流与疏导",
        "检查疏散通道与安全出口",
    ),
    PointType.CONSTRUCTION: (
        ["在建住宅工地", "地铁施工段", "道路改造工地"],
        "高处坠落",
        "ppe",
        "安全带与临边防护",
        "检查临边洞口防护",
    ),
    PointType.WATERLOGGING: (
        ["下穿隧道", "低洼路段", "地下车库"],
        "内涝积水",
        "emergency",
        "水位监测与封闭预案",
        "检查排水泵与警示",
    ),
    PointType.OLD_BUILDING: (
        ["老旧居民楼", "城中村自建房"],
        "结构坍塌",
        "engineering",
        "加固与限制使用",
        "检查墙体裂缝",
    ),
    PointType.GAS_STATION: (
        ["加油站", "LNG加气站"],
        "火灾爆炸",
        "engineering",
        "可燃气体报警与静电接地",
        "检查报警器与接地",
    ),
    PointType.BRIDGE: (
        ["跨江大桥", "人行天桥"],
        "桥梁损毁",
        "engineering",
        "定期检测与限载",
        "检查伸缩缝与护栏",
    ),
    PointType.TUNNEL: (["公路隧道"], "隧道火灾", "emergency", "通风排烟与应急照明", "检查消防设施"),
}
URBAN_TYPES = [
    (PointType.CROWDED, 5),
    (PointType.CONSTRUCTION, 3),
    (PointType.WATERLOGGING, 3),
    (PointType.OLD_BUILDING, 2),
    (PointType.GAS_STATION, 2),
    (PointType.BRIDGE, 1),
    (PointType.SLOPE, 1),
]
MOUNTAIN_TYPES = [
    (PointType.SLOPE, 6),
    (PointType.CROWDED, 1),
    (PointType.BRIDGE, 1),
    (PointType.TUNNEL, 1),
    (PointType.GAS_STATION, 1),
    (PointType.WATERLOGGING, 1),
]
LEC = [(lk, e, c) for lk in (0.5, 1, 3, 6) for e in (1, 2, 3, 6) for c in (1, 3, 7, 15)] + [
    (3, 10, 15),
    (6, 6, 15),
]
# A unit of each grade (population, chemicals).
MHS_MIX = [
    (120, [{"chemical": "氯", "quantity": "70"}]),  # 一级
    (100, [{"chemical": "氨", "quantity": "100"}, {"chemical": "氯", "quantity": "12"}]),  # 二级 (R 59.2)
    (100, [{"chemical": "氯", "quantity": "6.25"}]),  # 三级
    (40, [{"chemical": "液化石油气", "quantity": "60"}]),  # 四级
    (20, [{"chemical": "甲醇", "quantity": "800"}, {"chemical": "甲苯", "quantity": "150"}]),  # 四级
    (5, [{"chemical": "氨", "quantity": "8"}]),  # below Q
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def seed(log: Callable[[str], Any] = print) -> None:
    towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
    if not towns:
        log("no towns with a position yet (geo demo): risks skipped")
        return
    if RiskObject.objects.filter(is_synthetic=True).exists():
        log("synthetic risk points already present")
    else:
        with transaction.atomic():
            n = seed_points(towns, log)
            m = seed_enterprises(log)
        log(
            f"{n} synthetic city risk points and {m} enterprises' units and major hazard sources"
            " (合成演示数据)"
        )
    if LifelineAsset.objects.filter(is_synthetic=True).exists():
        log("synthetic lifeline assets already present")
        return
    with transaction.atomic():
        k = seed_lifelines([t for t in towns if t.parent and t.parent.code in URBAN])
    log(f"{k} synthetic city lifeline assets with their monitoring (合成演示数据)")


def seed_points(towns: list[Division], log: Callable[[str], Any]) -> int:
    rng = random.Random(SEED)
    now = timezone.now()
    govs = {d.division_id: d for d in Department.objects.filter(kind="township", is_active=True)}
    ems = {d.division_id: d for d in Department.objects.filter(sector="emergency", is_active=True)}
    urban = [t for t in towns if t.parent and t.parent.code in URBAN]
    mountain = [t for t in towns if t.parent and t.parent.code in MOUNTAIN]
    other = [t for t in towns if t not in urban and t not in mountain]
    points = []
    for i in range(N_POINTS):
        pool = _pick(rng, [(urban or towns, 4), (mountain or towns, 4), (other or towns, 2)])
        town = rng.choice(pool)
        ptype = _pick(rng, URBAN_TYPES if town in urban else MOUNTAIN_TYPES)
        names = CHAINS[ptype][0]
        points.append(
            RiskObject(
                kind=ObjectKind.CITY_POINT,
                point_type=ptype,
                name=f"{town.name}{rng.choice(names)}{i % 7 + 1}号",
                division=town,
                department=govs.get(town.pk) or ems.get(town.parent_id),
                lat=town.lat + rng.uniform(-0.02, 0.02),
                lon=town.lon + rng.uniform(-0.02, 0.02),
                is_synthetic=True,
                created_at=now - dt.timedelta(days=60),
            )
        )
    RiskObject.objects.bulk_create(points)
    points = list(RiskObject.objects.filter(is_synthetic=True, kind=ObjectKind.CITY_POINT))
    _chains(rng, points, now, lambda o: CHAINS[o.point_type][1:])
    return len(points)


def _chains(
    rng: random.Random,
    objects: list[RiskObject],
    now: dt.datetime,
    chain_for: Callable[[RiskObject], tuple[str, str, str, str]],
) -> None:
    """Assessment, event, measure, a weekly check task and a month of its records (some missed)."""
    assessments, events = [], []
    for obj in objects:
        g = rules.lec(*rng.choice(LEC))
        obj.level, obj.owner_post = g.level, rules.control_for(g.level)["post"]
        obj.assessed_at = now - dt.timedelta(days=rng.randint(20, 50))
        assessments.append(
            Assessment(
                risk_object=obj,
                method="lec",
                inputs=g.inputs,
                score=g.score,
                band=g.band_label,
                level=g.level,
                table_version=g.version,
                assessed_at=obj.assessed_at,
            )
        )
        events.append(RiskEvent(risk_object=obj, name=chain_for(obj)[0]))
    RiskObject.objects.bulk_update(objects, ["level", "owner_post", "assessed_at"])
    Assessment.objects.bulk_create(assessments)
    RiskEvent.objects.bulk_create(events)
    measures = [
        ControlMeasure(event=e, kind=chain_for(e.risk_object)[1], description=chain_for(e.risk_object)[2])
        for e in events
    ]
    ControlMeasure.objects.bulk_create(measures)
    tasks, records = [], []
    for m in measures:
        obj = m.event.risk_object
        cycle = "weekly" if obj.level in (Level.MAJOR, Level.LARGE) else "monthly"
        missed_last = rng.random() < 0.12
        last = now - dt.timedelta(days=rng.randint(1, 6))
        due = rules.next_due(last, cycle)
        if missed_last:  # the latest due check was not done: overdue now
            due = now - dt.timedelta(hours=rng.randint(2, 72))
        tasks.append(
            CheckTask(
                measure=m,
                risk_object=obj,
                name=chain_for(obj)[3],
                cycle=cycle,
                post=obj.owner_post,
                next_due_at=due,
                last_done_at=last,
                checklist=["现场状况", "措施落实"],
                created_at=now - dt.timedelta(days=40),
            )
        )
    CheckTask.objects.bulk_create(tasks)
    for t in tasks:
        step = dt.timedelta(days=7 if t.cycle == "weekly" else 30)
        at = t.last_done_at
        while at > now - dt.timedelta(days=31):
            on_time = rng.random() > 0.1
            records.append(
                CheckRecord(
                    task=t,
                    risk_object=t.risk_object,
                    checked_at=at,
                    due_at=at + (dt.timedelta(hours=3) if on_time else -dt.timedelta(days=1)),
                    on_time=on_time,
                    result="ok",
                    answers={"现场状况": "ok", "措施落实": "ok"},
                    is_synthetic=True,
                )
            )
            at -= step
        deadlines.create(
            t,
            kind=actions.CHECK_KIND,
            title=f"排查: {t.name}({t.risk_object.name})",
            due_at=t.next_due_at,
            starts_at=min(now, t.next_due_at),
            division=t.risk_object.division,
            department=t.risk_object.department,
            data={"task": t.pk, "object": t.risk_object.pk},
        )
    CheckRecord.objects.bulk_create(records, batch_size=2000)


def seed_enterprises(log: Callable[[str], Any]) -> int:
    rng = random.Random(SEED + 1)
    now = timezone.now()
    pool = list(Enterprise.objects.filter(is_active=True, industry="hazchem").select_related("division"))
    pool += list(
        Enterprise.objects.filter(is_active=True, industry__in=["gas", "fireworks", "light"]).select_related(
            "division"
        )[: max(0, 40 - len(pool))]
    )
    if not pool:
        log("no enterprises yet (org demo): enterprise risks skipped")
        return 0
    units = []
    for ent in pool:
        for name in ("储罐区", "反应装置"):
            units.append(
                RiskObject(
                    kind=ObjectKind.ANALYSIS_UNIT,
                    point_type=PointType.STORAGE if name == "储罐区" else PointType.PROCESS,
                    name=name,
                    division=ent.division,
                    enterprise=ent,
                    lat=ent.lat + rng.uniform(-0.002, 0.002) if ent.lat else None,
                    lon=ent.lon + rng.uniform(-0.002, 0.002) if ent.lon else None,
                    is_synthetic=True,
                )
            )
    RiskObject.objects.bulk_create(units)
    units = list(
        RiskObject.objects.filter(is_synthetic=True, kind=ObjectKind.ANALYSIS_UNIT).select_related(
            "enterprise"
        )
    )
    _chains(
        rng, units, now, lambda o: ("泄漏中毒", "engineering", "可燃有毒气体检测报警", "检查报警器与阀门")
    )
    sources, chems = [], []
    for i, ent in enumerate(pool):
        population, mix = MHS_MIX[i % len(MHS_MIX)]
        ident = rules.identify(mix, population)
        assessed = timezone.localdate() - dt.timedelta(days=rng.randint(3, 200))
        filed = ident.is_major and (
            assessed < timezone.localdate() - dt.timedelta(days=15) or rng.random() < 0.5
        )
        src = MajorHazardSource(
            enterprise=ent,
            division=ent.division,
            name=f"{'储罐区' if i % 2 else '生产装置区'}{i % 3 + 1}",
            unit_kind="storage" if i % 2 else "production",
            population=population,
            population_on=assessed,
            principal_name="张总",
            technical_name="李工",
            operational_name="王班长",
            s_value=ident.s,
            alpha=ident.alpha,
            r_value=ident.r,
            grade=str(ident.grade) if ident.grade else "none",
            computation=ident.as_dict(),
            table_version=ident.version,
            assessed_on=assessed,
            filing_state="filed" if filed else ("unfiled" if ident.is_major else "not_required"),
            filing_due=rules.filing_due(assessed) if ident.is_major else None,
            filed_at=now - dt.timedelta(days=2) if filed else None,
            filing_number=f"BA-{ent.division.code[:6]}-{i:04d}" if filed else "",
            is_synthetic=True,
        )
        sources.append((src, ident))
    MajorHazardSource.objects.bulk_create([s for s, _ in sources])
    for src, ident in sources:
        chems += [
            MhsChemical(
                source=src,
                chemical=s.name,
                category=s.category,
                quantity=s.quantity,
                critical_quantity=s.critical,
                beta=s.beta,
            )
            for s in ident.steps
        ]
    MhsChemical.objects.bulk_create(chems)
    committed = []
    required = [s.enterprise for s, ident in sources if ident.is_major]
    today = timezone.localdate()
    for back in range(0, 8):
        day = today - dt.timedelta(days=back)
        due = rules.commitment_due(day)
        for ent in required:
            roll = rng.random()
            if roll < 0.06:
                continue  # missing
            at = (
                due - dt.timedelta(minutes=rng.randint(10, 120))
                if roll > 0.14
                else due + dt.timedelta(minutes=40)
            )
            if at > now:
                continue  # today, not yet
            committed.append(
                Commitment(
                    enterprise=ent,
                    division=ent.division,
                    day=day,
                    submitted_at=at,
                    on_time=at <= due,
                    units_running=rng.randint(1, 5),
                    units_stopped=rng.randint(0, 1),
                    units_maintenance=rng.randint(0, 1),
                    special_work={"hot_work": rng.randint(0, 2), "confined_space": rng.randint(0, 1)},
                    trial_production=rng.random() < 0.05,
                    sources_state="重大危险源运行正常,监测数据无异常",
                    text="今天我公司已进行安全风险研判,各项安全风险防控措施已落实到位。",
                    signed_by="张总",
                    is_synthetic=True,
                )
            )
    Commitment.objects.bulk_create(committed)
    actions.open_commitment_day(today)
    return len(pool)


# kind, names, template, line (True: a GeoJSON LineString of a few segments)
LIFELINES = [
    ("gas_pipeline", ["中压燃气干管", "燃气次高压管线"], "gas_manhole", True),
    ("gas_pipeline", ["燃气支线"], "gas_pressure", True),
    ("gas_station", ["燃气门站", "LNG 气化站", "区域调压站"], "gas_pressure", False),
    ("bridge", ["北江大桥", "滨江人行桥", "跨线桥", "连江路桥"], "bridge", False),
    ("water_supply", ["供水主干管", "DN800 输水管"], "water_supply", True),
    ("drainage", ["雨水干管", "污水干管"], "drainage", True),
    ("waterlogging", ["下穿通道易涝点", "低洼路段易涝点", "地下车库入口易涝点"], "waterlogging", False),
    ("heating", ["工业园区蒸汽管网"], "heating", True),
    ("utility_tunnel", ["综合管廊"], "utility_tunnel", True),
]
N_LIFELINES = 36
# Which district department is the owner (主管部门) of a kind.
KIND_SECTOR = {
    "gas_pipeline": "housing",
    "gas_station": "housing",
    "bridge": "traffic",
    "water_supply": "water",
    "drainage": "housing",
    "waterlogging": "housing",
    "heating": "housing",
    "utility_tunnel": "housing",
}
# Readings that leave the demo with a few alarms to see (template sensor code → value).
ALARMING = {"wd1": 0.31, "lel1": 12.0, "df1": 42.0, "l1": 9.2}


def seed_lifelines(towns: list[Division]) -> int:
    """Lifeline assets in the urban districts (清城区, 清新区), each a city risk point with its checks,
    a monitoring template applied (device, sensors, rules) and a few readings through the ingestion
    pipeline; a few major hazard sources get their tank sensors. All synthetic."""
    from django.apps import apps as django_apps

    from pingan.core import links

    if not towns:
        return 0
    rng = random.Random(SEED + 2)
    now = timezone.now()
    govs = {d.division_id: d for d in Department.objects.filter(kind="township", is_active=True)}
    owners = {
        (d.division_id, d.sector): d
        for d in Department.objects.filter(division__code__in=URBAN, is_active=True, parent=None)
    }
    gas = list(Enterprise.objects.filter(is_active=True, industry="gas", division__path__startswith="4418"))
    assets = []
    for i in range(N_LIFELINES):
        kind, names, template, is_line = LIFELINES[i % len(LIFELINES)]
        town = rng.choice(towns)
        lat, lon = town.lat + rng.uniform(-0.015, 0.015), town.lon + rng.uniform(-0.015, 0.015)
        geometry = None
        if is_line:
            heading = rng.uniform(0, 3.1416)
            import math

            pts = [[lon, lat]]
            for _step in range(rng.randint(3, 6)):
                heading += rng.uniform(-0.5, 0.5)
                pts.append([pts[-1][0] + 0.004 * math.cos(heading), pts[-1][1] + 0.004 * math.sin(heading)])
            geometry = {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in pts]}
            lon, lat = pts[len(pts) // 2]
        department = (
            owners.get((town.parent_id, KIND_SECTOR[kind]))
            or owners.get((town.parent_id, "emergency"))
            or govs.get(town.pk)
        )
        enterprise = rng.choice(gas) if gas and kind.startswith("gas") else None
        name = f"{town.name}{rng.choice(names)}{i // len(LIFELINES) + 1}号"
        ro = RiskObject.objects.create(
            kind=ObjectKind.CITY_POINT,
            point_type=lifelines.KIND_POINT_TYPE[kind],
            name=name,
            division=town,
            department=department,
            lat=lat,
            lon=lon,
            is_synthetic=True,
            created_at=now - dt.timedelta(days=60),
        )
        assets.append(
            (
                LifelineAsset.objects.create(
                    kind=kind,
                    name=name,
                    division=town,
                    department=department,
                    enterprise=enterprise,
                    lat=lat,
                    lon=lon,
                    geometry=geometry,
                    risk_object=ro,
                    is_synthetic=True,
                    created_at=now - dt.timedelta(days=60),
                ),
                template,
            )
        )
    _chains(
        rng,
        [a.risk_object for a, _t in assets],
        now,
        lambda o: lifelines.KIND_CHAIN[o.lifeline_asset.kind][:4],
    )
    if not django_apps.is_installed("pingan.monitoring"):
        return len(assets)
    from pingan.monitoring import services

    def monitor(target: Any, template: str, code: str, lat: Any, lon: Any) -> None:
        device = services.provision(
            None,
            code=code,
            name=f"{target.name} · {lifelines.TEMPLATES[template]['name']}",
            division=target.division,
            department=getattr(target, "department", None),
            enterprise=target.enterprise,
            lat=lat,
            lon=lon,
            location=target.name,
            sensors=lifelines.sensor_specs(template),
            synthetic=True,
        )
        links.link(target, device, actions.MONITORED_BY)
        items = []
        for spec in lifelines.sensor_specs(template):
            lo, hi = spec["min_value"], spec["max_value"]
            base = lo + (hi - lo) * 0.05 if lo >= 0 else 0.0
            for k in range(3):
                ts = now - dt.timedelta(minutes=10 - 4 * k)
                value = ALARMING[spec["code"]] if (spec["code"] in ALARMING and rng.random() < 0.25) else base
                value = value + rng.uniform(0, (hi - lo) * 0.005)
                items.append({"sensor": spec["code"], "ts": ts.isoformat(), "value": round(value, 4)})
        services.ingest(device, items)

    for asset, template in assets:
        monitor(asset, template, f"LL{asset.pk}-{template}-1", asset.lat, asset.lon)
    for src in MajorHazardSource.objects.filter(is_synthetic=True, grade__in=["1", "2", "3"]).select_related(
        "enterprise", "division"
    )[:12]:
        monitor(src, "mhs", f"MHS{src.pk}-mhs-1", src.enterprise.lat, src.enterprise.lon)
    return len(assets)
