"""One door for the API and the pages: a transition by name, with the caller's posted data.

Each action has one row in `TRANSITIONS`: the function that does it and how its arguments are read
from the data. Adding a transition is adding a row (and its rule in rules.py and permission in
permissions.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import ActionError
from pingan.org.models import Department

from ..models import Category, HazardCase
from . import handling, intake, major


def _dept(data: dict[str, Any], name: str) -> Department | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return Department.objects.get(pk=int(value), is_active=True)
    except (Department.DoesNotExist, TypeError, ValueError) as exc:
        raise ActionError(_("部门不存在"), field=name, code="invalid") from exc


def _depts(data: dict[str, Any], name: str) -> list[Department] | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    return [d for d in (_dept({name: v}, name) for v in value) if d is not None]


def _category(data: dict[str, Any]) -> Category | None:
    if not data.get("category"):
        return None
    cat = Category.objects.filter(pk=data["category"]).first()
    if cat is None:
        raise ActionError(_("类别不存在"), field="category", code="invalid")
    return cat


def _into(actor: Any, data: dict[str, Any]) -> HazardCase:
    """The surviving case, by the number people see (YH-2026-0003001) or, for API clients, its id."""
    value = str(data.get("into") or "").strip().upper()
    number = re.fullmatch(r"YH-\d{4}-(\d{1,18})", value)
    pk = number.group(1) if number else value
    # ids beyond 18 digits overflow the column: not a case
    case = None
    if pk.isdigit() and len(pk) <= 18:
        case = HazardCase.objects.visible_to(actor).filter(pk=int(pk)).first()
    if case is None or (number and case.number != value):
        raise ActionError(_("目标隐患不存在"), field="into", code="invalid")
    return case


def _reason(data: dict[str, Any]) -> str:
    return data.get("reason") or data.get("note") or ""


# action → (function, how to read its keyword arguments from (actor, data))
Reader = Callable[[Any, dict[str, Any]], dict[str, Any]]
TRANSITIONS: dict[str, tuple[Callable[..., HazardCase], Reader]] = {
    "register": (
        intake.do_register,
        lambda a, d: {"grade": d.get("grade"), "category": _category(d), "note": _reason(d)},
    ),
    "decline": (intake.do_decline, lambda a, d: {"reason": _reason(d)}),
    "close_on_spot": (intake.do_close_on_spot, lambda a, d: {"note": _reason(d)}),
    "merge": (intake.do_merge, lambda a, d: {"into": _into(a, d)}),
    "report": (
        major.do_report,
        lambda a, d: {
            "current_state_cause": d.get("current_state_cause", ""),
            "harm_difficulty": d.get("harm_difficulty", ""),
            "authority": _dept(d, "authority"),
        },
    ),
    "approve_plan": (major.do_approve_plan, lambda a, d: {"note": _reason(d)}),
    "assign": (
        handling.do_assign,
        lambda a, d: {
            "lead": _dept(d, "lead_department"),
            "co": _depts(d, "co_departments"),
            "note": _reason(d),
        },
    ),
    "reassign": (
        handling.do_reassign,
        lambda a, d: {
            "lead": _dept(d, "lead_department"),
            "co": _depts(d, "co_departments"),
            "reason": _reason(d),
        },
    ),
    "return": (handling.do_return, lambda a, d: {"reason": _reason(d)}),
    "start": (handling.do_start, lambda a, d: {"note": _reason(d)}),
    "submit_rectification": (
        handling.do_submit_rectification,
        lambda a, d: {
            "note": _reason(d),
            "measures": str(d.get("measures") or ""),
            "cost": d.get("cost"),
            "responsible": str(d.get("responsible") or ""),
            "before_photos": d.get("before_photos") or (),
            "after_photos": d.get("after_photos") or (),
        },
    ),
    "accept": (handling.do_accept, lambda a, d: {"note": _reason(d)}),
    "reject": (handling.do_reject, lambda a, d: {"reason": _reason(d)}),
    "backlog": (handling.do_backlog, lambda a, d: {"reason": _reason(d)}),
    "resume_backlog": (handling.do_resume_backlog, lambda a, d: {"note": _reason(d)}),
    "reopen": (handling.do_reopen, lambda a, d: {"reason": _reason(d)}),
}


def perform(actor: Any, case: HazardCase, action: str, data: dict[str, Any]) -> HazardCase:
    """Run a transition by name with the caller's data (as posted by the API or a form)."""
    row = TRANSITIONS.get(action)
    if row is None:
        raise ActionError(_("未知的操作"), field="action", code="unknown_action")
    fn, read = row
    return fn(actor, case, expected_state=data.get("expected_state") or None, **read(actor, data))


ACTION_LABELS = {
    "register": gettext_lazy("立案"),
    "decline": gettext_lazy("不予立案"),
    "merge": gettext_lazy("合并"),
    "close_on_spot": gettext_lazy("当场整改销号"),
    "report": gettext_lazy("报告监管部门"),
    "approve_plan": gettext_lazy("批准治理方案"),
    "assign": gettext_lazy("派遣"),
    "reassign": gettext_lazy("改派"),
    "return": gettext_lazy("退回"),
    "start": gettext_lazy("开始整改"),
    "submit_rectification": gettext_lazy("提交验收"),
    "accept": gettext_lazy("验收通过"),
    "reject": gettext_lazy("验收不通过"),
    "backlog": gettext_lazy("挂账"),
    "resume_backlog": gettext_lazy("恢复整改"),
    "reopen": gettext_lazy("重新打开"),
}
