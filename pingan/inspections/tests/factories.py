"""Registers for tests: targets from the world's enterprises, inspectors with certificates, items."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pingan.inspections import actions
from pingan.inspections.models import CheckItem, Inspection, Inspector, Plan
from pingan.org.models import User

VALID = dt.date(2030, 12, 31)


def registers(world: Any) -> dict[str, Any]:
    """Targets for both enterprises, two certified inspectors per district, and the hazchem items."""
    actions.do_sync_targets(world.user("city_admin", "city"))
    out: dict[str, Any] = {"inspectors": {}}
    for area in ("qingcheng", "yingde"):
        first = world.user("inspector", area)
        second = User.objects.create_user(
            username=f"{area}_inspector2",
            password="x",
            role="inspector",
            division=first.division,
            department=first.department,
            display_name=f"{area}_inspector2",
        )
        out["inspectors"][area] = [
            Inspector.objects.create(
                user=u,
                department=u.department,
                division=u.division,
                certificate_no=f"44180{n}{area}",
                certificate_expiry=VALID,
            )
            for n, u in enumerate((first, second))
        ]
    out["item"] = CheckItem.objects.create(
        industry="hazchem", code="HC-01", title="动火作业票管理", basis="GB 30871-2022"
    )
    out["major_item"] = CheckItem.objects.create(
        industry="hazchem",
        code="HC-M1",
        title="未按规定进行气体分析",
        basis="化工和危险化学品生产经营单位重大生产安全事故隐患判定标准",
        major=True,
    )
    return out


def drawn_plan(world: Any, *, mode: str = "random", seed: str = "seed-1") -> Plan:
    """A 清城区 plan (key targets in full) drawn by the 清城 emergency bureau."""
    staff = world.user("dept_staff", "qingcheng")
    plan = actions.do_create_plan(
        staff,
        name="2026年危化品双随机抽查",
        year=2026,
        division=world.districts["qingcheng"],
        mode=mode,
        ratio="0.5",
    )
    actions.do_draw(staff, plan, seed=seed, on=dt.date(2026, 3, 2))
    plan.refresh_from_db()
    return plan


def the_inspection(plan: Plan) -> Inspection:
    return Inspection.objects.get(plan=plan)
