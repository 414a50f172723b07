"""Incidents: intake (接报), grading and re-grading, 续报, findings, response levels and closing."""

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
from ..choices import (
    GRADE_ORDER,
    Category,
    ChainLevel,
    Finding,
    Grade,
    IncidentState,
    ReportKind,
    ResponseLevel,
    ResponseStep,
)
from ..models import GradeChange, Incident, Report, ReportFinding, ReportingBody, ResponseChange, Supplement
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
# Incidents and grading
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


def _apply_grade(
    actor: Any,
    incident: Incident,
    new_grade: str,
    *,
    note: str,
    basis: str = "",
    start: ReportingBody | None = None,
    supplement: Supplement | None = None,
) -> GradeChange | None:
    old = incident.grade
    if new_grade == old:
        return None
    incident.grade = new_grade
    incident.grade_basis = (basis or _("人工定级"))[:200]
    incident.save(update_fields=["grade", "grade_basis", "updated_at"])
    change = GradeChange.objects.create(
        incident=incident,
        from_grade=old,
        to_grade=new_grade,
        by=actor,
        counts=counts_of(incident),
        note=note[:200],
    )
    audit.record(
        "emergency.incident.regrade",
        incident,
        actor=actor,
        before={"grade": old},
        after={"grade": new_grade, "counts": counts_of(incident)},
        note=note,
    )
    upwards = GRADE_ORDER.index(new_grade) > (GRADE_ORDER.index(old) if old else -1)
    if upwards and old and rules.level_reached(old, new_grade) and supplement is None:
        # (with a 续报, do_supplement lays out its chain to the new end itself)
        start = start or incident.owner_body
        if start is not None:
            lay_out_chain(
                incident,
                start,
                basis_at=timezone.now(),
                kind=ReportKind.SUPPLEMENT if supplement else ReportKind.INITIAL,
                actor=actor,
                supplement=supplement,
            )
    notify(
        concerned_people(incident),
        event="emergency.incident.regraded",
        urgent=upwards,
        title=_("%(title)s 等级变更:%(old)s → %(new)s")
        % {"title": incident.title, "old": _grade_label(old), "new": _grade_label(new_grade)},
        url=incident_url(incident),
    )
    return change


def _grade_label(value: str) -> str:
    return str(Grade(value).label) if value else _("未定级")


def check_supplement(actor: Any, incident: Incident, data: dict[str, Any]) -> dict[str, Any]:
    require(actor, "emergency.supplement", incident, _("只有值班人员和部门工作人员可以续报"))
    if incident.state != IncidentState.OPEN:
        raise Conflict(_("事件已结束"), field="state")
    cleaned = clean_counts(data)
    effective_on = data.get("effective_on") or timezone.localdate()
    if isinstance(effective_on, str):
        try:
            effective_on = dt.date.fromisoformat(effective_on)
        except ValueError as exc:
            raise ActionError(_("日期格式不正确"), field="effective_on", code="invalid") from exc
    if effective_on > timezone.localdate():
        raise ActionError(_("变化日期不能晚于今天"), field="effective_on", code="future")
    if effective_on < timezone.localtime(incident.occurred_at).date():
        raise ActionError(_("变化日期不能早于事发日期"), field="effective_on", code="invalid")
    cleaned["effective_on"] = effective_on
    cleaned["text"] = str(data.get("text") or "").strip()
    for key in ("course", "measures", "other_matters", "scene"):
        if data.get(key):
            cleaned[key] = str(data[key])
    if not cleaned["text"] and not any(k in cleaned for k in (*COUNT_FIELDS, "direct_loss")):
        raise ActionError(_("请填写续报内容"), field="text", code="required")
    return cleaned


@transaction.atomic
def do_supplement(actor: Any, incident: Incident, data: dict[str, Any]) -> Supplement:
    """续报/补报: new counts or facts. Within the §13 window a casualty change re-grades the incident
    and, if the new grade reaches a higher level, extends the chain."""
    cleaned = check_supplement(actor, incident, data)
    incident = lock(incident)
    before = counts_of(incident)
    from django.conf import settings

    # [U] the day counting is configurable: EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE (default: the rule table's)
    in_window = rules.in_supplement_window(
        timezone.localtime(incident.occurred_at).date(),
        cleaned["effective_on"],
        incident.accident_kind,
        accident_day_is_day_one=getattr(settings, "EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE", None),
    )
    changes = {k: v for k, v in cleaned.items() if k in (*COUNT_FIELDS, "direct_loss")}
    if in_window:
        for k, v in changes.items():
            setattr(incident, k, v)
    for key in ("course", "measures", "other_matters", "scene"):
        if key in cleaned:
            setattr(incident, key, cleaned[key])
    incident.save()
    supplement = Supplement.objects.create(
        incident=incident,
        effective_on=cleaned["effective_on"],
        in_window=in_window,
        before=before,
        after=audit.jsonable({**before, **changes}),
        text=cleaned["text"],
        by=actor,
    )
    audit.record(
        "emergency.incident.supplement",
        incident,
        actor=actor,
        before=before,
        after=supplement.after,
        note=cleaned["text"] if in_window else _("超出补报期限,未重新定级"),
    )
    start = body_of_user(actor) or incident.owner_body
    if (
        start is not None
        and not actor.sees_everything
        and start.level not in (ChainLevel.COUNTY, ChainLevel.CITY)
    ):
        start = incident.owner_body
    result = _grade_of(incident) if in_window else None
    regraded = None
    if result is not None and result.grade != incident.grade:
        regraded = _apply_grade(
            actor,
            incident,
            result.grade,
            note=_("续报:伤亡或损失变化"),
            basis=result.basis,
            start=start,
            supplement=supplement,
        )
    if start is not None and in_window:
        # the 续报 itself goes up the chain as far as the (possibly new) grade requires
        lay_out_chain(
            incident,
            start,
            basis_at=supplement.at,
            kind=ReportKind.SUPPLEMENT,
            actor=actor,
            supplement=supplement,
        )
    del regraded
    return supplement


@transaction.atomic
def do_set_grade(actor: Any, incident: Incident, grade: str, *, note: str) -> Incident:
    """人工定级 of an emergency that is not a production-safety accident (law's guidance shown)."""
    require(actor, "emergency.set_grade", incident, _("只有值班人员和部门工作人员可以定级"))
    if incident.is_production_safety:
        raise ActionError(
            _("生产安全事故按伤亡和损失自动定级,请通过续报更新数据"), field="grade", code="automatic"
        )
    if grade not in GRADE_ORDER:
        raise ActionError(_("请选择等级"), field="grade", code="invalid")
    if not note.strip():
        raise ActionError(_("请说明定级依据"), field="note", code="required")
    incident = lock(incident)
    if not incident.grade:
        incident.grade = grade
        incident.grade_basis = note[:200]
        incident.save(update_fields=["grade", "grade_basis"])
        GradeChange.objects.create(
            incident=incident,
            from_grade="",
            to_grade=grade,
            by=actor,
            note=note[:200],
            counts=counts_of(incident),
        )
        audit.record(
            "emergency.incident.regrade",
            incident,
            actor=actor,
            before={"grade": ""},
            after={"grade": grade},
            note=note,
        )
        if incident.owner_body and incident.category != Category.SOCIAL_SECURITY:
            lay_out_chain(
                incident, incident.owner_body, basis_at=timezone.now(), kind=ReportKind.INITIAL, actor=actor
            )
    else:
        _apply_grade(actor, incident, grade, note=note, basis=note)
    return incident


@transaction.atomic
def do_record_finding(
    actor: Any, incident: Incident, *, kind: str, note: str, report: Report | None = None
) -> ReportFinding:
    """漏报/谎报/瞒报 are findings made by people (LATE is flagged by the system)."""
    require(actor, "emergency.record_finding", incident, _("无权认定报送问题"))
    if kind not in (Finding.OMITTED, Finding.FALSE, Finding.CONCEALED):
        raise ActionError(_("请选择漏报、谎报或瞒报"), field="kind", code="invalid")
    if not note.strip():
        raise ActionError(_("请说明认定依据"), field="note", code="required")
    finding = ReportFinding.objects.create(incident=incident, report=report, kind=kind, note=note, by=actor)
    audit.record("emergency.incident.finding", incident, actor=actor, after={"kind": kind}, note=note)
    return finding


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
