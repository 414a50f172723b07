"""Demo responsibility lists and this year's assessment (examples, labelled 示例 in their text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

DUTIES = {
    "party": [
        "[示例] 把安全生产纳入党委常委会重要议事日程,每季度至少专题研究一次",
        "[示例] 督促政府班子成员落实分管领域安全生产责任",
        "[示例] 将安全生产纳入干部考核和巡察内容",
    ],
    "government": [
        "[示例] 组织制定年度安全生产工作要点和重大隐患整治方案",
        "[示例] 保障安全生产监管、应急救援和监测预警经费",
        "[示例] 每年至少组织一次综合应急演练",
    ],
    "department": [
        "[示例] 落实行业领域安全监管责任,按计划开展执法检查",
        "[示例] 重大事故隐患挂牌督办,按期销号",
        "[示例] 本系统从业人员安全培训全覆盖",
    ],
}
# (username of the holder, post, kind, division code, department code or None, signed?)
POSTS = [
    ("city_admin", "清远市人民政府市长", "government", "441800", None, True),
    ("city_em", "清远市应急管理局局长", "department", "441800", "441800-em", True),
    ("dispatcher", "清远市安全隐患受理中心主任", "department", "441800", "441800-dispatch", False),
    ("qingcheng_staff", "清城区委书记", "party", "441802", None, True),
    ("qingcheng_em", "清城区应急管理局局长", "department", "441802", "441802-em", True),
    ("yingde_staff", "英德市委书记", "party", "441881", None, False),
    ("yingde_duty", "英德市应急管理局值班室主任", "department", "441881", None, True),
]


def seed(log: Callable[[str], Any] = print) -> None:
    from pingan.geo.models import Division
    from pingan.org.models import Department, User

    from . import actions, scoring
    from .choices import Source
    from .models import Assessment, ResponsibilityList

    year = timezone.localdate().year
    admin = User.objects.filter(username="city_admin").first()
    if admin is None:
        log("assessment: no city_admin demo account; skipped")
        return
    made = 0
    for username, post, kind, div_code, dept_code, signed in POSTS:
        holder = User.objects.filter(username=username).first()
        division = Division.objects.filter(code=div_code).first()
        if holder is None or division is None or holder.division_id is None:
            continue
        if ResponsibilityList.objects.filter(year=year, division=division, post=post).exists():
            continue
        lst = actions.do_create_list(
            admin,
            {
                "year": year,
                "post": post,
                "kind": kind,
                "division": division,
                "department": Department.objects.filter(code=dept_code).first() if dept_code else None,
                "holder": holder,
                "items": DUTIES["department" if kind in ("department", "deputy") else kind],
                # Signed ones sign today, on time; the others are overdue (a reminder was due).
                "sign_by": timezone.localdate() if signed else timezone.localdate() - dt.timedelta(days=10),
            },
        )
        if signed:
            actions.do_sign(holder, lst)
        made += 1
    assessment = Assessment.objects.filter(year=year).first()
    if assessment is None:
        assessment = actions.do_open(admin, year)
        units = scoring.units()
        for n, item in enumerate(assessment.items.filter(source=Source.MANUAL)):
            for i, unit in enumerate(units[item.unit_kind]):
                actions.do_score(
                    admin,
                    assessment,
                    item=item.pk,
                    unit=unit["code"],
                    score=70 + (i * 7 + n * 11) % 30,
                    note="[示例] 年终检查评定",
                )
    log(f"assessment: {made} responsibility lists, the {year} assessment (not yet published)")
