"""Every change to responsibility lists and assessments: check, change in one transaction, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import is_staff, require
from pingan.geo.models import Division
from pingan.org.models import Department, User

from . import rules, scoring
from .choices import AssessmentState, PostKind, Source, UnitKind
from .models import Assessment, AssessmentItem, ManualScore, ResponsibilityList

SIGN_DEADLINE = "assessment.sign"
LIST_FIELDS = ["year", "post", "kind", "division", "department", "holder", "items", "sign_by", "signed_at"]
MAX_ITEMS = 50
MAX_ITEM_LENGTH = 500

ACTION_LABELS = {
    "assessment.list.create": gettext_lazy("制定责任清单"),
    "assessment.list.edit": gettext_lazy("修改责任清单"),
    "assessment.list.sign": gettext_lazy("签订责任清单"),
    "assessment.assessment.create": gettext_lazy("启动年度考核"),
    "assessment.assessment.weights": gettext_lazy("设置考核权重"),
    "assessment.assessment.score": gettext_lazy("人工评分"),
    "assessment.assessment.publish": gettext_lazy("公布考核结果"),
}


# --- responsibility lists ------------------------------------------------------------------------


def _clean_items(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [line for line in raw.splitlines()]
    if not isinstance(raw, list | tuple):
        raise ActionError(_("责任事项应为文字列表"), field="items", code="invalid")
    items = [str(x).strip() for x in raw if str(x).strip()]
    if not items:
        raise ActionError(_("请至少填写一项责任事项"), field="items", code="required")
    if len(items) > MAX_ITEMS:
        raise ActionError(_("责任事项不能超过 %(n)s 项") % {"n": MAX_ITEMS}, field="items", code="max_length")
    for i, text in enumerate(items):
        if len(text) > MAX_ITEM_LENGTH:
            raise ActionError(
                _("每项责任事项不超过 %(n)s 字") % {"n": MAX_ITEM_LENGTH},
                field=f"items[{i}]",
                code="max_length",
            )
    return items


def _clean_list(
    actor: Any, data: dict[str, Any], current: ResponsibilityList | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    division = data.get("division", current.division if current else None)
    if not isinstance(division, Division):
        raise ActionError(_("请选择所属区划"), field="division", code="required")
    require(actor, "assessment.manage_lists", division, _("您不能为该区域制定责任清单"), field="division")
    out["division"] = division
    year = data.get("year", current.year if current else None)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ActionError(_("请填写年度"), field="year", code="required") from None
    if not 2000 <= year <= 2100:
        raise ActionError(_("年度应在 2000 到 2100 之间"), field="year", code="invalid")
    out["year"] = year
    post = str(data.get("post", current.post if current else "") or "").strip()
    if not post:
        raise ActionError(_("请填写岗位"), field="post", code="required")
    if len(post) > 100:
        raise ActionError(_("岗位名称不超过 100 字"), field="post", code="max_length")
    out["post"] = post
    kind = data.get("kind", current.kind if current else "")
    if kind not in PostKind.values:
        raise ActionError(_("请选择岗位类别"), field="kind", code="invalid_choice")
    out["kind"] = kind
    department = data.get("department", current.department if current else None)
    if department is not None and not isinstance(department, Department):
        raise ActionError(_("未知的部门"), field="department", code="invalid")
    if department is not None and not department.division.path.startswith(division.path):
        raise ActionError(_("部门不在该区划内"), field="department", code="invalid")
    out["department"] = department
    holder = data.get("holder", current.holder if current else None)
    if not isinstance(holder, User) or not holder.is_active or not is_staff(holder):
        raise ActionError(_("请选择岗位责任人(政府工作人员)"), field="holder", code="invalid")
    if holder.division is None or not holder.division.path.startswith(division.path):
        raise ActionError(_("责任人不在该区划工作"), field="holder", code="invalid")
    out["holder"] = holder
    out["items"] = _clean_items(data.get("items", current.items if current else None))
    sign_by = data.get("sign_by", current.sign_by if current else None)
    if isinstance(sign_by, str):
        try:
            sign_by = dt.date.fromisoformat(sign_by)
        except ValueError:
            sign_by = None
    if not isinstance(sign_by, dt.date):
        raise ActionError(_("请填写签订期限"), field="sign_by", code="required")
    if sign_by.year not in (year - 1, year):
        raise ActionError(_("签订期限应在考核年度内(或上年末)"), field="sign_by", code="invalid")
    out["sign_by"] = sign_by
    clash = ResponsibilityList.objects.filter(year=year, division=division, post=post)
    if current is not None:
        clash = clash.exclude(pk=current.pk)
    if clash.exists():
        raise ActionError(_("该区划该年度已有此岗位的责任清单"), field="post", code="unique")
    return out


def _due(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def _sign_deadline(lst: ResponsibilityList) -> None:
    deadlines.create(
        lst,
        kind=SIGN_DEADLINE,
        title=_("签订 %(year)s 年度安全责任清单:%(post)s") % {"year": lst.year, "post": lst.post},
        due_at=_due(lst.sign_by),
        remind_before=dt.timedelta(days=7),
        division=lst.division,
        department=lst.department,
        assignee=lst.holder,
    )


def _tell_holder(lst: ResponsibilityList) -> None:
    from pingan.notify.services import notify

    notify(
        [lst.holder],
        event="assessment.list.issued",
        title=_("请在 %(due)s 前签订 %(year)s 年度安全责任清单(%(post)s)")
        % {"due": lst.sign_by.isoformat(), "year": lst.year, "post": lst.post},
        url=reverse("assessment:list", args=[lst.pk]),
    )


@transaction.atomic
def do_create_list(actor: Any, data: dict[str, Any]) -> ResponsibilityList:
    clean = _clean_list(actor, data)
    lst = ResponsibilityList.objects.create(created_by=actor, **clean)
    _sign_deadline(lst)
    _tell_holder(lst)
    audit.record("assessment.list.create", lst, actor=actor, after=audit.snapshot(lst, LIST_FIELDS))
    return lst


@transaction.atomic
def do_edit_list(actor: Any, lst: ResponsibilityList, data: dict[str, Any]) -> ResponsibilityList:
    require(actor, "assessment.manage_lists", lst, _("已签订的责任清单不能修改"))
    lst = lock(lst)
    if lst.signed_at is not None:
        raise Conflict(_("责任清单已签订,不能修改"), field="signed_at", code="signed")
    clean = _clean_list(actor, data, lst)
    before = audit.snapshot(lst, LIST_FIELDS)
    for k, v in clean.items():
        setattr(lst, k, v)
    lst.save()
    if before["sign_by"] != lst.sign_by.isoformat() or before["holder"] != lst.holder_id:
        deadlines.cancel(lst, kind=SIGN_DEADLINE)
        _sign_deadline(lst)
        _tell_holder(lst)
    audit.record(
        "assessment.list.edit", lst, actor=actor, before=before, after=audit.snapshot(lst, LIST_FIELDS)
    )
    return lst


@transaction.atomic
def do_sign(actor: Any, lst: ResponsibilityList) -> ResponsibilityList:
    """The holder signs their list (承诺履职): it is fixed from now on and its deadline is met."""
    require(actor, "assessment.sign", lst, _("只有岗位责任人本人可以签订"))
    lst = lock(lst)
    if lst.signed_at is not None:
        raise Conflict(_("责任清单已签订"), field="signed_at", code="signed")
    before = audit.snapshot(lst, ["signed_at"])
    lst.signed_at = timezone.now()
    lst.save(update_fields=["signed_at"])
    deadlines.close(lst, kind=SIGN_DEADLINE, met_at=lst.signed_at)
    audit.record(
        "assessment.list.sign",
        lst,
        actor=actor,
        before=before,
        after=audit.snapshot(lst, ["signed_at"]),
        note=_("%(n)s 项责任事项") % {"n": len(lst.items)},
    )
    return lst


def remind_sign(row: Any) -> None:
    """A week before the signing deadline: the holder is reminded (registered in AssessmentConfig)."""
    from pingan.notify.services import notify

    lst = row.subject
    if lst is None or lst.signed_at is not None:
        return
    notify(
        [lst.holder],
        event="assessment.list.due",
        title=_("%(year)s 年度安全责任清单(%(post)s)将于 %(due)s 到期未签订")
        % {"year": lst.year, "post": lst.post, "due": lst.sign_by.isoformat()},
        url=reverse("assessment:list", args=[lst.pk]),
    )


# --- the annual assessment -----------------------------------------------------------------------

ITEM_FIELDS = ("unit_kind", "source", "key", "label", "weight")


def _scheme(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {**{k: getattr(i, k) for k in ITEM_FIELDS[:-1]}, "weight": str(i.weight)}
        for i in assessment.items.all().order_by("unit_kind", "order", "pk")
    ]


@transaction.atomic
def do_open(actor: Any, year: int) -> Assessment:
    """Start a year's assessment with the default scheme (rules.DEFAULT_ITEMS), for the city to edit."""
    require(actor, "assessment.manage_assessment", None, _("只有市级管理员可以启动考核"))
    if not 2000 <= int(year) <= 2100:
        raise ActionError(_("年度应在 2000 到 2100 之间"), field="year", code="invalid")
    if Assessment.objects.filter(year=year).exists():
        raise Conflict(_("该年度考核已启动"), field="year", code="exists")
    assessment = Assessment.objects.create(year=year)
    for order, row in enumerate(rules.DEFAULT_ITEMS):
        AssessmentItem.objects.create(assessment=assessment, order=order, **row)
    audit.record(
        "assessment.assessment.create",
        assessment,
        actor=actor,
        after={"year": year, "items": _scheme(assessment)},
    )
    return assessment


def _clean_rows(rows: Any) -> list[dict[str, Any]]:
    from pingan.dashboard import figures as F

    if not isinstance(rows, list | tuple) or not rows:
        raise ActionError(_("请至少设置一个考核项目"), field="items", code="required")
    known = {f.key for f in F.registered()}
    out = []
    for i, raw in enumerate(rows):
        if not isinstance(raw, dict):
            raise ActionError(_("考核项目格式不正确"), field=f"items[{i}]", code="invalid")
        kind, source = raw.get("unit_kind"), raw.get("source")
        if kind not in UnitKind.values:
            raise ActionError(_("请选择考核对象"), field=f"items[{i}].unit_kind", code="invalid_choice")
        if source not in Source.values:
            raise ActionError(_("请选择评分来源"), field=f"items[{i}].source", code="invalid_choice")
        key = str(raw.get("key") or "").strip()[:60]
        if source == Source.KPI and key not in known:
            raise ActionError(_("未知的指挥中心指标"), field=f"items[{i}].key", code="invalid_choice")
        if source == Source.DUTY:
            key = "duty.signed"
        if not key:
            raise ActionError(_("请填写项目代码"), field=f"items[{i}].key", code="required")
        label = str(raw.get("label") or "").strip()
        if not label or len(label) > 100:
            raise ActionError(
                _("请填写考核项目名称(不超过100字)"), field=f"items[{i}].label", code="required"
            )
        out.append(
            {"unit_kind": kind, "source": source, "key": key, "label": label, "weight": raw.get("weight")}
        )
    problems = rules.weights_problems(out)
    if problems:
        field, code, detail = problems[0]
        if code == "sum":
            kind, _eq, total = detail.partition("=")
            message = _("%(kind)s的权重合计为 %(total)s,应为 100") % {
                "kind": UnitKind(kind).label,
                "total": total,
            }
        elif code == "duplicate":
            message = _("考核项目重复:%(key)s") % {"key": detail}
        elif code == "kpi_department":
            message = _("指挥中心指标按区域统计,不能用于考核部门")
        else:
            message = _("权重应为 0 到 100 之间的数")
        raise ActionError(message, field=field, code=code)
    for row in out:
        row["weight"] = Decimal(str(row["weight"]))
    return out


@transaction.atomic
def do_set_weights(actor: Any, assessment: Assessment, rows: Any) -> Assessment:
    """Replace the year's items and weights (each unit kind's weights add up to 100). Manual scores of
    items kept stay; those of removed items go with them."""
    require(actor, "assessment.manage_assessment", assessment, _("考核结果已公布,不能修改"))
    assessment = lock(assessment)
    if assessment.state != AssessmentState.DRAFT:
        raise Conflict(_("考核结果已公布,不能修改"), field="state", code="published")
    clean = _clean_rows(rows)
    before = _scheme(assessment)
    existing = {(i.unit_kind, i.key): i for i in assessment.items.all()}
    keep = set()
    for order, row in enumerate(clean):
        ident = (row["unit_kind"], row["key"])
        keep.add(ident)
        item = existing.get(ident) or AssessmentItem(assessment=assessment)
        for k, v in row.items():
            setattr(item, k, v)
        item.order = order
        item.save()
    for ident, item in existing.items():
        if ident not in keep:
            item.delete()
    audit.record(
        "assessment.assessment.weights",
        assessment,
        actor=actor,
        before={"items": before},
        after={"items": _scheme(assessment)},
    )
    return assessment


@transaction.atomic
def do_score(
    actor: Any, assessment: Assessment, *, item: Any, unit: Any, score: Any, note: str = ""
) -> ManualScore:
    """The city's score (0–100) of one unit on one manual item (a new score replaces the old)."""
    require(actor, "assessment.manage_assessment", assessment, _("考核结果已公布,不能修改"))
    assessment = lock(assessment)
    if assessment.state != AssessmentState.DRAFT:
        raise Conflict(_("考核结果已公布,不能修改"), field="state", code="published")
    try:
        row = assessment.items.get(pk=int(item), source=Source.MANUAL)
    except (TypeError, ValueError, OverflowError, AssessmentItem.DoesNotExist):
        raise ActionError(_("请选择人工评分项目"), field="item", code="invalid_choice") from None
    codes = {u["code"] for u in scoring.units()[row.unit_kind]}
    if str(unit) not in codes:
        raise ActionError(_("未知的考核对象"), field="unit", code="invalid_choice")
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError):
        raise ActionError(_("得分应为 0 到 100 之间的数"), field="score", code="invalid") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ActionError(_("得分应为 0 到 100 之间的数"), field="score", code="invalid")
    note = (note or "").strip()
    if len(note) > 500:
        raise ActionError(_("评分说明不超过 500 字"), field="note", code="max_length")
    current = ManualScore.objects.filter(item=row, unit=str(unit)).first()
    before = {"score": str(current.score) if current else None, "note": current.note if current else ""}
    obj, _created = ManualScore.objects.update_or_create(
        item=row,
        unit=str(unit),
        defaults={
            "score": value.quantize(Decimal("0.01")),
            "note": note,
            "scored_by": actor,
            "scored_at": timezone.now(),
        },
    )
    audit.record(
        "assessment.assessment.score",
        assessment,
        actor=actor,
        before={"item": row.key, "unit": str(unit), **before},
        after={"item": row.key, "unit": str(unit), "score": str(obj.score), "note": note},
    )
    return obj


@transaction.atomic
def do_publish(actor: Any, assessment: Assessment) -> Assessment:
    """Freeze the results as computed now and announce them (通报): they no longer change."""
    require(actor, "assessment.manage_assessment", assessment, _("考核结果已公布"))
    assessment = lock(assessment)
    if assessment.state != AssessmentState.DRAFT:
        raise Conflict(_("考核结果已公布"), field="state", code="published")
    assessment.results = scoring.compute(assessment)
    assessment.state = AssessmentState.PUBLISHED
    assessment.published_at = timezone.now()
    assessment.published_by = actor
    assessment.save()
    ranking = {
        kind: [[u["code"], u["total"], u["rank"]] for u in block["units"]]
        for kind, block in assessment.results["kinds"].items()
    }
    audit.record(
        "assessment.assessment.publish",
        assessment,
        actor=actor,
        before={"state": AssessmentState.DRAFT},
        after={"state": assessment.state, "ranking": ranking},
    )
    return assessment
