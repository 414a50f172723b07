"""Incidents after intake: grading and re-grading (人工定级), 续报/补报, and the findings on reporting
(漏报/谎报/瞒报)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.permissions import require
from pingan.notify.services import notify

from .. import rules
from ..bodies import body_of_user
from ..choices import GRADE_ORDER, Category, ChainLevel, Finding, Grade, IncidentState, ReportKind
from ..models import GradeChange, Incident, Report, ReportFinding, ReportingBody, Supplement
from .incidents import _grade_of, clean_counts
from .reporting import COUNT_FIELDS, concerned_people, counts_of, incident_url, lay_out_chain


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
