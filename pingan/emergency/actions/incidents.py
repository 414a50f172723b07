"""Incidents: intake (接报) with the validation of its data, response levels and closing.

Grading and re-grading, 续报 and the reporting findings are in `grading`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require
from pingan.notify.services import notify

from .. import rules
from ..bodies import body_for_division, body_of_user
from ..choices import Category, IncidentState, ReportKind, ResponseLevel, ResponseStep
from ..models import GradeChange, Incident, ReportingBody, ResponseChange
from .reporting import COUNT_FIELDS, concerned_people, counts_of, incident_url, lay_out_chain

GRADED_FIELDS = ("deaths", "serious_injuries", "direct_loss")


# ---------------------------------------------------------------------------------------------
# Validation of incident data (shared by forms, API and services)
# ---------------------------------------------------------------------------------------------


def clean_counts(data: dict[str, Any]) -> dict[str, Any]:
    """Counts are whole numbers ≥ 0 and the loss a number ≥ 0; errors name the field."""
    out: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        if name not in data or data[name] in (None, ""):
            continue
        value = data[name]
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError) as exc:
            raise ActionError(_("人数必须是整数"), field=name, code="invalid") from exc
        if number < 0:
            raise ActionError(_("人数不能为负数"), field=name, code="min_value")
        out[name] = number
    if data.get("direct_loss") not in (None, ""):
        try:
            loss = rules.parse_loss(data["direct_loss"])
        except ValueError as exc:
            raise ActionError(
                _("直接经济损失必须是数字(单位:元)"), field="direct_loss", code="invalid"
            ) from exc
        if loss < 0:
            raise ActionError(_("直接经济损失不能为负数"), field="direct_loss", code="min_value")
        out["direct_loss"] = loss.quantize(Decimal("0.01"))
    return out


def check_occurred_at(occurred_at: Any, *, now: dt.datetime | None = None) -> dt.datetime:
    if occurred_at in (None, ""):
        raise ActionError(_("请填写事发时间(精确到分钟)"), field="occurred_at", code="required")
    if not isinstance(occurred_at, dt.datetime):
        raise ActionError(_("事发时间格式不正确"), field="occurred_at", code="invalid")
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    now = now or timezone.now()
    if occurred_at > now + dt.timedelta(minutes=1):
        raise ActionError(_("事发时间不能晚于当前时间"), field="occurred_at", code="future")
    return occurred_at.replace(second=0, microsecond=0)


def check_record_incident(actor: Any, data: dict[str, Any], *, validate_time: bool = True) -> dict[str, Any]:
    if actor is not None and getattr(actor, "is_authenticated", False) and validate_time:
        require(actor, "emergency.record_incident", None, _("只有值班人员和部门工作人员可以登记事件"))
    cleaned = dict(data)
    if not str(cleaned.get("title") or "").strip():
        raise ActionError(_("请填写事件标题"), field="title", code="required")
    if validate_time:
        cleaned["occurred_at"] = check_occurred_at(cleaned.get("occurred_at"))
    elif cleaned.get("occurred_at") is None:
        cleaned["occurred_at"] = timezone.now()
    cleaned.update(clean_counts(cleaned))
    if cleaned.get("division") is None:
        raise ActionError(_("请指定事发区划或位置"), field="division", code="required")
    division = cleaned["division"]
    if (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and validate_time
        and not actor.sees_everything
        and actor.scope_path
        and not division.path.startswith(actor.scope_path)
    ):
        raise ActionError(_("事发区划不在您的辖区内"), field="division", code="out_of_scope")
    learned = cleaned.get("unit_learned_at")
    if learned:
        if timezone.is_naive(learned):
            learned = timezone.make_aware(learned)
        if learned < cleaned["occurred_at"]:
            raise ActionError(
                _("单位负责人接报时间不能早于事发时间"), field="unit_learned_at", code="invalid"
            )
        if learned > timezone.now() + dt.timedelta(minutes=1):
            raise ActionError(_("单位负责人接报时间不能晚于当前时间"), field="unit_learned_at", code="future")
        cleaned["unit_learned_at"] = learned
    if cleaned.get("category") == Category.SOCIAL_SECURITY:
        cleaned["is_production_safety"] = False
    return cleaned


INCIDENT_FIELDS = [
    f
    for f in (
        "title",
        "category",
        "subtype",
        "accident_kind",
        "is_production_safety",
        "source",
        "source_note",
        "caller_name",
        "caller_phone",
        "unit_name",
        "unit_overview",
        "enterprise",
        "occurred_at",
        "place",
        "scene",
        "course",
        "deaths",
        "serious_injuries",
        "minor_injuries",
        "missing",
        "trapped",
        "direct_loss",
        "measures",
        "other_matters",
        "lat",
        "lon",
        "division",
        "unit_learned_at",
        "grade",
    )
]


# ---------------------------------------------------------------------------------------------
# Intake (接报) and the first grading
# ---------------------------------------------------------------------------------------------


def _grade_of(incident: Incident) -> rules.GradeResult | None:
    if not incident.is_production_safety:
        return None
    return rules.accident_grade(incident.deaths, incident.serious_injuries, incident.direct_loss)


@transaction.atomic
def do_record_incident(
    actor: Any, data: dict[str, Any], *, validate_time: bool = True, owner: ReportingBody | None = None
) -> Incident:
    """接报: record an incident, grade it and lay out the reporting chain.

    The owner (the level that took it in and reports up) is the actor's county or city body, or
    `owner` when given (an incident opened by another module belongs to its division's county)."""
    cleaned = check_record_incident(actor, data, validate_time=validate_time)
    now = timezone.now()
    fields = {k: cleaned[k] for k in INCIDENT_FIELDS if k in cleaned and cleaned[k] is not None}
    if fields.get("lat") is None or fields.get("lon") is None:
        # no position given: the division's representative point, so that the map shows it
        fields["lat"], fields["lon"] = fields["division"].lat, fields["division"].lon
    manual_grade = fields.pop("grade", "") or ""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    if owner is None and actor_obj is not None:
        owner = body_of_user(actor_obj)
    if owner is None:
        owner = body_for_division(fields["division"])
    incident = Incident.objects.create(
        number=f"TMP-{now.timestamp()}-{id(cleaned)}"[:32],
        received_at=now,
        received_by=actor_obj,
        created_by=actor_obj,
        owner_body=owner,
        **fields,
    )
    incident.number = f"YJ{timezone.localtime(now):%Y%m%d}-{incident.pk:05d}"
    result = _grade_of(incident)
    if result is not None:
        incident.grade, incident.grade_basis = result.grade, result.basis[:200]
    elif manual_grade:
        incident.grade, incident.grade_basis = manual_grade, _("人工定级")
    incident.save(update_fields=["number", "grade", "grade_basis"])
    GradeChange.objects.create(
        incident=incident,
        from_grade="",
        to_grade=incident.grade,
        by=actor_obj,
        counts=counts_of(incident),
        note=_("初次定级"),
    )
    audit.record(
        "emergency.incident.record",
        incident,
        actor=actor,
        after=snapshot(
            incident,
            [
                "title",
                "category",
                "grade",
                "deaths",
                "serious_injuries",
                "direct_loss",
                "division",
                "occurred_at",
                "source",
            ],
        ),
    )
    if incident.grade and incident.category != Category.SOCIAL_SECURITY and owner is not None:
        lay_out_chain(incident, owner, basis_at=now, kind=ReportKind.INITIAL, actor=actor_obj)
    return incident


# ---------------------------------------------------------------------------------------------
# Response levels and closing
# ---------------------------------------------------------------------------------------------


def _level_rank(level: str) -> int:
    """Ⅳ=1 … Ⅰ=4 (Ⅰ is the highest)."""
    return 5 - int(level) if level else 0


def check_response(actor: Any, incident: Incident, step: str, level: str, note: str = "") -> None:
    """Who may, and a valid step; raising, lowering or ending a response states its reason (`note`),
    which goes into the audit event."""
    require(actor, "emergency.decide_response", incident, _("只有带班领导和部门工作人员可以决定响应级别"))
    current = incident.response_level
    if step in (ResponseStep.RAISE, ResponseStep.LOWER, ResponseStep.END) and not note.strip():
        raise ActionError(_("请说明调整或终止响应的理由"), field="note", code="required")
    if step == ResponseStep.END:
        if not current:
            raise ActionError(_("当前没有启动的响应"), field="step", code="not_active")
        return
    if level not in ResponseLevel.values:
        raise ActionError(_("请选择响应级别"), field="level", code="invalid")
    if step == ResponseStep.ACTIVATE and current:
        raise ActionError(_("响应已启动,请选择提升或降低"), field="step", code="active")
    if step == ResponseStep.RAISE and not (current and _level_rank(level) > _level_rank(current)):
        raise ActionError(_("提升后的级别必须高于当前级别"), field="level", code="not_higher")
    if step == ResponseStep.LOWER and not (current and _level_rank(level) < _level_rank(current)):
        raise ActionError(_("降低后的级别必须低于当前级别"), field="level", code="not_lower")
    if step not in ResponseStep.values:
        raise ActionError(_("未知的操作"), field="step", code="invalid")


@transaction.atomic
def do_response(
    actor: Any, incident: Incident, *, step: str, level: str = "", note: str = ""
) -> ResponseChange:
    incident = lock(incident)
    check_response(actor, incident, step, level, note)
    old = incident.response_level
    new = "" if step == ResponseStep.END else level
    incident.response_level = new
    incident.save(update_fields=["response_level", "updated_at"])
    change = ResponseChange.objects.create(
        incident=incident, step=step, from_level=old, to_level=new, by=actor, note=note[:300]
    )
    audit.record(
        "emergency.incident.response",
        incident,
        actor=actor,
        before={"response_level": old},
        after={"response_level": new, "step": step},
        note=note,
    )
    notify(
        concerned_people(incident),
        event="emergency.incident.response",
        urgent=step != ResponseStep.END,
        title=_("%(title)s:%(step)s%(level)s")
        % {
            "title": incident.title,
            "step": change.get_step_display(),
            "level": ResponseLevel(new).label if new else "",
        },
        url=incident_url(incident),
    )
    return change


@transaction.atomic
def do_close_incident(actor: Any, incident: Incident, *, summary: str) -> Incident:
    """End the incident with the after-action summary (总结评估)."""
    require(actor, "emergency.close_incident", incident, _("只有带班领导和部门工作人员可以结束事件"))
    if not summary.strip():
        raise ActionError(_("请填写总结评估"), field="summary", code="required")
    incident = lock(incident)
    if incident.state != IncidentState.OPEN:
        raise Conflict(_("事件已结束"), field="state")
    if incident.response_level:
        raise ActionError(_("请先终止应急响应"), field="response_level", code="active")
    incident.state, incident.summary, incident.closed_at = IncidentState.CLOSED, summary, timezone.now()
    incident.save(update_fields=["state", "summary", "closed_at", "updated_at"])
    audit.record(
        "emergency.incident.close", incident, actor=actor, after={"state": incident.state}, note=summary
    )
    return incident
