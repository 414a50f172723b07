"""Every state change of the emergency app: check_*() validates, do_*() changes rows atomically,
writes the audit event and notifies (see docs/architecture.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, deadlines
from pingan.core.actions import ActionError, Conflict, Forbidden, lock
from pingan.core.audit import snapshot
from pingan.notify.services import notify

from . import rules
from .choices import (
    CHAIN_ORDER,
    GRADE_ORDER,
    Category,
    ChainLevel,
    Finding,
    IncidentState,
    ReportKind,
    ReportState,
    ResponseLevel,
    ResponseStep,
    ShiftRole,
    SwapState,
)
from .models import (
    DutyPost,
    GradeChange,
    Handover,
    Incident,
    Report,
    ReportFinding,
    ReportingBody,
    ResponseChange,
    RotationTemplate,
    SanfangReport,
    SanfangResponse,
    Shift,
    ShiftSwap,
    Supplement,
)
from .services import bodies_up, body_for_division, body_of_user, on_duty

REPORT_DEADLINE = "emergency.report"
SANFANG_DEADLINE = "emergency.sanfang"
COUNT_FIELDS = ("deaths", "serious_injuries", "minor_injuries", "missing", "trapped")
GRADED_FIELDS = ("deaths", "serious_injuries", "direct_loss")
RECORDING_ROLES = {"duty_officer", "duty_leader", "dept_staff", "area_staff", "city_admin"}
ROSTER_ROLES = {"duty_leader", "dept_staff", "area_staff", "city_admin"}


def _role_ok(actor: Any, roles: set[str]) -> bool:
    return bool(getattr(actor, "is_superuser", False) or getattr(actor, "role", None) in roles)


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
            raise ActionError(_("直接经济损失必须是数字(单位:元)"), field="direct_loss", code="invalid") from exc
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
        if not _role_ok(actor, RECORDING_ROLES):
            raise Forbidden(_("只有值班人员和部门工作人员可以登记事件"))
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
    if actor is not None and getattr(actor, "is_authenticated", False) and validate_time \
            and not actor.sees_everything and actor.scope_path and not division.path.startswith(actor.scope_path):
        raise ActionError(_("事发区划不在您的辖区内"), field="division", code="out_of_scope")
    learned = cleaned.get("unit_learned_at")
    if learned:
        if timezone.is_naive(learned):
            learned = timezone.make_aware(learned)
        if learned < cleaned["occurred_at"]:
            raise ActionError(_("单位负责人接报时间不能早于事发时间"), field="unit_learned_at", code="invalid")
        if learned > timezone.now() + dt.timedelta(minutes=1):
            raise ActionError(_("单位负责人接报时间不能晚于当前时间"), field="unit_learned_at", code="future")
        cleaned["unit_learned_at"] = learned
    if cleaned.get("category") == Category.SOCIAL_SECURITY:
        cleaned["is_production_safety"] = False
    return cleaned


INCIDENT_FIELDS = [f for f in (
    "title", "category", "subtype", "accident_kind", "is_production_safety", "source", "source_note", "caller_name",
    "caller_phone", "unit_name", "unit_overview", "enterprise", "occurred_at", "place", "scene", "course",
    "deaths", "serious_injuries", "minor_injuries", "missing", "trapped", "direct_loss", "measures",
    "other_matters", "lat", "lon", "division", "unit_learned_at", "grade",
)]


# ---------------------------------------------------------------------------------------------
# Incidents and grading
# ---------------------------------------------------------------------------------------------

def _incident_url(incident: Incident) -> str:
    return reverse("emergency:incident", args=[incident.pk])


def _grade_of(incident: Incident) -> rules.GradeResult | None:
    if not incident.is_production_safety:
        return None
    return rules.accident_grade(incident.deaths, incident.serious_injuries, incident.direct_loss)


@transaction.atomic
def do_record_incident(actor: Any, data: dict[str, Any], *, validate_time: bool = True,
                       owner: ReportingBody | None = None) -> Incident:
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
        number=f"TMP-{now.timestamp()}-{id(cleaned)}"[:32], received_at=now, received_by=actor_obj,
        created_by=actor_obj, owner_body=owner, **fields,
    )
    incident.number = f"YJ{timezone.localtime(now):%Y%m%d}-{incident.pk:05d}"
    result = _grade_of(incident)
    if result is not None:
        incident.grade, incident.grade_basis = result.grade, result.basis[:200]
    elif manual_grade:
        incident.grade, incident.grade_basis = manual_grade, _("人工定级")
    incident.save(update_fields=["number", "grade", "grade_basis"])
    GradeChange.objects.create(incident=incident, from_grade="", to_grade=incident.grade, by=actor_obj,
                               counts=_counts(incident), note=_("初次定级"))
    audit.record("emergency.incident.record", incident, actor=actor,
                 after=snapshot(incident, ["title", "category", "grade", "deaths", "serious_injuries", "direct_loss",
                                           "division", "occurred_at", "source"]))
    if incident.grade and incident.category != Category.SOCIAL_SECURITY and owner is not None:
        _lay_out_chain(incident, owner, basis_at=now, kind=ReportKind.INITIAL, actor=actor_obj)
    return incident


def _counts(incident: Incident) -> dict[str, Any]:
    return audit.jsonable({k: getattr(incident, k) for k in (*COUNT_FIELDS, "direct_loss")})


def _lay_out_chain(incident: Incident, start: ReportingBody, *, basis_at: dt.datetime, kind: str, actor: Any,
                   supplement: Supplement | None = None) -> list[Report]:
    """Create the hops from `start` up to the end of the chain for the incident's grade.

    For an initial report taken in by a county, the first hop is the unit's report to the county,
    recorded as already received at intake (late if after the unit head's 1-hour limit).
    """
    created: list[Report] = []
    bodies = bodies_up(start)
    end = rules.chain_end(incident.grade)
    levels = [lvl for lvl in rules.CHAIN if lvl in bodies and rules.CHAIN.index(lvl) <= rules.CHAIN.index(end)
              and rules.CHAIN.index(lvl) >= rules.CHAIN.index(start.level)]
    predecessor: Report | None = None
    if kind == ReportKind.INITIAL and incident.source != "lower_report":
        learned = incident.unit_learned_at or incident.occurred_at
        due = rules.hop_due(rules.UNIT, learned)
        first = Report.objects.create(
            incident=incident, kind=kind, sender=None, receiver=start, sender_level=ChainLevel.UNIT,
            receiver_level=start.level, basis_at=learned, due_at=due, state=ReportState.SENT,
            sent_at=incident.received_at, sent_by=None, channel=incident.get_source_display(),
            received_by_name=str(actor or ""), is_late=rules.is_late(incident.received_at, due),
            skipped_levels=rules.skipped_levels(rules.UNIT, start.level) if start.level != ChainLevel.COUNTY else [],
            content=report_content(incident), grade_at_send=incident.grade,
        )
        if first.is_late:
            ReportFinding.objects.create(incident=incident, report=first, kind=Finding.LATE,
                                         note=_("事发单位超过1小时报告"))
        created.append(first)
        predecessor = first
    for sender_level, receiver_level in zip(levels, levels[1:], strict=False):
        sender, receiver = bodies[sender_level], bodies[receiver_level]
        existing = Report.objects.filter(incident=incident, sender=sender, receiver=receiver,
                                         supplement=supplement).exclude(state=ReportState.CANCELLED).first()
        if existing is not None:
            predecessor = existing
            continue
        if predecessor is None:
            basis = basis_at
        else:
            basis = predecessor.sent_at or predecessor.due_at
            basis = max(basis, basis_at)
        hop_kind = kind
        if kind == ReportKind.SUPPLEMENT and not Report.objects.filter(
                incident=incident, receiver=receiver, kind=ReportKind.INITIAL).exists():
            hop_kind = ReportKind.INITIAL  # the first report this level gets (a re-grade extended the chain)
        report = Report.objects.create(
            incident=incident, kind=hop_kind, supplement=supplement, sender=sender, receiver=receiver,
            sender_level=sender_level, receiver_level=receiver_level, predecessor=predecessor,
            basis_at=basis, due_at=rules.hop_due(sender_level, basis),
        )
        _open_task(report, actor)
        created.append(report)
        predecessor = report
    return created


def duty_people(department_id: Any) -> list[Any]:
    """Who to tell at a department: the people on duty now; if the roster has nobody, the
    department's duty officers and leaders (a gap must never swallow a statutory report)."""
    people = on_duty(department=department_id)
    if people:
        return people
    from pingan.org.models import User

    return list(User.objects.filter(department=department_id, role__in=["duty_officer", "duty_leader"],
                                    is_active=True))


def _report_url(report: Report) -> str:
    return reverse("emergency:report", args=[report.pk])


def _open_task(report: Report, actor: Any) -> None:
    sender = report.sender
    if sender is None or sender.department_id is None:
        return  # a level outside the platform sends it (e.g. the province to the ministry)
    deadlines.create(report, kind=REPORT_DEADLINE, due_at=report.due_at, starts_at=report.basis_at,
                     title=_("向%(to)s报送%(kind)s:%(title)s") % {
                         "to": report.receiver.name, "kind": report.get_kind_display(), "title": report.incident.title},
                     remind_before=dt.timedelta(minutes=30), division=sender.division, department=sender.department)
    people = duty_people(sender.department_id)
    local_due = timezone.localtime(report.due_at)
    notify(people, event="emergency.report.due", urgent=True,
           title=_("请于%(due)s前向%(to)s报送:%(title)s") % {
               "due": f"{local_due:%m-%d %H:%M}", "to": report.receiver.name, "title": report.incident.title},
           url=_report_url(report))


def report_content(incident: Incident) -> dict[str, str]:
    """The §12 contents of a report, from the incident as it stands."""
    local = timezone.localtime(incident.occurred_at)
    casualties = _("死亡%(d)d人,重伤%(s)d人(含急性工业中毒),轻伤%(m)d人,下落不明%(x)d人,被困%(t)d人;"
                   "直接经济损失初步估计%(loss)s元") % {
        "d": incident.deaths, "s": incident.serious_injuries, "m": incident.minor_injuries, "x": incident.missing,
        "t": incident.trapped, "loss": f"{Decimal(incident.direct_loss):,.2f}"}
    unit = "\n".join(x for x in (incident.unit_name, incident.unit_overview) if x)
    place = _("%(time)s,%(place)s。%(scene)s") % {"time": f"{local:%Y年%m月%d日%H时%M分}",
                                                  "place": incident.place or incident.division.name,
                                                  "scene": incident.scene}
    return {
        "title": incident.title,
        "number": incident.number,
        "grade": incident.get_grade_display() if incident.grade else "",
        "unit_overview": unit,
        "occurred_place_scene": place.strip() if (incident.place or incident.scene) else "",
        "course": incident.course,
        "casualties_loss": casualties,
        "measures": incident.measures,
        "other_matters": incident.other_matters,
    }


def check_send_report(actor: Any, report: Report, *, receiver: ReportingBody | None = None) -> None:
    if not _role_ok(actor, RECORDING_ROLES):
        raise Forbidden(_("只有值班人员和部门工作人员可以报送"))
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    if report.sender is None or report.sender.department_id is None:
        raise ActionError(_("该报告由平台外的单位报送,请使用“登记上级报送”"), field="sender", code="external")
    if not actor.sees_everything:
        mine = body_of_user(actor)
        if mine is None or mine.pk != report.sender_id:
            raise Forbidden(_("只有%(body)s可以报送该报告") % {"body": report.sender.name})
    if receiver is not None and receiver.pk != report.receiver_id:
        if rules.CHAIN.index(receiver.level) <= rules.CHAIN.index(report.receiver_level):
            raise ActionError(_("越级上报只能报送给更高层级"), field="receiver", code="not_higher")
        if receiver.level not in bodies_up(report.receiver):
            raise ActionError(_("接收单位不在本事件的报送链上"), field="receiver", code="not_in_chain")
    missing = rules.missing_contents(report_content(report.incident))
    if missing:
        labels = dict(rules.REPORT_CONTENTS)
        raise ActionError(_("报告缺少必报内容:%(item)s") % {"item": labels[missing[0]]}, field=missing[0],
                          code="required")


@transaction.atomic
def do_send_report(actor: Any, report: Report, *, channel: str = "", received_by_name: str = "",
                   receiver: ReportingBody | None = None, sent_at: dt.datetime | None = None) -> Report:
    """Record that the sender sent the report (to the planned receiver, or skipping levels)."""
    check_send_report(actor, report, receiver=receiver)
    report = lock(report)
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    now = sent_at or timezone.now()
    incident = report.incident
    before = snapshot(report, ["state", "receiver", "sent_at"])
    skipped_bodies: list[ReportingBody] = []
    if receiver is not None and receiver.pk != report.receiver_id:
        skipped = rules.skipped_levels(report.sender_level, receiver.level)
        # the hops from the skipped levels are no longer this chain's: cancel them
        for hop in Report.objects.filter(incident=incident, supplement=report.supplement, kind__in=[report.kind],
                                         sender_level__in=skipped, state=ReportState.DUE):
            hop.state = ReportState.CANCELLED
            hop.save(update_fields=["state"])
            deadlines.cancel(hop, kind=REPORT_DEADLINE)
        report.skipped_levels = skipped
        skipped_bodies = [b for lvl, b in bodies_up(report.receiver).items() if lvl in skipped]
        report.receiver = receiver
        report.receiver_level = receiver.level
    report.state = ReportState.SENT
    report.sent_at = now
    report.sent_by = actor
    report.channel = channel[:40]
    report.received_by_name = received_by_name[:50]
    report.is_late = rules.is_late(now, report.due_at)
    report.content = report_content(incident)
    report.grade_at_send = incident.grade
    report.save()
    deadlines.close(report, kind=REPORT_DEADLINE, met_at=now)
    if report.is_late:
        ReportFinding.objects.create(incident=incident, report=report, kind=Finding.LATE, by=None,
                                     note=_("超过报送期限%(min)d分钟") % {
                                         "min": int((now - report.due_at).total_seconds() // 60)})
    audit.record("emergency.report.send", report, actor=actor, before=before,
                 after=snapshot(report, ["state", "receiver", "sent_at", "is_late", "skipped_levels"]),
                 division_path=incident.division.path)
    # the receiver's own hop up starts from its receipt
    from django.db.models import Q

    successors = Report.objects.filter(incident=incident, state=ReportState.DUE, sender=report.receiver).filter(
        Q(predecessor=report) | Q(supplement=report.supplement, kind=report.kind))
    for nxt in successors:
        nxt.predecessor = report
        nxt.basis_at = now
        nxt.due_at = rules.hop_due(nxt.sender_level, now)
        nxt.save(update_fields=["predecessor", "basis_at", "due_at"])
        deadlines.for_object(nxt).filter(kind=REPORT_DEADLINE, met_at=None).update(
            due_at=nxt.due_at, starts_at=now, remind_at=nxt.due_at - dt.timedelta(minutes=30))
    for body in skipped_bodies:  # the levels jumped over are told (and keep seeing the incident)
        if body.department_id:
            notify(duty_people(body.department_id), event="emergency.report.skipped",
                   title=_("%(sender)s越级向%(receiver)s报送:%(title)s") % {
                       "sender": report.sender.name, "receiver": report.receiver.name, "title": incident.title},
                   url=_incident_url(incident))
    if report.receiver.department_id:
        notify(duty_people(report.receiver.department_id), event="emergency.report.received", urgent=True,
               title=_("收到%(sender)s的%(kind)s:%(title)s(%(grade)s)") % {
                   "sender": report.sender.name, "kind": report.get_kind_display(), "title": incident.title,
                   "grade": incident.get_grade_display()},
               url=_incident_url(incident))
    return report


@transaction.atomic
def do_record_external_send(actor: Any, report: Report, *, sent_at: dt.datetime | None = None,
                            note: str = "") -> Report:
    """A level outside the platform (the province) reported up: record it as confirmed."""
    if not _role_ok(actor, RECORDING_ROLES):
        raise Forbidden(_("只有值班人员和部门工作人员可以登记"))
    report = lock(report)
    if report.state != ReportState.DUE:
        raise Conflict(_("该报告已报送或已取消"), field="state")
    now = sent_at or timezone.now()
    report.state, report.sent_at, report.sent_by = ReportState.SENT, now, actor
    report.is_late = rules.is_late(now, report.due_at)
    report.channel = note[:40]
    report.content = report_content(report.incident)
    report.grade_at_send = report.incident.grade
    report.save()
    audit.record("emergency.report.external", report, actor=actor, after=snapshot(report, ["state", "sent_at"]),
                 division_path=report.incident.division.path, note=note)
    return report


def concerned_people(incident: Incident) -> list[Any]:
    """On-duty people of every on-platform level the incident has been (or is to be) reported to."""
    depts = set()
    if incident.owner_body and incident.owner_body.department_id:
        depts.add(incident.owner_body.department_id)
    for sender_dept, receiver_dept in Report.objects.filter(incident=incident).values_list(
            "sender__department", "receiver__department"):
        depts.update(d for d in (sender_dept, receiver_dept) if d)
    people: list[Any] = []
    for d in sorted(depts):
        people.extend(duty_people(d))
    return people


def _apply_grade(actor: Any, incident: Incident, new_grade: str, *, note: str, basis: str = "",
                 start: ReportingBody | None = None, supplement: Supplement | None = None) -> GradeChange | None:
    old = incident.grade
    if new_grade == old:
        return None
    incident.grade = new_grade
    incident.grade_basis = (basis or _("人工定级"))[:200]
    incident.save(update_fields=["grade", "grade_basis", "updated_at"])
    change = GradeChange.objects.create(incident=incident, from_grade=old, to_grade=new_grade, by=actor,
                                        counts=_counts(incident), note=note[:200])
    audit.record("emergency.incident.regrade", incident, actor=actor, before={"grade": old},
                 after={"grade": new_grade, "counts": _counts(incident)}, note=note)
    upwards = GRADE_ORDER.index(new_grade) > (GRADE_ORDER.index(old) if old else -1)
    if upwards and old and rules.level_reached(old, new_grade) and supplement is None:
        # (with a 续报, do_supplement lays out its chain to the new end itself)
        start = start or incident.owner_body
        if start is not None:
            _lay_out_chain(incident, start, basis_at=timezone.now(),
                           kind=ReportKind.SUPPLEMENT if supplement else ReportKind.INITIAL,
                           actor=actor, supplement=supplement)
    notify(concerned_people(incident), event="emergency.incident.regraded", urgent=upwards,
           title=_("%(title)s 等级变更:%(old)s → %(new)s") % {
               "title": incident.title, "old": _grade_label(old), "new": _grade_label(new_grade)},
           url=_incident_url(incident))
    return change


def _grade_label(value: str) -> str:
    from .choices import Grade

    return str(Grade(value).label) if value else _("未定级")


def check_supplement(actor: Any, incident: Incident, data: dict[str, Any]) -> dict[str, Any]:
    if not _role_ok(actor, RECORDING_ROLES):
        raise Forbidden(_("只有值班人员和部门工作人员可以续报"))
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
    before = _counts(incident)
    from django.conf import settings

    # [U] the day counting is configurable: EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE (default: the rule table's)
    in_window = rules.in_supplement_window(
        timezone.localtime(incident.occurred_at).date(), cleaned["effective_on"], incident.accident_kind,
        accident_day_is_day_one=getattr(settings, "EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE", None))
    changes = {k: v for k, v in cleaned.items() if k in (*COUNT_FIELDS, "direct_loss")}
    if in_window:
        for k, v in changes.items():
            setattr(incident, k, v)
    for key in ("course", "measures", "other_matters", "scene"):
        if key in cleaned:
            setattr(incident, key, cleaned[key])
    incident.save()
    supplement = Supplement.objects.create(incident=incident, effective_on=cleaned["effective_on"], in_window=in_window,
                                           before=before, after=audit.jsonable({**before, **changes}),
                                           text=cleaned["text"], by=actor)
    audit.record("emergency.incident.supplement", incident, actor=actor, before=before,
                 after=supplement.after, note=cleaned["text"] if in_window else _("超出补报期限,未重新定级"))
    start = body_of_user(actor) or incident.owner_body
    if start is not None and not actor.sees_everything and start.level not in (ChainLevel.COUNTY, ChainLevel.CITY):
        start = incident.owner_body
    result = _grade_of(incident) if in_window else None
    regraded = None
    if result is not None and result.grade != incident.grade:
        regraded = _apply_grade(actor, incident, result.grade, note=_("续报:伤亡或损失变化"), basis=result.basis,
                                start=start, supplement=supplement)
    if start is not None and in_window:
        # the 续报 itself goes up the chain as far as the (possibly new) grade requires
        _lay_out_chain(incident, start, basis_at=supplement.at, kind=ReportKind.SUPPLEMENT, actor=actor,
                       supplement=supplement)
    del regraded
    return supplement


@transaction.atomic
def do_set_grade(actor: Any, incident: Incident, grade: str, *, note: str) -> Incident:
    """人工定级 of an emergency that is not a production-safety accident (law's guidance shown)."""
    if not _role_ok(actor, RECORDING_ROLES):
        raise Forbidden(_("只有值班人员和部门工作人员可以定级"))
    if incident.is_production_safety:
        raise ActionError(_("生产安全事故按伤亡和损失自动定级,请通过续报更新数据"), field="grade", code="automatic")
    if grade not in GRADE_ORDER:
        raise ActionError(_("请选择等级"), field="grade", code="invalid")
    if not note.strip():
        raise ActionError(_("请说明定级依据"), field="note", code="required")
    incident = lock(incident)
    if not incident.grade:
        incident.grade = grade
        incident.grade_basis = note[:200]
        incident.save(update_fields=["grade", "grade_basis"])
        GradeChange.objects.create(incident=incident, from_grade="", to_grade=grade, by=actor, note=note[:200],
                                   counts=_counts(incident))
        audit.record("emergency.incident.regrade", incident, actor=actor, before={"grade": ""},
                     after={"grade": grade}, note=note)
        if incident.owner_body and incident.category != Category.SOCIAL_SECURITY:
            _lay_out_chain(incident, incident.owner_body, basis_at=timezone.now(), kind=ReportKind.INITIAL,
                           actor=actor)
    else:
        _apply_grade(actor, incident, grade, note=note, basis=note)
    return incident


@transaction.atomic
def do_record_finding(actor: Any, incident: Incident, *, kind: str, note: str, report: Report | None = None
                      ) -> ReportFinding:
    """漏报/谎报/瞒报 are findings made by people (LATE is flagged by the system)."""
    if not _role_ok(actor, {"duty_leader", "dept_staff", "city_admin", "inspector"}):
        raise Forbidden(_("无权认定报送问题"))
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


def check_response(actor: Any, incident: Incident, step: str, level: str) -> None:
    if not _role_ok(actor, {"duty_leader", "dept_staff", "city_admin"}):
        raise Forbidden(_("只有带班领导和部门工作人员可以决定响应级别"))
    current = incident.response_level
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
def do_response(actor: Any, incident: Incident, *, step: str, level: str = "", note: str = "") -> ResponseChange:
    incident = lock(incident)
    check_response(actor, incident, step, level)
    old = incident.response_level
    new = "" if step == ResponseStep.END else level
    incident.response_level = new
    incident.save(update_fields=["response_level", "updated_at"])
    change = ResponseChange.objects.create(incident=incident, step=step, from_level=old, to_level=new, by=actor,
                                           note=note[:300])
    audit.record("emergency.incident.response", incident, actor=actor, before={"response_level": old},
                 after={"response_level": new, "step": step}, note=note)
    notify(concerned_people(incident), event="emergency.incident.response", urgent=step != ResponseStep.END,
           title=_("%(title)s:%(step)s%(level)s") % {
               "title": incident.title, "step": change.get_step_display(),
               "level": ResponseLevel(new).label if new else ""},
           url=_incident_url(incident))
    return change


@transaction.atomic
def do_close_incident(actor: Any, incident: Incident, *, summary: str) -> Incident:
    """End the incident with the after-action summary (总结评估)."""
    if not _role_ok(actor, {"duty_leader", "dept_staff", "city_admin"}):
        raise Forbidden(_("只有带班领导和部门工作人员可以结束事件"))
    if not summary.strip():
        raise ActionError(_("请填写总结评估"), field="summary", code="required")
    incident = lock(incident)
    if incident.state != IncidentState.OPEN:
        raise Conflict(_("事件已结束"), field="state")
    if incident.response_level:
        raise ActionError(_("请先终止应急响应"), field="response_level", code="active")
    incident.state, incident.summary, incident.closed_at = IncidentState.CLOSED, summary, timezone.now()
    incident.save(update_fields=["state", "summary", "closed_at", "updated_at"])
    audit.record("emergency.incident.close", incident, actor=actor, after={"state": incident.state}, note=summary)
    return incident


# ---------------------------------------------------------------------------------------------
# Deadline handlers: an overdue report is flagged at once on every level concerned
# ---------------------------------------------------------------------------------------------

def escalate_report(row: Any, level: int) -> dt.datetime | None:
    report = Report.objects.select_related("incident", "sender", "receiver").filter(pk=row.object_id).first()
    if report is None or report.state != ReportState.DUE:
        return None
    if timezone.now() <= report.due_at:
        # the reconciler fires at the due minute; "late" is strictly after it (on the minute is in time)
        return report.due_at + dt.timedelta(minutes=1)
    if report.overdue_flagged_at is None:
        report.overdue_flagged_at = timezone.now()
        report.save(update_fields=["overdue_flagged_at"])
        audit.record("emergency.report.overdue", report, actor="system", after={"due_at": report.due_at},
                     division_path=report.incident.division.path)
    people = concerned_people(report.incident)
    if report.sender and report.sender.department_id:
        from pingan.org.models import User

        people += list(User.objects.filter(department=report.sender.department_id, role="duty_leader",
                                           is_active=True))
    notify(people, event="emergency.report.overdue", urgent=True,
           title=_("超时未报:%(sender)s向%(receiver)s报送“%(title)s”已超过期限") % {
               "sender": report.sender.name if report.sender else "", "receiver": report.receiver.name,
               "title": report.incident.title},
           url=_report_url(report))
    return None if level >= 3 else timezone.now() + dt.timedelta(minutes=30)


def remind_report(row: Any) -> None:
    report = Report.objects.select_related("sender", "receiver", "incident").filter(pk=row.object_id).first()
    if report is None or report.state != ReportState.DUE or not (report.sender and report.sender.department_id):
        return
    notify(duty_people(report.sender.department_id), event="emergency.report.reminder",
           title=_("30分钟内须向%(to)s报送:%(title)s") % {"to": report.receiver.name, "title": report.incident.title},
           url=_report_url(report))


def escalate_sanfang(row: Any, level: int) -> dt.datetime | None:
    item = SanfangReport.objects.select_related("response", "department").filter(pk=row.object_id).first()
    if item is None or item.submitted_at is not None:
        return None
    notify(duty_people(item.response.headquarters_id) + duty_people(item.department_id),
           event="emergency.sanfang.overdue", urgent=True,
           title=_("%(dept)s未按时报送%(resp)s工作情况(%(due)s)") % {
               "dept": item.department.name, "resp": str(item.response),
               "due": f"{timezone.localtime(item.due_at):%m-%d %H:%M}"},
           url=reverse("emergency:sanfang", args=[item.response_id]))
    return None


# ---------------------------------------------------------------------------------------------
# Duty roster
# ---------------------------------------------------------------------------------------------

def check_roster(actor: Any, post: DutyPost) -> None:
    if not _role_ok(actor, ROSTER_ROLES):
        raise Forbidden(_("只有带班领导和部门工作人员可以排班"))
    if not actor.sees_everything and actor.department_id != post.department_id:
        raise Forbidden(_("只能为本部门的值班岗位排班"))


@transaction.atomic
def do_generate_shifts(actor: Any, rotation: RotationTemplate, *, days: int = 14,
                       start: dt.datetime | None = None) -> list[Shift]:
    """Generate the rotation's shifts for the coming `days` (existing shifts are kept)."""
    check_roster(actor, rotation.post)
    if not rotation.crews:
        raise ActionError(_("轮班模板没有班组"), field="crews", code="required")
    if days < 1 or days > 92:
        raise ActionError(_("生成天数应在1到92之间"), field="days", code="out_of_range")
    start = start or timezone.now()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk({pk for c in rotation.crews for pk in [c.get("leader"), *c.get("officers", [])]
                                              if pk})
    start_time = rotation.start_time
    if isinstance(start_time, str):  # an unsaved default ("08:30")
        start_time = dt.time.fromisoformat(start_time)
    existing = set(Shift.objects.filter(post=rotation.post, starts_at__gte=start - dt.timedelta(days=1))
                   .values_list("starts_at", flat=True))
    created = []
    for s, e, crew_i in rules.rotation_shifts(rotation.starts_on, start_time, rotation.shift_hours,
                                              len(rotation.crews), start, start + dt.timedelta(days=days)):
        if s in existing:
            continue
        crew = rotation.crews[crew_i]
        shift = Shift.objects.create(post=rotation.post, starts_at=s, ends_at=e, rotation=rotation,
                                     leader=users.get(crew.get("leader")))
        shift.officers.set([users[pk] for pk in crew.get("officers", []) if pk in users])
        created.append(shift)
    audit.record("emergency.rotation.generate", rotation, actor=actor, after={"created": len(created), "days": days},
                 division_path=rotation.post.division.path)
    return created


@transaction.atomic
def do_request_swap(actor: Any, shift: Shift, *, role: str, from_user: Any, to_user: Any, reason: str = ""
                    ) -> ShiftSwap:
    if to_user is None:
        raise ActionError(_("请选择替班人"), field="to_user", code="required")
    if role == ShiftRole.LEADER and from_user is not None and shift.leader_id != from_user.pk:
        raise ActionError(_("原值班人不是该班带班领导"), field="from_user", code="invalid")
    if role == ShiftRole.OFFICER and from_user is not None and not shift.officers.filter(pk=from_user.pk).exists():
        raise ActionError(_("原值班人不在该班"), field="from_user", code="invalid")
    if shift.ends_at <= timezone.now():
        raise ActionError(_("该班次已结束"), field="shift", code="past")
    if not (actor.pk in (getattr(from_user, "pk", None), to_user.pk) or _role_ok(actor, ROSTER_ROLES)):
        raise Forbidden(_("只能为自己申请换班"))
    swap = ShiftSwap.objects.create(shift=shift, role=role, from_user=from_user, to_user=to_user, reason=reason[:200],
                                    requested_by=actor)
    audit.record("emergency.swap.request", swap, actor=actor,
                 after=snapshot(swap, ["shift", "role", "from_user", "to_user"]), note=reason)
    approvers = [u for u in [shift.leader] if u is not None and u.pk != actor.pk]
    from pingan.org.models import User

    approvers += list(User.objects.filter(department=shift.post.department_id, role="duty_leader", is_active=True))
    notify(approvers, event="emergency.swap.requested", title=_("换班申请:%(shift)s") % {"shift": str(shift)},
           url=reverse("emergency:roster", args=[shift.post_id]))
    return swap


@transaction.atomic
def do_decide_swap(actor: Any, swap: ShiftSwap, *, approve: bool) -> ShiftSwap:
    if not _role_ok(actor, {"duty_leader", "city_admin", "dept_staff"}):
        raise Forbidden(_("只有带班领导可以审批换班"))
    if swap.requested_by_id == actor.pk and not actor.sees_everything:
        raise Forbidden(_("不能审批自己的申请"))
    if not actor.sees_everything and actor.department_id != swap.shift.post.department_id:
        raise Forbidden(_("只能为本部门的值班岗位排班"))
    swap = lock(swap)
    if swap.state != SwapState.PENDING:
        raise Conflict(_("该申请已处理"), field="state")
    swap.state = SwapState.APPROVED if approve else SwapState.REJECTED
    swap.decided_by, swap.decided_at = actor, timezone.now()
    swap.save()
    if approve:
        shift = swap.shift
        if swap.role == ShiftRole.LEADER:
            shift.leader = swap.to_user
            shift.save(update_fields=["leader"])
        else:
            if swap.from_user_id:
                shift.officers.remove(swap.from_user_id)
            shift.officers.add(swap.to_user)
    audit.record("emergency.swap.decide", swap, actor=actor, after={"state": swap.state})
    notify([p for p in (swap.requested_by, swap.to_user, swap.from_user) if p], event="emergency.swap.decided",
           title=_("换班申请%(state)s:%(shift)s") % {"state": swap.get_state_display(), "shift": str(swap.shift)},
           url=reverse("emergency:roster", args=[swap.shift.post_id]))
    return swap


@transaction.atomic
def do_handover(actor: Any, post: DutyPost, *, open_matters: str, notes: str = "", received_by: Any = None
                ) -> Handover:
    if not _role_ok(actor, RECORDING_ROLES):
        raise Forbidden(_("无权填写交接班记录"))
    if not actor.sees_everything and actor.department_id != post.department_id:
        raise Forbidden(_("只能填写本部门值班岗位的交接班记录"))
    now = timezone.now()
    from_shift = Shift.objects.filter(post=post, starts_at__lte=now, ends_at__gt=now).first()
    to_shift = Shift.objects.filter(post=post, starts_at__gt=now - dt.timedelta(hours=1)).exclude(
        pk=getattr(from_shift, "pk", None)).order_by("starts_at").first()
    handover = Handover.objects.create(post=post, from_shift=from_shift, to_shift=to_shift, handed_by=actor,
                                       received_by=received_by, open_matters=open_matters, notes=notes)
    audit.record("emergency.handover.record", handover, actor=actor,
                 after={"received_by": getattr(received_by, "pk", None)}, note=open_matters)
    return handover


# ---------------------------------------------------------------------------------------------
# 三防 responses
# ---------------------------------------------------------------------------------------------

def check_sanfang(actor: Any) -> None:
    if not _role_ok(actor, {"duty_leader", "dept_staff", "city_admin"}):
        raise Forbidden(_("只有三防指挥部工作人员可以启动响应"))


@transaction.atomic
def do_start_sanfang(actor: Any, *, kind: str, level: str, headquarters: Any, members: list[Any], note: str = ""
                     ) -> SanfangResponse:
    check_sanfang(actor)
    from .choices import SanfangKind

    if kind not in SanfangKind.values:
        raise ActionError(_("请选择响应类型"), field="kind", code="invalid")
    if level not in ResponseLevel.values:
        raise ActionError(_("请选择响应级别"), field="level", code="invalid")
    if not members:
        raise ActionError(_("请选择成员单位"), field="members", code="required")
    if SanfangResponse.objects.filter(headquarters=headquarters, kind=kind, ended_at=None).exists():
        raise Conflict(_("该类型的响应已在启动中"), field="kind")
    response = SanfangResponse.objects.create(kind=kind, level=level, headquarters=headquarters,
                                              division=headquarters.division, started_by=actor, note=note)
    response.members.set(members)
    audit.record("emergency.sanfang.start", response, actor=actor, after={"kind": kind, "level": level,
                                                                           "members": [m.pk for m in members]})
    reconcile_sanfang(response=response)
    people = [p for m in members for p in duty_people(m.pk)]
    notify(people, event="emergency.sanfang.started", urgent=True,
           title=_("启动%(resp)s:请每日9时、16时前报送工作情况") % {"resp": str(response)},
           url=reverse("emergency:sanfang", args=[response.pk]))
    return response


@transaction.atomic
def do_change_sanfang(actor: Any, response: SanfangResponse, *, level: str | None = None, end: bool = False,
                      note: str = "") -> SanfangResponse:
    check_sanfang(actor)
    response = lock(response)
    if response.ended_at is not None:
        raise Conflict(_("该响应已终止"), field="state")
    before = snapshot(response, ["level", "ended_at"])
    if end:
        response.ended_at = timezone.now()
        for item in SanfangReport.objects.filter(response=response, submitted_at=None, due_at__gt=response.ended_at):
            deadlines.cancel(item, kind=SANFANG_DEADLINE)
            item.delete()
    else:
        if level not in ResponseLevel.values or level == response.level:
            raise ActionError(_("请选择新的响应级别"), field="level", code="invalid")
        response.level = level
    response.save()
    audit.record("emergency.sanfang.end" if end else "emergency.sanfang.level", response, actor=actor,
                 before=before, after=snapshot(response, ["level", "ended_at"]), note=note)
    return response


def reconcile_sanfang(now: dt.datetime | None = None, response: SanfangResponse | None = None) -> int:
    """Idempotent: make sure every active response has the member reports due up to the next slot
    (and each one a deadline row). Called when a response starts and by a periodic task."""
    now = now or timezone.now()
    created = 0
    qs = SanfangResponse.objects.filter(ended_at=None).prefetch_related("members")
    if response is not None:
        qs = qs.filter(pk=response.pk)
    for resp in qs:
        horizon = rules.next_sanfang_slot(now)
        slots = rules.sanfang_slots(resp.started_at, horizon)
        have = set(SanfangReport.objects.filter(response=resp).values_list("department_id", "due_at"))
        for due in slots:
            for member in resp.members.all():
                if (member.pk, due) in have:
                    continue
                item = SanfangReport.objects.create(response=resp, department=member, due_at=due)
                deadlines.create(item, kind=SANFANG_DEADLINE, due_at=due, title=_("%(resp)s工作情况报告") % {
                    "resp": str(resp)}, remind_before=dt.timedelta(hours=1), division=member.division,
                    department=member)
                created += 1
    return created


def check_submit_sanfang(actor: Any, item: SanfangReport, text: str) -> None:
    if not (actor.sees_everything or actor.department_id == item.department_id):
        raise Forbidden(_("只能报送本单位的报告"))
    if item.submitted_at is not None:
        raise Conflict(_("该时段已报送"), field="state")
    if not text.strip():
        raise ActionError(_("请填写报告内容"), field="text", code="required")


@transaction.atomic
def do_submit_sanfang(actor: Any, item: SanfangReport, *, text: str) -> SanfangReport:
    check_submit_sanfang(actor, item, text)
    item = lock(item)
    check_submit_sanfang(actor, item, text)
    now = timezone.now()
    item.submitted_at, item.submitted_by, item.text = now, actor, text
    item.is_late = rules.is_late(now, item.due_at)
    item.save()
    deadlines.close(item, kind=SANFANG_DEADLINE, met_at=now)
    audit.record("emergency.sanfang.report", item, actor=actor, after={"is_late": item.is_late},
                 division_path=item.response.division.path)
    return item


__all__ = ["CHAIN_ORDER"]
