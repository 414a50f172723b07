"""Emergency-plan demo (idempotent): the city's general plan, a special plan of each of two districts, a
township's flood plan and on-site plans of a few enterprises, each with tasks per department and level.
Labelled "(示例)"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.core import audit

from . import actions, rules
from .choices import OwnerLevel, PlanKind, PlanState
from .models import Plan, PlanRevision, PlanTask

MARK = "(示例)"


def _dept(division: Any, sector: str) -> Any:
    from pingan.org.models import Department

    return Department.objects.filter(division=division, sector=sector).order_by("pk").first()


def _plan(
    title: str,
    kind: str,
    owner: str,
    division: Any,
    event_types: list[str],
    levels: list[str],
    tasks: list[tuple[str, Any, str, str, str, int]],
    *,
    department: Any = None,
    enterprise: Any = None,
    published_on: dt.date,
) -> Plan | None:
    if Plan.objects.filter(title=title + MARK).exists():
        return None
    plan = Plan.objects.create(
        number=actions._next_number(),
        title=title + MARK,
        kind=kind,
        owner_level=owner,
        division=division,
        department=department,
        enterprise=enterprise,
        event_types=event_types,
        levels=levels,
        summary=title,
        state=PlanState.EFFECTIVE,
        high_risk=bool(enterprise and rules.is_high_risk(enterprise.industry, enterprise.scale)),
        published_on=published_on,
    )
    for i, (level, dept, org, role, text, minutes) in enumerate(tasks):
        if dept is None and not org:
            continue
        PlanTask.objects.create(
            plan=plan,
            level=level,
            department=dept,
            organisation=org,
            role=role,
            text=text,
            due_minutes=minutes,
            order=i,
        )
    PlanRevision.objects.create(
        plan=plan, version=1, summary="示例数据", snapshot=actions._full_snapshot(plan)
    )
    audit.record("plans.plan.create", plan, actor="system:demo", after=actions._snapshot_plan(plan))
    if enterprise is not None:
        actions._set_drill_deadline(plan, published_on)
        due = rules.filing_due(published_on)
        from pingan.core import deadlines

        deadlines.create(
            plan,
            kind=actions.FILING,
            title=f"预案备案:{plan.title}",
            due_at=actions._end_of_day(due),
            division=plan.division,
        )
    actions._set_evaluation_deadline(plan, published_on)
    return plan


def seed(log: Callable[[str], Any] = print) -> None:
    from pingan.geo.models import Division
    from pingan.org.choices import Sector
    from pingan.org.models import Enterprise

    city = Division.objects.filter(code="441800").first()
    if city is None:
        log("plans: no city division (geo demo missing): skipped")
        return
    districts = list(Division.objects.filter(parent=city).order_by("code")[:2])
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        em, fire = _dept(city, Sector.EMERGENCY), _dept(city, Sector.FIRE)
        health, police = _dept(city, Sector.HEALTH), _dept(city, Sector.POLICE)
        if _plan(
            "清远市突发事件总体应急预案",
            PlanKind.GENERAL,
            OwnerLevel.CITY,
            city,
            [],
            ["1", "2", "3", "4"],
            [
                ("4", em, "", "指导", "跟踪事态发展,指导县级应急处置", 60),
                ("3", em, "", "牵头", "派出工作组赶赴现场", 60),
                ("2", em, "", "牵头", "成立市应急指挥部,组织会商研判", 30),
                ("2", police, "", "配合", "现场警戒和交通管制", 60),
                ("2", health, "", "配合", "组织医疗救治和卫生防疫", 60),
                ("1", em, "", "牵头", "报请省应急指挥机构支援", 30),
            ],
            department=em,
            published_on=today - dt.timedelta(days=400),
        ):
            made += 1
        for d in districts:
            dem, dfire = _dept(d, Sector.EMERGENCY), _dept(d, Sector.FIRE)
            if _plan(
                f"{d.name}生产安全事故专项应急预案",
                PlanKind.SPECIAL,
                OwnerLevel.DISTRICT,
                d,
                ["workplace", "fire", "environment"],
                ["3", "4"],
                [
                    ("4", dem, "", "牵头", "核实事故情况,30分钟内电话报告上级", 30),
                    ("4", dfire, "", "救援", "出动救援力量开展现场处置", 20),
                    ("4", None, "事发乡镇(街道)", "属地", "疏散周边群众,设置警戒区", 45),
                    ("3", dem, "", "牵头", "成立现场指挥部,调集专家和救援队伍", 60),
                    ("3", fire, "", "增援", "调派市级增援力量", 90),
                ],
                department=dem,
                published_on=today - dt.timedelta(days=200),
            ):
                made += 1
        town = Division.objects.filter(level="town", parent__in=districts).order_by("code").first()
        if town is not None and _plan(
            f"{town.name}防汛防地质灾害应急预案",
            PlanKind.SPECIAL,
            OwnerLevel.TOWNSHIP,
            town,
            ["flood_drought", "geological", "weather"],
            ["3", "4"],
            [
                ("4", _dept(town, Sector.GOVERNMENT), "", "牵头", "巡查山洪和地质灾害隐患点", 60),
                ("4", None, "各村(居)委会", "属地", "转移危险区域群众", 120),
                ("3", _dept(town, Sector.GOVERNMENT), "", "牵头", "启用避护场所,安置转移群众", 180),
            ],
            department=_dept(town, Sector.GOVERNMENT),
            published_on=today - dt.timedelta(days=900),
        ):
            made += 1
        for ent in Enterprise.objects.filter(industry__in=["hazchem", "fireworks"]).order_by("pk")[:3]:
            if _plan(
                f"{ent.name}泄漏事故现场处置方案",
                PlanKind.ONSITE,
                OwnerLevel.ENTERPRISE,
                ent.division,
                ["workplace", "fire"],
                ["4"],
                [
                    ("4", None, "生产部", "现场处置", "切断泄漏源,启动应急喷淋", 10),
                    ("4", None, "安全环保部", "警戒疏散", "划定警戒区,疏散无关人员", 15),
                    ("4", None, "企业负责人", "报告", "向属地应急管理部门报告", 60),
                ],
                enterprise=ent,
                published_on=today - dt.timedelta(days=170),
            ):
                made += 1
    log(f"plans: {made} demo plans" if made else "plans: demo plans already present")
    _demo_response(log)


def _demo_response(log: Callable[[str], Any]) -> None:
    """One response on the board: the city's general plan activated for an open demo incident, the
    first task done (by the city administrator, standing in for the department)."""
    from pingan.org.models import User

    from .models import Activation

    if Activation.objects.exists():
        return
    admin = User.objects.filter(username="city_admin", is_active=True).first()
    if admin is None:
        log("plans: no city_admin account: no demo response")
        return
    from pingan.emergency.services import visible_incidents

    candidates = []
    for inc in visible_incidents(admin).filter(state="open", is_synthetic=True).order_by("pk"):
        event = actions.event_of(admin, incident_id=inc.pk)
        plans = [p for p in actions.matching_plans(admin, event) if p.title.endswith(MARK)]
        if plans:
            candidates.append((plans[0].kind == PlanKind.GENERAL, inc.pk, inc, event, plans[0]))
    for _general, _pk, inc, event, plan in sorted(candidates, key=lambda c: (c[0], c[1]))[:1]:
        level = event["level"] if event["level"] in plan.levels else max(plan.levels)
        with transaction.atomic():
            a = actions.do_activate(admin, plan, event, level, "示例响应")
            first = a.tasks.order_by("due_at").first()
            if first is not None:
                actions.do_update_task(admin, first, "done", "示例:已完成")
        log(f"plans: demo response for {inc.number}")
        return
