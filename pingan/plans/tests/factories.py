"""Plans and incidents for the tests, made through the actions (so each test starts from real history)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.emergency.models import Incident
from pingan.plans import actions
from pingan.plans.models import Plan

_n = [0]


def tasks_for(world: Any, area: str = "qingcheng") -> list[dict[str, Any]]:
    d = world.departments
    em, fire = (d["qc_em"], d["qc_fire"]) if area == "qingcheng" else (d["yd_em"], d["yd_fire"])
    return [
        {
            "level": "4",
            "department": em,
            "organisation": "",
            "role": "牵头",
            "text": "核实并报告",
            "due_minutes": 30,
        },
        {
            "level": "4",
            "department": fire,
            "organisation": "",
            "role": "救援",
            "text": "出动救援",
            "due_minutes": 20,
        },
        {
            "level": "3",
            "department": d["city_em"],
            "organisation": "",
            "role": "增援",
            "text": "调派专家",
            "due_minutes": 90,
        },
    ]


def plan_data(world: Any, area: str = "qingcheng", **over: Any) -> dict[str, Any]:
    data = {
        "title": "清城区生产安全事故专项应急预案",
        "kind": "special",
        "owner_level": "district",
        "division": world.districts[area],
        "department": None,
        "enterprise": None,
        "event_types": ["workplace", "fire"],
        "levels": ["3", "4"],
        "summary": "",
    }
    return data | over


def draft_plan(
    world: Any, area: str = "qingcheng", *, by: Any = None, tasks: Any = None, **over: Any
) -> Plan:
    writer = by or world.user("area_staff", area)
    return actions.do_create_plan(
        writer, plan_data(world, area, **over), tasks if tasks is not None else tasks_for(world, area)
    )


def effective_plan(world: Any, area: str = "qingcheng", **over: Any) -> Plan:
    plan = draft_plan(world, area, **over)
    by = world.user("area_staff", area)
    if plan.enterprise_id:
        by = world.user("enterprise", area)
    return actions.do_publish(by, plan, timezone.localdate())


def incident(world: Any, area: str = "qingcheng", **over: Any) -> Incident:
    _n[0] += 1
    data = {
        "number": f"T{_n[0]:05d}-{area}",
        "title": "化工企业火灾",
        "category": "accident",
        "subtype": "fire",
        "occurred_at": timezone.now() - dt.timedelta(minutes=20),
        "division": world.towns[area],
        "grade": "general",
    }
    return Incident.objects.create(**(data | over))


def activation(world: Any, area: str = "qingcheng", level: str = "4") -> Any:
    plan = effective_plan(world, area)
    inc = incident(world, area)
    leader = world.user("duty_leader", area)
    return actions.do_activate(leader, plan, actions.event_of(leader, incident_id=inc.pk), level)
