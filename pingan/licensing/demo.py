"""Demo data: licence applications of the demo enterprise in every state of the statutory clock, and
issued licences on the profiles of (synthetic) hazardous-chemical, fireworks and mining enterprises —
one inside its renewal window, one suspended. Idempotent.

The demo enterprise's applications go through the actions, as its account would (apply, one-time
list of missing materials, supplement, accept, expert review stopping the clock, decide). The
synthetic enterprises have no accounts: their licences are recorded as already issued (the licensing
office's back-entry of licences issued before the platform), through the same issuing function, so
that each has its number, validity and renewal reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.org.models import Enterprise, User

from . import actions, rules
from .choices import ApplicationState, LicenceState
from .models import Application

MARK = "(演示)"
OFFICE = "qingcheng_em"  # the 清城区 emergency bureau's demo account reviews
ACCOUNT = "enterprise_demo"  # the demo enterprise's account applies
# Industry → the licence its enterprises hold.
HELD = {"hazchem": "hazchem_trade", "fireworks": "fireworks_trade", "mining": "safety_mine"}


def seed(log: Callable[[str], Any] = print) -> None:
    if Application.objects.filter(scope__endswith=MARK).exists():
        log("licensing: demo already present")
        return
    office = User.objects.filter(username=OFFICE).first()
    account = User.objects.filter(username=ACCOUNT).select_related("enterprise").first()
    if office is None or account is None or account.enterprise is None:
        log("licensing: demo accounts missing — skipped")
        return
    with transaction.atomic():
        made = _applications(account, office)
        issued = _back_entries(office)
    log(f"licensing: {made} applications of the demo enterprise, {issued} licences on enterprise profiles")


def _apply(account: User, kind: str, scope: str, *, complete: bool, project: str = "") -> Application:
    required = list(rules.required_materials(kind))
    return actions.do_apply(
        account,
        account.enterprise,
        kind=kind,
        scope=f"{scope}{MARK}",
        materials=required if complete else required[:2],
        project=project,
    )


def _applications(account: User, office: User) -> int:
    # Submitted, complete, waiting for acceptance (the 5-working-day Deadline runs).
    _apply(account, "safety_hazchem", "危险化学品生产(甲醇、乙酸乙酯)", complete=True)
    # Incomplete: the missing materials told once.
    told = _apply(account, "fireworks_trade", "烟花爆竹零售", complete=False)
    actions.do_request_materials(office, told)
    # Accepted and under review: the decision Deadline runs.
    review = _apply(
        account, "review_design", "储罐区扩建安全设施设计", complete=True, project="储罐区扩建工程"
    )
    actions.do_accept(office, review)
    # Accepted, then stopped for an expert review (the clock stands still).
    stopped = _apply(
        account, "review_conditions", "新建仓储项目安全条件", complete=True, project="新建甲类仓库项目"
    )
    actions.do_accept(office, stopped)
    actions.do_stop_clock(office, stopped, reason="expert_review", note="组织专家评审安全评价报告")
    # Supplemented after the one-time list, accepted and approved: the licence is issued.
    approved = _apply(account, "hazchem_trade", "危险化学品经营(不带储存)", complete=False)
    actions.do_request_materials(office, approved)
    actions.do_supplement(account, approved, materials=rules.required_materials("hazchem_trade"))
    actions.do_accept(office, approved)
    actions.do_decide(office, approved, approve=True)
    # Refused, with its reason.
    refused = _apply(account, "review_completion", "一期工程竣工验收", complete=True, project="一期工程")
    actions.do_accept(office, refused)
    actions.do_decide(office, refused, approve=False, note="试生产期间重大危险源监控系统未投用,不予通过")
    return 6


def _back_entries(office: User) -> int:
    """Licences issued before the platform, on synthetic enterprises of the three licensed industries:
    most valid, one whose renewal window is open, one suspended."""
    today = timezone.localdate()
    issued = 0
    for industry, kind in HELD.items():
        enterprises = list(
            Enterprise.objects.filter(industry=industry, is_active=True, is_synthetic=True).order_by("pk")[:4]
        )
        for n, ent in enumerate(enterprises):
            # Spread the issue days over the three years of validity; the first of each industry is
            # close to expiry (its renewal reminder is due).
            issued_on = today - dt.timedelta(days=1040 if n == 0 else 200 * n + 30)
            app = Application.objects.create(
                enterprise=ent,
                division=ent.division,
                kind=kind,
                scope=f"{ent.get_industry_display()}{MARK}",
                materials=list(rules.required_materials(kind)),
                state=ApplicationState.APPROVED,
                received_at=_at(issued_on - dt.timedelta(days=30)),
                accepted_at=_at(issued_on - dt.timedelta(days=28)),
                decided_at=_at(issued_on),
                applicant=office,
            )
            app.number = f"XK{issued_on:%Y}{app.pk:06d}"
            app.save(update_fields=["number"])
            licence = actions._issue(office, app, scope=app.scope, on=issued_on)
            issued += 1
            if industry == "hazchem" and n == 1:
                actions.do_sanction(
                    office,
                    licence,
                    state=LicenceState.SUSPENDED,
                    reason="执法检查发现储存条件不符合要求,暂扣整改",
                )
    return issued


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
