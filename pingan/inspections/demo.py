"""Demo data: the spot-check item list, targets from the enterprises, certified inspectors (the
`qingcheng_inspector` account and synthetic colleagues), a drawn random plan and a covert plan in
清城区, and a special-work permit of the demo enterprise. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.geo.models import Division
from pingan.org.models import Department, Enterprise, User

from . import actions
from .models import CheckItem, Inspector, Plan, Target

PLAN_NAME = "2026年清城区危险化学品双随机抽查(演示)"
COVERT_NAME = "2026年清城区燃气暗查暗访(演示)"

ITEMS = [
    (
        "hazchem",
        "HC-01",
        "安全生产许可证及危险化学品登记",
        "安全生产许可证条例; 危险化学品安全管理条例",
        False,
    ),
    ("hazchem", "HC-02", "特殊作业票证管理(动火、受限空间等)", "GB 30871-2022", False),
    (
        "hazchem",
        "HC-03",
        "涉及重大危险源未设置自动化控制系统",
        "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准",
        True,
    ),
    (
        "hazchem",
        "HC-04",
        "主要负责人和安全管理人员未经考核合格",
        "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准",
        True,
    ),
    ("mining", "MN-01", "安全出口和通风系统", "金属非金属矿山重大事故隐患判定标准", True),
    ("mining", "MN-02", "安全教育培训记录", "安全生产法 第二十八条", False),
    ("fireworks", "FW-01", "工(库)房超员超量", "烟花爆竹生产经营单位重大生产安全事故隐患判定标准", True),
    ("gas", "GS-01", "瓶装液化石油气使用场所安全", "城镇燃气管理条例", False),
    ("gas", "GS-02", "燃气泄漏报警和切断装置", "城镇燃气经营安全重大隐患判定标准", True),
    ("construction", "CN-01", "深基坑和高支模专项方案", "危险性较大的分部分项工程安全管理规定", False),
]


def seed(log: Callable[[str], Any] = print) -> None:
    if Plan.objects.filter(name=PLAN_NAME).exists():
        log("inspections: demo already present")
        return
    planner = User.objects.filter(username="qingcheng_em").first()
    district = Division.objects.filter(code="441802").first()
    if planner is None or district is None:
        log("inspections: demo accounts or divisions missing — skipped")
        return
    with transaction.atomic():
        for industry, code, title, basis, major in ITEMS:
            CheckItem.objects.get_or_create(
                code=code, defaults={"industry": industry, "title": title, "basis": basis, "major": major}
            )
        existing = set(Target.objects.values_list("enterprise_id", flat=True))
        Target.objects.bulk_create(
            [
                Target(
                    enterprise=e,
                    division_id=e.division_id,
                    industry=e.industry,
                    key_supervision=e.key_supervision,
                )
                for e in Enterprise.objects.filter(is_active=True).exclude(pk__in=existing)
            ]
        )
        inspectors = _inspectors()
        plan = actions.do_create_plan(
            planner,
            name=PLAN_NAME,
            year=2026,
            division=district,
            mode="random",
            ratio="0.05",
            industry="hazchem",
        )
        actions.do_draw(planner, plan, seed="qingyuan-2026-demo")
        covert = actions.do_create_plan(
            planner,
            name=COVERT_NAME,
            year=2026,
            division=district,
            mode="covert",
            ratio="0.02",
            industry="gas",
        )
        actions.do_draw(planner, covert, seed="qingyuan-2026-covert")
        _permit(log)
    items, targets = CheckItem.objects.count(), Target.objects.count()
    log(f"inspections: {items} items, {targets} targets, {inspectors} inspectors, 2 plans drawn")


def _inspectors() -> int:
    """Certified inspectors of every district's emergency bureau: the demo account and three synthetic."""
    expiry = timezone.localdate() + dt.timedelta(days=730)
    made = 0
    account = (
        User.objects.filter(username="qingcheng_inspector").select_related("department", "division").first()
    )
    if account is not None and account.department_id and account.division_id:
        Inspector.objects.get_or_create(
            user=account,
            defaults={
                "department": account.department,
                "division": account.division,
                "certificate_no": "44180200001",
                "certificate_expiry": expiry,
            },
        )
        made += 1
    for dept in Department.objects.filter(code__endswith="-em", division__level="district").select_related(
        "division"
    ):
        code = dept.division.code
        for n in range(1, 4):
            user, _created = User.objects.get_or_create(
                username=f"insp-{code}-{n}",
                defaults={
                    "role": "inspector",
                    "division": dept.division,
                    "department": dept,
                    "display_name": f"{dept.division.name}执法人员{n}",
                },
            )
            if _created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Inspector.objects.get_or_create(
                user=user,
                defaults={
                    "department": dept,
                    "division": dept.division,
                    "certificate_no": f"{code}1{n:04d}",
                    "certificate_expiry": expiry,
                },
            )
            made += 1
    return made


def _permit(log: Callable[[str], Any]) -> None:
    account = User.objects.filter(username="enterprise_demo").select_related("enterprise").first()
    if account is None or account.enterprise is None:
        log("inspections: no demo enterprise account — no permit")
        return
    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=10)
    actions.do_apply_permit(
        account,
        account.enterprise,
        work_type="hot_work",
        grade="second",
        location="储罐区 T-101 旁管廊",
        work="管线法兰更换焊接",
        applicant="演示企业安全员",
        guardian="王监护",
        measures=["清除周边可燃物", "配备灭火器两具"],
        valid_from=start,
        valid_until=start + dt.timedelta(hours=8),
        gas_analyses=[{"sampled_at": start - dt.timedelta(minutes=15), "lel": "5", "concentration": "0.1"}],
    )
