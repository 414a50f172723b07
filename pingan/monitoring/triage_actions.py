"""Alarm triage (研判) actions: claim, verdict, per-rule mode, accepting a suggested threshold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError, Conflict, lock
from pingan.core.audit import snapshot
from pingan.core.permissions import require

from . import actions as alarm_actions
from . import triage_rules
from .choices import AlarmState
from .models import Alarm, Rule
from .triage_models import (
    AlarmTriage,
    FalseReason,
    MaintenanceState,
    MaintenanceTask,
    Outcome,
    RuleTriage,
    TriageMode,
    TriageState,
    Verdict,
)

FIELDS = ["state", "claimed_by", "verdict", "reason", "note", "outcome"]


def _triage(alarm: Alarm) -> AlarmTriage:
    triage, _created = AlarmTriage.objects.get_or_create(alarm=alarm)
    return AlarmTriage.objects.select_for_update().get(pk=triage.pk)


@transaction.atomic
def do_claim(actor: Any, alarm: Alarm) -> AlarmTriage:
    require(actor, "monitoring.triage", alarm, _("无权研判报警"))
    alarm = lock(alarm)
    triage = _triage(alarm)
    if triage.state == TriageState.DONE:
        raise Conflict(_("该报警已研判"), field="state", code="already_decided")
    if triage.claimed_by_id and triage.claimed_by_id != actor.pk and triage.state == TriageState.CLAIMED:
        raise Conflict(_("该报警已由他人认领"), field="claimed_by", code="claimed")
    before = snapshot(triage, FIELDS)
    triage.state = TriageState.CLAIMED
    triage.claimed_by = actor
    triage.claimed_at = timezone.now()
    triage.save()
    audit.record("monitoring.triage.claim", alarm, actor=actor, before=before, after=snapshot(triage, FIELDS))
    return triage


@transaction.atomic
def do_verdict(
    actor: Any, alarm: Alarm, *, verdict: str, reason: str = "", note: str = "", outcome: str = ""
) -> AlarmTriage:
    """Record the verdict. False: the alarm is acknowledged and closed with its reason (and a device
    with repeated faults gets a maintenance task). Real: the escalation (if held) starts, and the alarm
    continues to a hazard case, an incident or a warning draft (the analyst must be allowed to draft
    warnings for the area: the warnings module asks, and refuses the whole verdict otherwise).
    Needs a site check: it stays in the queue."""
    require(actor, "monitoring.triage", alarm, _("无权研判报警"))
    if verdict not in Verdict.values:
        raise ActionError(_("请选择研判结论"), field="verdict", code="invalid_choice")
    if verdict == Verdict.FALSE and reason not in FalseReason.values:
        raise ActionError(_("误报须选择原因"), field="reason", code="required")
    if outcome and (verdict != Verdict.REAL or outcome not in Outcome.values):
        raise ActionError(
            _("只有真实报警可以转隐患、突发事件或预警草稿"), field="outcome", code="invalid_choice"
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ActionError(_("研判说明不能超过 2000 字"), field="note", code="max_length")
    alarm = lock(alarm)
    triage = _triage(alarm)
    if triage.state == TriageState.DONE:
        raise Conflict(_("该报警已研判"), field="state", code="already_decided")
    before = snapshot(triage, FIELDS)
    triage.verdict = verdict
    triage.reason = reason if verdict == Verdict.FALSE else ""
    triage.note = note
    triage.claimed_by = triage.claimed_by or actor
    triage.state = TriageState.SITE_CHECK if verdict == Verdict.SITE_CHECK else TriageState.DONE
    triage.decided_at = timezone.now() if triage.state == TriageState.DONE else None
    triage.outcome = outcome
    triage.save()
    audit.record(
        "monitoring.triage.verdict",
        alarm,
        actor=actor,
        before=before,
        after=snapshot(triage, FIELDS),
        note=note[:500],
    )
    if verdict == Verdict.FALSE:
        text = _("误报:%(reason)s。%(note)s") % {"reason": FalseReason(reason).label, "note": note}
        if not alarm.acknowledged:
            alarm = alarm_actions.do_acknowledge(actor, alarm, note=text)
        if alarm.is_active:
            alarm_actions.do_clear(actor, alarm, note=text)
        _maybe_maintenance(actor, alarm)
    elif verdict == Verdict.REAL:
        if (
            alarm.state == AlarmState.ACTIVE_UNACK
            and alarm.next_escalation_at is None
            and alarm.escalation_step == 0
        ):
            alarm_actions.start_escalation(alarm)  # it was held for triage; a no-op without a policy
        if outcome == Outcome.HAZARD:
            alarm_actions.do_open_case(actor, alarm)
        elif outcome == Outcome.INCIDENT:
            alarm_actions.do_open_incident(actor, alarm)
        elif outcome == Outcome.WARNING:
            alarm_actions.do_open_warning(actor, alarm, note=note[:200])
    return triage


def _maybe_maintenance(actor: Any, alarm: Alarm) -> MaintenanceTask | None:
    device = alarm.sensor.device
    since = timezone.now() - dt.timedelta(days=int(str(triage_rules.REPEATED_FAULTS["window_days"])))
    n = AlarmTriage.objects.filter(
        alarm__sensor__device=device,
        verdict=Verdict.FALSE,
        reason__in=triage_rules.REPEATED_FAULTS["reasons"],
        decided_at__gte=since,
    ).count()
    if not triage_rules.needs_maintenance(n):
        return None
    task = MaintenanceTask.objects.filter(device=device, state=MaintenanceState.OPEN).first()
    if task:
        task.false_alarms = n
        task.save(update_fields=["false_alarms"])
        return task
    task = MaintenanceTask.objects.create(
        device=device, reason=_("%(days)s 天内 %(n)s 次设备原因误报") % {"days": 30, "n": n}, false_alarms=n
    )
    audit.record("monitoring.maintenance.create", task, actor=actor, note=task.reason)
    return task


@transaction.atomic
def do_set_mode(actor: Any, rule: Rule, mode: str) -> RuleTriage:
    require(actor, "monitoring.manage_triage", rule, _("无权设置研判方式"))
    if mode not in TriageMode.values:
        raise ActionError(_("请选择研判方式"), field="mode", code="invalid_choice")
    row, _created = RuleTriage.objects.get_or_create(rule=rule)
    before = {"mode": row.mode}
    row.mode = mode
    row.save()
    audit.record("monitoring.triage.set_mode", rule, actor=actor, before=before, after={"mode": mode})
    return row


@transaction.atomic
def do_accept_threshold(actor: Any, rule: Rule, *, level: int, value: float) -> Rule:
    """An analyst accepts a suggested threshold: the rule's level `on` changes (hysteresis kept)."""
    require(actor, "monitoring.manage_triage", rule, _("无权修改规则阈值"))
    rule = lock(rule)
    params = dict(rule.params or {})
    levels = [dict(lv) for lv in params.get("levels") or []]
    if not 0 <= level < len(levels):
        raise ActionError(_("规则没有该级别"), field="level", code="invalid")
    before = {"levels": params.get("levels")}
    old_on = float(levels[level]["on"])
    levels[level]["on"] = value
    off = levels[level].get("off")
    if off is not None:
        # Keep the same hysteresis band below (or above) the new threshold.
        levels[level]["off"] = round(value - (old_on - float(off)), 6)
    params["levels"] = levels
    rule.params = params
    rule.save(update_fields=["params", "updated_at"])
    audit.record(
        "monitoring.rule.accept_threshold", rule, actor=actor, before=before, after={"levels": levels}
    )
    return rule
