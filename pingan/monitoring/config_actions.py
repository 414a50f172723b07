"""State changes of the network's configuration made in the console (rules, escalation policies,
silences, devices): check who may (`permissions.py`), change the rows in one transaction and record
the change with what it was before and after (`pingan.core.audit`).

A rule change applies from the ingestion's next batch: the pipeline compares a fingerprint of the
rule table (count, latest `updated_at`, largest id) before every batch and recompiles the rules
when it moved (`ingest.RuleBook.refresh`), in every process; saving a rule here always moves
`updated_at`. Device edits are picked up by the device registry the same way (within its 30 s
re-check, `ingest.Registry`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from .choices import DeviceState
from .models import Device, EscalationPolicy, EscalationStep, Rule, Sensor, Silence

RULE_FIELDS = ["name", "enabled", "source", "is_example", "effective_from", "params"]
POLICY_FIELDS = ["name", "department", "division", "sensor_type", "min_severity", "repeat", "is_active"]
DEVICE_FIELDS = ["name", "model_name", "department", "lat", "lon", "state"]
SILENCE_FIELDS = ["kind", "device", "sensor", "division", "starts_at", "ends_at", "reason"]


# --- rules ----------------------------------------------------------------------------------------


@transaction.atomic
def do_update_rule(actor: Any, rule: Rule, changes: dict[str, Any]) -> Rule:
    """Change a rule's text, switch and parameters (validated by forms.RuleForm)."""
    require(actor, "monitoring.edit_rules", rule, _("无权修改该规则"))
    rule = lock(rule)
    before = snapshot(rule, RULE_FIELDS)
    for name in RULE_FIELDS:
        if name in changes:
            setattr(rule, name, changes[name])
    rule.save()  # moves updated_at: the pipeline recompiles its rules before the next batch
    after = snapshot(rule, RULE_FIELDS)
    if after != before:
        audit.record("monitoring.rule.update", rule, actor=actor, before=before, after=after)
    return rule


@transaction.atomic
def do_override_rule(actor: Any, sensor: Sensor, base: Rule) -> Rule:
    """Give one sensor its own copy of a type rule (same code), to be set for that station."""
    require(actor, "monitoring.edit_rules", sensor, _("无权为该传感器设定规则"))
    if base.sensor_id is not None or base.sensor_type != sensor.type:
        raise ActionError(_("只能覆盖该传感器类型的规则"), field="rule", code="invalid")
    existing = Rule.objects.filter(sensor=sensor, code=base.code).first()
    if existing is not None:
        raise Conflict(_("该传感器已有此规则的覆盖"), field="rule", code="exists")
    rule = Rule.objects.create(
        code=base.code,
        name=base.name,
        sensor_type=sensor.type,
        sensor=sensor,
        kind=base.kind,
        params=dict(base.params or {}),
        source=base.source,
        is_example=base.is_example,
        effective_from=timezone.localdate(),
        enabled=base.enabled,
    )
    audit.record(
        "monitoring.rule.override",
        rule,
        actor=actor,
        after={**snapshot(rule, RULE_FIELDS), "sensor": sensor.pk, "from_rule": base.pk},
        division_path=sensor.division.path,
    )
    return rule


# --- escalation policies --------------------------------------------------------------------------


def _steps_of(policy: EscalationPolicy) -> list[dict[str, Any]]:
    return [
        {"delay_minutes": s.delay_minutes, "notify_on_duty": s.notify_on_duty, "roles": list(s.roles)}
        for s in policy.steps.order_by("order")
    ]


def check_policy(actor: Any, policy: EscalationPolicy) -> None:
    require(actor, "monitoring.edit_policies", policy, _("无权修改该升级策略"))


@transaction.atomic
def do_save_policy(actor: Any, policy: EscalationPolicy, steps: list[dict[str, Any]]) -> EscalationPolicy:
    """Create or change a policy (fields already set on `policy` by the form) and replace its steps.
    The person must be allowed both for the policy as it was and as it becomes."""
    creating = policy.pk is None
    before: dict[str, Any] = {}
    if not creating:
        old = lock(EscalationPolicy.objects.select_related("department", "division").get(pk=policy.pk))
        check_policy(actor, old)
        before = {**snapshot(old, POLICY_FIELDS), "steps": _steps_of(old)}
    check_policy(actor, policy)
    policy.save()
    kept = {s.order: s for s in policy.steps.all()}
    for order, data in enumerate(steps, start=1):
        step = kept.pop(order, None) or EscalationStep(policy=policy, order=order)
        step.delay_minutes = data["delay_minutes"]
        step.notify_on_duty = data["notify_on_duty"]
        step.roles = data["roles"]
        step.save()
    for step in kept.values():  # steps beyond the new last one
        step.delete()
    after = {**snapshot(policy, POLICY_FIELDS), "steps": _steps_of(policy)}
    if after != before:
        audit.record(
            "monitoring.policy.create" if creating else "monitoring.policy.update",
            policy,
            actor=actor,
            before=before or None,
            after=after,
        )
    return policy


# --- silences -------------------------------------------------------------------------------------

MAX_SILENCE = timedelta(days=30)


def _check_times(starts_at: Any, ends_at: Any) -> None:
    if ends_at <= starts_at:
        raise ActionError(_("到期时间须晚于开始时间"), field="ends_at", code="invalid")
    if ends_at - starts_at > MAX_SILENCE:
        raise ActionError(_("静默最长 30 天"), field="ends_at", code="too_long")


@transaction.atomic
def do_update_silence(actor: Any, silence: Silence, *, ends_at: Any, reason: str) -> Silence:
    """Move a silence's end (shorten or extend, at most 30 days from its start) or change its reason."""
    require(actor, "monitoring.edit_silences", silence, _("无权修改该静默"))
    silence = lock(silence)
    if silence.ends_at <= timezone.now():
        raise Conflict(_("静默已到期"), field="ends_at", code="expired")
    if not reason.strip():
        raise ActionError(_("请填写原因"), field="reason", code="required")
    _check_times(silence.starts_at, ends_at)
    before = snapshot(silence, SILENCE_FIELDS)
    silence.ends_at = ends_at
    silence.reason = reason.strip()
    silence.save(update_fields=["ends_at", "reason"])
    audit.record(
        "monitoring.silence.update",
        silence,
        actor=actor,
        before=before,
        after=snapshot(silence, SILENCE_FIELDS),
    )
    return silence


@transaction.atomic
def do_end_silence(actor: Any, silence: Silence, *, note: str = "") -> Silence:
    """End a silence now (a maintenance finished early): alarms are raised and notified again."""
    require(actor, "monitoring.edit_silences", silence, _("无权修改该静默"))
    silence = lock(silence)
    now = timezone.now()
    if silence.ends_at <= now:
        raise Conflict(_("静默已到期"), field="ends_at", code="expired")
    before = snapshot(silence, SILENCE_FIELDS)
    if silence.starts_at >= now:  # not begun: cancelled (a one-second window that has passed)
        silence.starts_at = now - timedelta(seconds=1)
    silence.ends_at = now
    silence.save(update_fields=["starts_at", "ends_at"])
    audit.record(
        "monitoring.silence.end",
        silence,
        actor=actor,
        before=before,
        after=snapshot(silence, SILENCE_FIELDS),
        note=note,
    )
    return silence


# --- devices --------------------------------------------------------------------------------------


@transaction.atomic
def do_update_device(actor: Any, device: Device, changes: dict[str, Any]) -> Device:
    """Change a device's record. Its sensors carry its responsible department (scoping, escalation):
    they follow it. Retiring a device stops its readings (dead letters "retired")."""
    require(actor, "monitoring.edit_devices", device, _("无权修改该设备"))
    device = lock(device)
    before = snapshot(device, DEVICE_FIELDS)
    state = changes.get("state", device.state)
    if state == DeviceState.OFFLINE and device.state != DeviceState.OFFLINE:
        raise ActionError(_("离线由系统根据上报判断,不能手工设定"), field="state", code="invalid")
    for name in DEVICE_FIELDS:
        if name in changes:
            setattr(device, name, changes[name])
    require(actor, "monitoring.edit_devices", device, _("无权将设备交给该部门"), field="department")
    device.save()
    after = snapshot(device, DEVICE_FIELDS)
    if after.get("department") != before.get("department"):
        # Saved one by one (not .update()): updated_at moves, and the ingestion registry re-reads them.
        for sensor in Sensor.objects.filter(device=device):
            sensor.department_id = device.department_id
            sensor.save(update_fields=["department", "updated_at"])
    if after != before:
        audit.record("monitoring.device.update", device, actor=actor, before=before, after=after)
    return device
