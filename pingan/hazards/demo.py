"""Synthetic hazard cases across Qingyuan (labelled is_synthetic): every state, every category, some
overdue, some MAJOR with plan, report and listed supervision. Bulk inserts: a few seconds.

Idempotent: does nothing when the synthetic cases are already there. Needs the geo and org demo
(towns with geometry, departments by sector); skips with a log line when they are missing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from pingan.core.models import AuditEvent, Deadline
from pingan.geo.models import Division
from pingan.org.choices import Sector
from pingan.org.models import Department, Enterprise

from . import rules
from .actions import find_route
from .choices import Grade, ReviewState, Source, State, TaskRole, TaskState
from .defaults import ensure_defaults
from .models import CaseTask, Category, Comment, HazardCase, RegulatorReport, Subscription, TreatmentPlan

N_CASES = 3000
SEED = 20260101

TITLES = {
    "fire": ["消防通道被占用", "灭火器过期", "安全出口锁闭", "消防栓无水", "疏散指示灯损坏"],
    "hazchem": ["储罐区可燃气体报警器失效", "危化品仓库超量储存", "装卸区静电接地缺失", "管道法兰渗漏"],
    "road_traffic": ["急弯路段缺少警示标志", "护栏缺失", "路面塌陷", "信号灯故障", "临崖路段无防护"],
    "construction": ["脚手架未设连墙件", "深基坑无防护栏杆", "塔吊限位失效", "高处作业未系安全带"],
    "gas": ["餐饮店液化气瓶无减压阀", "燃气管道被占压", "燃气泄漏报警器缺失", "瓶装气违规储存"],
    "special_equipment": ["电梯超期未检", "锅炉安全阀失效", "起重机械无证操作"],
    "flood_geo": ["河堤渗水", "山体滑坡迹象", "排水沟堵塞", "危房临水"],
    "industry_trade": ["粉尘涉爆车间未清扫", "有限空间作业无审批", "液氨制冷机房无通风", "冲压设备无防护"],
    "mining": ["边坡超高超陡", "排土场无截排水", "爆破器材管理混乱"],
    "school": ["校舍墙体开裂", "校门口无减速带", "宿舍私拉电线"],
    "crowded": ["商场安全出口堵塞", "KTV疏散通道狭窄", "市场电线私拉乱接"],
    "other": ["广告牌松动", "井盖缺失", "树木倾斜压线"],
}
# (state, weight)
STATES = [
    (State.CLOSED, 46),
    (State.RECTIFYING, 12),
    (State.ASSIGNED, 9),
    (State.AWAITING_ACCEPTANCE, 6),
    (State.SUBMITTED, 6),
    (State.REGISTERED, 4),
    (State.DECLINED, 4),
    (State.RETURNED, 2),
    (State.MERGED, 2),
    (State.BACKLOG, 2),
    (State.REPORTED, 1),
    (State.PLAN_APPROVED, 1),
]
SOURCES = [
    (Source.GRID, 40),
    (Source.PUBLIC, 20),
    (Source.CONSOLE, 10),
    (Source.ENTERPRISE, 10),
    (Source.INSPECTION, 8),
    (Source.MONITORING, 5),
    (Source.OPEN311, 4),
    (Source.HIGHER, 3),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def seed(log: Callable[[str], Any] = print, n: int = N_CASES) -> None:
    ensure_defaults()
    have = HazardCase.objects.filter(is_synthetic=True).count()
    if have >= n:
        log(f"synthetic hazard cases already present ({have})")
        fixed = repair()
        if fixed:
            log(f"{fixed} synthetic hazard cases put back in agreement (district, division, lead department)")
        return
    towns = list(Division.objects.filter(level="town").exclude(lat=None).select_related("parent"))
    if not towns:
        log("no towns with a position yet (geo demo): hazards skipped")
        return
    depts = list(Department.objects.filter(is_active=True).select_related("division"))
    if not depts:
        log("no departments yet (org demo): hazards skipped")
        return
    with transaction.atomic():
        made = generate(n - have, towns, depts, log)
    log(f"{made} synthetic hazard cases across {len({t.parent_id for t in towns})} districts (合成演示数据)")


@transaction.atomic
def repair() -> int:
    """Demo databases seeded before the fix hold synthetic cases whose district, division and lead
    department disagree: the district becomes the division's, the lead a department of the same
    sector in the case's town, district or city (its task and open deadline follow). Real cases are
    never touched. Returns how many cases changed."""
    from pingan.core.models import Deadline

    by_sector_div: dict[tuple[str, int], Department] = {}
    for d in Department.objects.filter(is_active=True).select_related("division").order_by("pk"):
        by_sector_div.setdefault((d.sector, d.division_id), d)
    by_code = {d.code: d for d in Division.objects.filter(level__in=["city", "district", "town"])}
    ct = ContentType.objects.get_for_model(HazardCase)
    fixed = 0
    cases = HazardCase.objects.filter(is_synthetic=True).select_related(
        "division", "district", "lead_department__division"
    )
    for c in cases.iterator(chunk_size=1000):
        path = c.division.path
        district = by_code.get(c.division.code[:6])
        lead = c.lead_department
        bad_district = district is not None and c.district_id != district.pk
        bad_lead = lead is not None and not path.startswith(lead.division.path)
        if not (bad_district or bad_lead):
            continue
        if bad_district:
            c.district = district
        if bad_lead and lead is not None:
            chain = [by_code.get(c.division.code[:9]), district, by_code.get(c.division.code[:4] + "00")]
            new = None
            for sector in (lead.sector, Sector.GOVERNMENT):
                new = next(
                    (
                        by_sector_div.get((sector, d.pk))
                        for d in chain
                        if d is not None and by_sector_div.get((sector, d.pk))
                    ),
                    None,
                )
                if new is not None:
                    break
            if new is not None:
                CaseTask.objects.filter(case=c, department=lead).update(department=new)
                Deadline.objects.filter(content_type=ct, object_id=str(c.pk), department=lead).update(
                    department=new, division=c.division
                )
                c.lead_department = new
        HazardCase.objects.filter(pk=c.pk).update(district=c.district, lead_department=c.lead_department)
        fixed += 1
    return fixed


def generate(
    n: int,
    towns: list[Division],
    depts: list[Department],
    log: Callable[[str], Any] = print,
    seed_value: int = SEED,
    bulk: int = 2000,
    with_extras: bool = True,
) -> int:
    """Bulk-create `n` synthetic cases; also used by the benchmark (with_extras=False: cases only)."""
    from pingan.geo import lookup

    rng = random.Random(seed_value + HazardCase.objects.count())
    now = timezone.now()
    cats = {c.code: c for c in Category.objects.all()}
    leaf = [c for c in cats.values() if not c.children.exists()] if with_extras else list(cats.values())
    by_sector_div: dict[tuple[str, int], Department] = {}
    for d in depts:
        by_sector_div.setdefault((d.sector, d.division_id), d)
    districts = {t.parent_id: t.parent for t in towns}
    dispatch = next((d for d in depts if d.sector == Sector.DISPATCH), None)
    enterprises = list(
        Enterprise.objects.filter(is_active=True).only("id", "division_id", "lat", "lon")[:2000]
    )
    routes = {c.pk: find_route(c, Grade.GENERAL) for c in leaf} if with_extras else {}
    paths = dict(Division.objects.values_list("id", "path"))  # bulk_create skips save(): the path by hand

    town_by_id = {t.pk: t for t in towns}
    town_by_path = {t.path: t for t in towns}
    path_of = dict(Division.objects.values_list("pk", "path")) if with_extras else {}

    def lead_for(cat: Category, town: Division) -> Department | None:
        """The routing table's lead sector in the case's own town, else its district, else the city:
        never a department of another area (the demo used to mix them)."""
        rule = routes.get(cat.pk)
        sector = rule.lead_sector if rule else Sector.EMERGENCY
        for div_id in (town.pk, town.parent_id, town.parent.parent_id if town.parent else None):
            d = by_sector_div.get((sector, div_id))
            if d is not None:
                return d
        return by_sector_div.get((Sector.GOVERNMENT, town.pk)) or by_sector_div.get(
            (Sector.GOVERNMENT, town.parent_id)
        )

    def town_of(division_id: int) -> Division | None:
        """The town a division lies in (itself, or the town whose path prefixes its path)."""
        if division_id in town_by_id:
            return town_by_id[division_id]
        path = path_of.get(division_id, "")
        for n in range(len(path), 0, -1):
            if path[:n] in town_by_path:
                return town_by_path[path[:n]]
        return None

    cases: list[HazardCase] = []
    made = 0
    for _i in range(n):
        town = rng.choice(towns)
        cat = rng.choice(leaf)
        root = cat.parent.code if cat.parent_id else cat.code
        title = rng.choice(TITLES.get(root, TITLES["other"]))
        state = _pick(rng, STATES)
        grade = Grade.MAJOR if rng.random() < 0.04 else Grade.GENERAL
        if state in (State.REPORTED, State.PLAN_APPROVED):
            grade = Grade.MAJOR
        created = now - dt.timedelta(days=rng.uniform(0, 540), minutes=rng.randint(0, 1440))
        lat = town.lat + rng.uniform(-0.03, 0.03)
        lon = town.lon + rng.uniform(-0.03, 0.03)
        division_id = town.pk
        if with_extras:
            # The point decides the place: its town (and so its district and lead department) is the
            # one the point falls in, not the town it was scattered from (about 600 demo cases sat
            # in one district with a division and lead department of another).
            located = lookup.locate_id(lat, lon)
            if located is not None and town_of(located) is not None:
                division_id = located
                town = town_of(located) or town
            else:
                lat, lon = town.lat, town.lon  # outside every town's boundary: the town's centre
        source = _pick(rng, SOURCES)
        ent = None
        if source in (Source.ENTERPRISE, Source.INSPECTION, Source.MONITORING) and enterprises:
            candidate = rng.choice(enterprises)
            ent_town = town_of(candidate.division_id) if with_extras else None
            if ent_town is not None:  # an enterprise's case is where the enterprise is
                ent = candidate
                town = ent_town
                division_id = candidate.division_id
                if candidate.lat is not None:
                    lat, lon = candidate.lat, candidate.lon
        lead = (
            lead_for(cat, town)
            if state
            not in (State.SUBMITTED, State.REGISTERED, State.DECLINED, State.REPORTED, State.PLAN_APPROVED)
            else None
        )
        case = HazardCase(
            title=title,
            description=f"{town.name}:{title}(合成演示数据)",
            category=cat,
            grade=grade,
            state=state,
            source=source,
            lat=lat,
            lon=lon,
            address=f"{town.parent.name if town.parent else ''}{town.name}",
            division_id=division_id,
            division_path=paths.get(division_id, ""),
            district=districts.get(town.parent_id),
            enterprise_id=ent.pk if ent else None,
            lead_department=lead,
            created_at=created,
            updated_at=created,
            is_synthetic=True,
            reporter_name="合成" if source == Source.PUBLIC else "",
        )
        if state != State.SUBMITTED:
            case.registered_at = created + dt.timedelta(hours=rng.uniform(1, 20))
        if lead is not None:
            case.assigned_at = case.registered_at + dt.timedelta(hours=rng.uniform(0.5, 30))
            days = rng.choice([3, 5, 5, 10, 20])
            case.due_at = case.assigned_at + dt.timedelta(days=days)
        if state == State.CLOSED:
            took = dt.timedelta(days=rng.lognormvariate(1.6, 0.8))
            case.rectified_at = min(now, created + took * 0.8)
            case.closed_at = min(now, created + took)
            case.due_at = None
            case.updated_at = case.closed_at
            if rng.random() < 0.12 and grade == Grade.GENERAL:
                case.fixed_on_spot = True
        elif state in (State.DECLINED, State.MERGED, State.BACKLOG):
            case.due_at = None
            case.public_note = "不属于安全隐患" if state == State.DECLINED else ""
        elif state in (State.SUBMITTED, State.RETURNED):
            case.due_at = created + dt.timedelta(hours=rng.choice([4, 8, 24]))
        elif state == State.AWAITING_ACCEPTANCE:
            case.rectified_at = min(now, (case.assigned_at or created) + dt.timedelta(days=rng.uniform(1, 6)))
            case.due_at = case.rectified_at + dt.timedelta(days=3)
        # Most open cases are on time: push a share of the due dates into the future.
        if case.due_at is not None and case.due_at < now and rng.random() < 0.7:
            case.due_at = now + dt.timedelta(days=rng.uniform(0.5, 12))
        if grade == Grade.MAJOR and state not in (State.SUBMITTED, State.REGISTERED, State.DECLINED):
            case.listed = rng.random() < 0.5
            case.listed_authority = "清远市安全生产委员会办公室" if case.listed else ""
            case.listed_at = case.registered_at if case.listed else None
        # About one dispatched case in five is handled jointly with the town's government (协办).
        co = by_sector_div.get((Sector.GOVERNMENT, town.pk)) if lead is not None else None
        if co is not None and co.pk != lead.pk and with_extras and rng.random() < 0.2:
            case._demo_co = co.pk  # type: ignore[attr-defined]
        cases.append(case)
        if len(cases) >= bulk:
            HazardCase.objects.bulk_create(cases, batch_size=1000)
            if with_extras:
                _extras(cases, rng, dispatch, now)
            made += len(cases)
            cases = []
    if cases:
        HazardCase.objects.bulk_create(cases, batch_size=1000)
        if with_extras:
            _extras(cases, rng, dispatch, now)
        made += len(cases)
    return made


def _extras(
    cases: list[HazardCase], rng: random.Random, dispatch: Department | None, now: dt.datetime
) -> None:
    """Tasks, deadlines (already escalated where overdue, so the first reconcile sends nothing old),
    plans and reports for MAJOR cases, public comments, a submit audit event each."""
    if cases and cases[0].pk is None:  # databases that do not return ids from bulk_create
        ids = dict(
            HazardCase.objects.filter(tracking_code__in=[c.tracking_code for c in cases]).values_list(
                "tracking_code", "pk"
            )
        )
        for c in cases:
            c.pk = ids[c.tracking_code]
    ct = ContentType.objects.get_for_model(HazardCase)
    tasks, deadlines_, plans, reports, comments, events = [], [], [], [], [], []
    regulators = {d.division_id: d for d in Department.objects.filter(sector=Sector.EMERGENCY)}
    open_states = {
        State.ASSIGNED,
        State.RECTIFYING,
        State.AWAITING_ACCEPTANCE,
        State.SUBMITTED,
        State.RETURNED,
    }
    for c in cases:
        events.append(
            AuditEvent(
                at=c.created_at,
                action="hazards.case.submit",
                content_type=ct,
                object_id=str(c.pk),
                object_repr=f"{c.number} {c.title}"[:200],
                note="合成演示数据 synthetic",
                channel="command",
                after={"state": State.SUBMITTED, "source": c.source},
            )
        )
        if c.lead_department_id:
            done = c.state in (State.CLOSED, State.AWAITING_ACCEPTANCE)
            tasks.append(
                CaseTask(
                    case=c,
                    department_id=c.lead_department_id,
                    role=TaskRole.LEAD,
                    state=TaskState.DONE
                    if done
                    else (TaskState.WORKING if c.state == State.RECTIFYING else TaskState.PENDING),
                    created_at=c.assigned_at or c.created_at,
                    updated_at=c.updated_at,
                    done_at=c.rectified_at if done else None,
                )
            )
        co_id = getattr(c, "_demo_co", None)
        if co_id is not None:
            finished = c.state in (State.CLOSED, State.AWAITING_ACCEPTANCE) or rng.random() < 0.5
            tasks.append(
                CaseTask(
                    case=c,
                    department_id=co_id,
                    role=TaskRole.CO,
                    state=TaskState.DONE if finished else TaskState.PENDING,
                    note="已配合现场处置(合成演示数据)" if finished else "",
                    created_at=c.assigned_at or c.created_at,
                    updated_at=c.updated_at,
                    done_at=(c.rectified_at or c.updated_at) if finished else None,
                )
            )
        if c.state in open_states and c.due_at is not None:
            kind = {
                State.SUBMITTED: "hazards.register",
                State.RETURNED: "hazards.register",
                State.AWAITING_ACCEPTANCE: "hazards.accept",
            }.get(c.state, "hazards.rectify")
            dept_id = (
                c.lead_department_id if kind == "hazards.rectify" else (dispatch.pk if dispatch else None)
            )
            start = c.assigned_at or c.created_at
            overdue = c.due_at < now
            deadlines_.append(
                Deadline(
                    kind=kind,
                    title=f"隐患: {c.title}"[:200],
                    content_type=ct,
                    object_id=str(c.pk),
                    division_id=c.division_id,
                    department_id=dept_id,
                    starts_at=start,
                    due_at=c.due_at,
                    remind_at=start + (c.due_at - start) * (1 - rules.REMIND_SHARE),
                    reminded_at=now if overdue else None,
                    escalated_at=now if overdue else None,
                    escalation_level=2 if overdue else 0,
                    data={"case": c.pk, "synthetic": True},
                )
            )
        if c.grade == Grade.MAJOR and c.state not in (State.SUBMITTED, State.REGISTERED, State.DECLINED):
            approved = c.state != State.REPORTED
            plans.append(
                TreatmentPlan(
                    case=c,
                    goal_tasks="消除重大事故隐患,恢复安全生产条件",
                    methods="停产整改,更换设备,完善防护设施",
                    funding_materials="企业自筹资金,物资已落实",
                    organisation_people="企业主要负责人牵头,安全部门实施",
                    time_limit_requirements="60 日内完成整改并申请验收",
                    deadline=(c.registered_at + dt.timedelta(days=60)).date(),
                    safety_emergency="设置警戒区,制定专项应急预案",
                    state=ReviewState.APPROVED if approved else ReviewState.PENDING,
                    created_at=c.registered_at,
                    approved_at=c.registered_at + dt.timedelta(days=2) if approved else None,
                )
            )
            authority = regulators.get(c.district_id)
            if authority is not None:
                reports.append(
                    RegulatorReport(
                        case=c,
                        authority=authority,
                        current_state_cause="设备老化,管理缺失",
                        harm_difficulty="可能造成重大人员伤亡,需停产治理",
                        reported_at=c.registered_at + dt.timedelta(days=1),
                    )
                )
        if c.state in (State.CLOSED, State.RECTIFYING) and rng.random() < 0.3:
            comments.append(
                Comment(
                    case=c,
                    department_id=c.lead_department_id,
                    is_public=True,
                    body="已安排人员现场处置" if c.state == State.RECTIFYING else "整改已完成并通过验收",
                    created_at=c.updated_at,
                )
            )
    CaseTask.objects.bulk_create(tasks, batch_size=1000)
    Deadline.objects.bulk_create(deadlines_, batch_size=1000)
    TreatmentPlan.objects.bulk_create(plans, batch_size=1000)
    RegulatorReport.objects.bulk_create(reports, batch_size=1000)
    Comment.objects.bulk_create(comments, batch_size=1000)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    # The demo citizen follows a few public reports (to see "my cases" on the portal).
    from pingan.org.models import User

    citizen = User.objects.filter(username="citizen").first()
    if citizen is not None:
        public = [c for c in cases if c.source == Source.PUBLIC][:5]
        Subscription.objects.bulk_create(
            [Subscription(case=c, user=citizen) for c in public], ignore_conflicts=True
        )
