"""Every state change of the monitoring module (check_* validates, do_* changes rows atomically,
writes the audit event and notifies)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit, links
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.models import Link
from pingan.core.permissions import require
from pingan.notify.services import notify

from . import adapters
from .choices import AlarmState
from .models import Alarm, AlarmComment, Device, EscalationPolicy, EscalationStep, Silence
from .triage import holds_escalation

ALARM_FIELDS = ["state", "severity", "acked_at", "acked_by", "cleared_at", "escalation_step"]


def alarm_title(info: Any, rule_name: str, level: int, label: str) -> str:
    return f"{info.name} · {rule_name}{' · ' + label if label else ''}"[:200]


# --- acknowledge, comment, clear ------------------------------------------------------------------


def check_handle(actor: Any, alarm: Alarm) -> None:
    """Who may acknowledge, comment and clear: `permissions.can_handle` (the caller has already
    resolved visibility, so an alarm out of scope was a 404 before this)."""
    require(actor, "monitoring.handle", alarm, _("无权处理报警"))


@transaction.atomic
def do_acknowledge(actor: Any, alarm: Alarm, *, note: str = "") -> Alarm:
    check_handle(actor, alarm)
    alarm = lock(alarm)
    if alarm.acknowledged:
        raise Conflict(_("报警已被确认"), field="state", code="already_acknowledged")
    before = snapshot(alarm, ALARM_FIELDS)
    alarm.set_state(AlarmState.ACTIVE_ACK if alarm.is_active else AlarmState.CLEARED_ACK)
    alarm.acked_at = timezone.now()
    alarm.acked_by = actor
    alarm.next_escalation_at = None  # acknowledged: escalation stops
    alarm.save(update_fields=["state", "is_active", "acked_at", "acked_by", "next_escalation_at"])
    audit.record(
        "monitoring.alarm.acknowledge",
        alarm,
        actor=actor,
        before=before,
        after=snapshot(alarm, ALARM_FIELDS),
        note=note,
    )
    if note:
        AlarmComment.objects.create(alarm=alarm, author=actor, text=note)
    return alarm


@transaction.atomic
def do_comment(actor: Any, alarm: Alarm, text: str) -> AlarmComment:
    check_handle(actor, alarm)
    text = (text or "").strip()
    if not text:
        raise ActionError(_("请填写备注"), field="text", code="required")
    if len(text) > 2000:
        raise ActionError(_("备注不能超过 2000 字"), field="text", code="max_length")
    comment = AlarmComment.objects.create(alarm=alarm, author=actor, text=text)
    audit.record("monitoring.alarm.comment", alarm, actor=actor, note=text[:500])
    return comment


@transaction.atomic
def do_clear(actor: Any, alarm: Alarm, *, note: str = "") -> Alarm:
    """Close an active alarm by hand (an event handled on site, a no-data alarm of a removed device).
    The rule re-arms when the sensor's value returns to normal."""
    check_handle(actor, alarm)
    if not note.strip():
        raise ActionError(_("手动恢复须说明原因"), field="note", code="required")
    alarm = lock(alarm)
    if not alarm.is_active:
        raise Conflict(_("报警已恢复"), field="state", code="already_cleared")
    before = snapshot(alarm, ALARM_FIELDS)
    alarm.set_state(AlarmState.CLEARED_ACK if alarm.acknowledged else AlarmState.CLEARED_UNACK)
    alarm.cleared_at = timezone.now()
    alarm.next_escalation_at = None
    alarm.save(update_fields=["state", "is_active", "cleared_at", "next_escalation_at"])
    audit.record(
        "monitoring.alarm.clear_by_hand",
        alarm,
        actor=actor,
        before=before,
        after=snapshot(alarm, ALARM_FIELDS),
        note=note,
    )
    return alarm


# --- escalation -----------------------------------------------------------------------------------


def active_policies() -> list[EscalationPolicy]:
    """Every active policy with its division and its steps in order (two queries): read once per
    ingest batch, so a policy edited in the console applies from the next batch."""
    return list(
        EscalationPolicy.objects.filter(is_active=True)
        .select_related("division")
        .prefetch_related(Prefetch("steps", queryset=EscalationStep.objects.order_by("order")))
    )


def find_policy(
    alarm: Alarm,
    *,
    policies: list[EscalationPolicy] | None = None,
    sensor_type: str | None = None,
    path: str | None = None,
) -> EscalationPolicy | None:
    """The most specific active policy for the alarm: department, then division, then sensor type.
    A batch passes the policies, the sensor's type and the division's path it already holds."""
    if sensor_type is None:
        sensor_type = alarm.sensor.type if alarm.sensor_id else ""
    if path is None:
        path = alarm.division.path if alarm.division_id else ""
    if policies is None:
        policies = list(EscalationPolicy.objects.filter(is_active=True).select_related("division"))
    best, best_score = None, -1.0
    for policy in policies:
        if policy.min_severity > alarm.severity:
            continue
        if policy.department_id and policy.department_id != alarm.department_id:
            continue
        if policy.division_id and not path.startswith(policy.division.path):
            continue
        if policy.sensor_type and policy.sensor_type != sensor_type:
            continue
        score = float(
            (4 if policy.department_id else 0)
            + (2 if policy.division_id else 0)
            + (1 if policy.sensor_type else 0)
        )
        if policy.division_id:
            score += len(policy.division.path) / 100
        if score > best_score:
            best, best_score = policy, score
    return best


def start_escalation(alarm: Alarm, *, now: datetime | None = None) -> None:
    """Attach the policy and run its first step if it is due at once (called inside the batch's transaction)."""  # noqa: E501
    if holds_escalation(alarm):
        return  # triaged first (研判): the escalation starts when an analyst finds the alarm real
    start_escalations([alarm], now=now, held=set())


def start_escalations(
    alarms: list[Alarm],
    *,
    now: datetime | None = None,
    sensor_types: dict[int, str] | None = None,  # sensor id → type
    paths: dict[int, str] | None = None,  # division id → path
    held: set[int] | None = None,
) -> None:
    """start_escalation for a batch of new alarms in a constant number of queries (the policies and
    their steps once, which rules hold for triage once, one UPDATE of the alarms), then the first
    step of each alarm whose step is due at once. `held`: rule ids already known to hold for triage
    (None: read them; a new alarm has no verdict yet, so its rule's mode alone decides)."""
    from .triage import rules_held_for_triage

    now = now or timezone.now()
    if not alarms:
        return
    if held is None:
        held = rules_held_for_triage({a.rule_id for a in alarms})
    alarms = [a for a in alarms if a.rule_id not in held]
    if not alarms:
        return
    policies = active_policies()
    if not policies:
        return
    todo = []
    for alarm in alarms:
        policy = find_policy(
            alarm,
            policies=policies,
            sensor_type=sensor_types.get(alarm.sensor_id, "") if sensor_types is not None else None,
            path=paths.get(alarm.division_id, "") if paths is not None else None,
        )
        steps = list(policy.steps.all()) if policy is not None else []
        if not steps:
            continue
        alarm.policy = policy
        alarm.escalation_step = 0
        alarm.next_escalation_at = alarm.raised_at + timedelta(minutes=steps[0].delay_minutes)
        todo.append(alarm)
    if not todo:
        return
    Alarm.objects.bulk_update(todo, ["policy", "escalation_step", "next_escalation_at"], batch_size=500)
    for alarm in todo:
        if alarm.next_escalation_at is not None and alarm.next_escalation_at <= now:
            _escalate_one(alarm.pk, now)


def escalate_due(now: datetime | None = None) -> int:
    """Run every due escalation step (idempotent: each alarm row says which step is next and when)."""
    now = now or timezone.now()
    done = 0
    due = Alarm.objects.filter(state=AlarmState.ACTIVE_UNACK, next_escalation_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            done += _escalate_one(pk, now)
    return done


def _escalate_one(pk: int, now: datetime) -> int:
    alarm = Alarm.objects.select_for_update().filter(pk=pk).first()
    if (
        alarm is None
        or alarm.state != AlarmState.ACTIVE_UNACK
        or alarm.next_escalation_at is None
        or alarm.next_escalation_at > now
        or alarm.policy_id is None
    ):
        return 0  # acknowledged, cleared or already done by another worker
    steps = list(alarm.policy.steps.order_by("order").prefetch_related("people"))
    if not steps:
        return 0
    index = min(alarm.escalation_step, len(steps) - 1)
    step = steps[index]
    people = step_people(step, alarm, now)
    before = snapshot(alarm, ["escalation_step"])
    url = reverse("monitoring:alarm", args=[alarm.pk])
    notify(
        people,
        event="monitoring.alarm.escalated" if alarm.escalation_step else "monitoring.alarm.raised",
        title=_("监测报警:%(title)s") % {"title": alarm.title},
        body=_("级别:%(sev)s,%(at)s 起未确认")
        % {
            "sev": alarm.get_severity_display(),
            "at": timezone.localtime(alarm.raised_at).strftime("%m-%d %H:%M"),
        },
        url=url,
        urgent=alarm.severity >= 3,
    )
    alarm.escalation_step += 1
    following = None
    if alarm.escalation_step < len(steps):
        following = now + timedelta(minutes=steps[alarm.escalation_step].delay_minutes)
    elif alarm.escalation_step < len(steps) + alarm.policy.repeat:
        following = now + timedelta(minutes=max(step.delay_minutes, 1))
    alarm.next_escalation_at = following
    alarm.save(update_fields=["escalation_step", "next_escalation_at"])
    audit.record(
        "monitoring.alarm.escalate",
        alarm,
        before=before,
        after=snapshot(alarm, ["escalation_step"]),
        note=", ".join(str(p) for p in people)[:500],
    )
    return 1


def step_people(step: EscalationStep, alarm: Alarm, at: datetime) -> list:
    """Whom a step tells: the duty roster of the responsible department when the emergency module
    has one, otherwise (and in addition) the step's configured people and roles."""
    people: list = []
    if step.notify_on_duty:
        on_duty = adapters.people_on_duty(department=alarm.department, division=alarm.division, at=at)
        if on_duty:
            people.extend(on_duty)
    if not people or not step.notify_on_duty:
        people.extend(step.people.all())
        if step.roles:
            people.extend(_people_in_role(step.roles, alarm))
    return people


def _people_in_role(roles: list[str], alarm: Alarm) -> list:
    """People of these roles in the responsible department; if it has none, those of the nearest
    division above the alarm (its district's, then the city's) who hold the role."""
    from pingan.org.models import User

    if alarm.department_id:
        found = list(User.objects.filter(department=alarm.department_id, role__in=roles, is_active=True))
        if found:
            return found
    chain = (alarm.division.ancestors() + [alarm.division]) if alarm.division_id else []
    for division in reversed(chain):
        found = list(User.objects.filter(division=division, role__in=roles, is_active=True))
        if found:
            return found
    return []


# --- hazard case and incident ------------------------------------------------------------------


def check_open(actor: Any, alarm: Alarm) -> None:
    require(actor, "monitoring.open", alarm, _("无权由报警发起隐患或事件"))


def _linked_of_kind(alarm: Alarm, app_label: str, kind: str) -> Any:
    """The object of `app_label` linked to the alarm (either direction), or linked by us as `kind`."""
    ct = ContentType.objects.get_for_model(alarm)
    for row in Link.objects.filter(a_type=ct, a_id=str(alarm.pk)).select_related("b_type"):
        if row.b_type.app_label == app_label or row.kind == kind:
            return row.b_type.get_object_for_this_type(pk=row.b_id)
    for row in Link.objects.filter(b_type=ct, b_id=str(alarm.pk)).select_related("a_type"):
        if row.a_type.app_label == app_label:
            return row.a_type.get_object_for_this_type(pk=row.a_id)
    return None


def _link_once(alarm: Alarm, other: Any, kind: str, actor: Any) -> None:
    """Link the alarm and the object it opened, unless the other module's service already did (in
    either direction); `links.linked` shows it from both sides."""
    if not any(obj == other for _k, obj in links.linked(alarm)):
        links.link(alarm, other, kind, by=actor)


def _describe(alarm: Alarm) -> str:
    sensor = alarm.sensor
    return _("%(sensor)s(设备 %(device)s)于 %(at)s 报警:%(title)s,触发值 %(value)s %(unit)s。") % {
        "sensor": sensor.name,
        "device": sensor.device.code,
        "at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M"),
        "title": alarm.title,
        "value": "" if alarm.trigger_value is None else f"{alarm.trigger_value:g}",
        "unit": sensor.unit,
    }


@transaction.atomic
def do_open_case(actor: Any, alarm: Alarm) -> Any:
    """Open a hazard case (隐患) from the alarm, linked both ways."""
    check_open(actor, alarm)
    alarm = lock(alarm)
    if _linked_of_kind(alarm, "hazards", "alarm_hazard_case") is not None:
        raise Conflict(_("该报警已发起隐患"), field="hazard_case", code="already_opened")
    try:
        case = adapters.open_hazard_case(
            actor=actor, alarm=alarm, title=alarm.title, description=_describe(alarm)
        )
    except adapters.Unavailable as exc:
        raise ActionError(_("隐患模块暂不可用"), field="hazard_case", code="unavailable") from exc
    _link_once(alarm, case, "alarm_hazard_case", actor)
    audit.record(
        "monitoring.alarm.open_case", alarm, actor=actor, after={"case": case.pk}, note=str(case)[:200]
    )
    return case


@transaction.atomic
def do_open_incident(actor: Any, alarm: Alarm) -> Any:
    check_open(actor, alarm)
    alarm = lock(alarm)
    if _linked_of_kind(alarm, "emergency", "alarm_incident") is not None:
        raise Conflict(_("该报警已发起事件"), field="incident", code="already_opened")
    try:
        incident = adapters.open_incident(
            actor=actor, alarm=alarm, title=alarm.title, description=_describe(alarm)
        )
    except adapters.Unavailable as exc:
        raise ActionError(_("事件模块暂不可用"), field="incident", code="unavailable") from exc
    _link_once(alarm, incident, "alarm_incident", actor)
    audit.record(
        "monitoring.alarm.open_incident",
        alarm,
        actor=actor,
        after={"incident": incident.pk},
        note=str(incident)[:200],
    )
    return incident


@transaction.atomic
def do_open_warning(actor: Any, alarm: Alarm, *, note: str = "") -> Any:
    """A warning draft from an alarm an analyst found real (研判 → 预警草稿), written by the analyst
    through the warnings module (which asks whether they may draft warnings for the area); linked."""
    require(actor, "monitoring.triage", alarm, _("无权研判报警"))
    alarm = lock(alarm)
    if _linked_of_kind(alarm, "warnings", "alarm_warning") is not None:
        raise Conflict(_("该报警已起草预警"), field="warning", code="already_opened")
    try:
        warning = adapters.open_warning_draft(
            actor=actor, alarm=alarm, description=_describe(alarm), note=note
        )
    except adapters.Unavailable as exc:
        raise ActionError(_("预警模块暂不可用"), field="warning", code="unavailable") from exc
    _link_once(alarm, warning, "alarm_warning", actor)
    audit.record(
        "monitoring.alarm.open_warning",
        alarm,
        actor=actor,
        after={"warning": warning.pk},
        note=str(warning.headline)[:200],
    )
    return warning


# --- silences, devices ----------------------------------------------------------------------------


def check_manage(actor: Any, obj: Any = None) -> None:
    require(actor, "monitoring.manage", obj, _("无权管理监测设备"))


@transaction.atomic
def do_create_silence(
    actor: Any,
    *,
    kind: str,
    ends_at: datetime,
    reason: str,
    device: Device | None = None,
    sensor: Any = None,
    division: Any = None,
    starts_at: datetime | None = None,
) -> Silence:
    check_manage(actor)
    starts_at = starts_at or timezone.now()
    if not reason.strip():
        raise ActionError(_("请填写原因"), field="reason", code="required")
    if ends_at <= starts_at:
        raise ActionError(_("到期时间须晚于开始时间"), field="ends_at", code="invalid")
    if ends_at - starts_at > timedelta(days=30):
        raise ActionError(_("静默最长 30 天"), field="ends_at", code="too_long")
    target_division = division or (sensor.division if sensor else device.division if device else None)
    if target_division is None:
        raise ActionError(_("请选择设备、传感器或区划"), field="device", code="required")
    require(actor, "monitoring.edit_silences", target_division, _("无权为该区域设置静默"), field="division")
    silence = Silence.objects.create(
        kind=kind,
        device=device,
        sensor=sensor,
        division=target_division,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
    )
    audit.record(
        "monitoring.silence.create",
        silence,
        actor=actor,
        after=snapshot(silence, ["kind", "device", "sensor", "division", "starts_at", "ends_at"]),
        note=reason,
    )
    return silence


@transaction.atomic
def do_rotate_token(actor: Any, device: Device) -> str:
    check_manage(actor, device)
    device = lock(device)
    token = device.issue_token()
    device.save(update_fields=["token_hash", "token_hint"])
    audit.record(
        "monitoring.device.rotate_token", device, actor=actor, after={"token_hint": device.token_hint}
    )
    return token
