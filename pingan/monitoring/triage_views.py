"""Alarm triage (研判) pages: the analyst queue with verdict forms, false-alarm rates, threshold
suggestions and maintenance tasks."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.permissions import console_view, may

from . import adapters, triage, triage_actions
from .models import Alarm, Rule
from .triage_models import FalseReason, MaintenanceState, MaintenanceTask, Outcome, TriageMode, Verdict


@console_view("monitoring.triage")
def triage_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    alarms = list(triage.queue(user)[:50])
    for a in alarms:
        # Offered only where it can succeed: the sensor type has a public warning event and the analyst
        # may draft warnings for the alarm's area (asked of the warnings module by name).
        a.may_warn = bool(adapters.warning_event(a.sensor.type)) and may(user, "warnings.create", a.division)
    return render(
        request,
        "monitoring/triage.html",
        {
            "alarms": alarms,
            "warning_outcome": (Outcome.WARNING.value, Outcome.WARNING.label),
            "rates": triage.rates(user),
            "suggestions": triage.suggestions(user),
            "tasks": list(
                MaintenanceTask.objects.visible_to(user)
                .filter(state=MaintenanceState.OPEN)
                .select_related("device")[:50]
            ),
            "verdicts": Verdict.choices,
            "reasons": FalseReason.choices,
            "outcomes": [
                (Outcome.HAZARD.value, Outcome.HAZARD.label),
                (Outcome.INCIDENT.value, Outcome.INCIDENT.label),
            ],
            "modes": TriageMode.choices,
            "rules": list(Rule.objects.visible_to(user).select_related("triage").order_by("code")[:100]),
        },
    )


@require_POST
@console_view("monitoring.triage")
def triage_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    alarm = get_visible_or_404(Alarm.objects.all(), request.user, pk=pk)
    try:
        if verb == "claim":
            triage_actions.do_claim(request.user, alarm)
            messages.success(request, _("已认领报警"))
        elif verb == "verdict":
            triage_actions.do_verdict(
                request.user,
                alarm,
                verdict=request.POST.get("verdict", ""),
                reason=request.POST.get("reason", ""),
                note=request.POST.get("note", ""),
                outcome=request.POST.get("outcome", ""),
            )
            messages.success(request, _("已记录研判结论"))
        else:
            raise ActionError(_("未知操作"), field="verb")
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:triage")


@require_POST
@console_view("monitoring.manage_triage")
def triage_rule(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    rule = get_visible_or_404(Rule.objects.all(), request.user, pk=pk)
    try:
        if verb == "mode":
            triage_actions.do_set_mode(request.user, rule, request.POST.get("mode", ""))
            messages.success(request, _("已设置研判方式"))
        elif verb == "accept":
            try:
                level = int(request.POST.get("level", ""))
                value = float(request.POST.get("value", ""))
            except ValueError as exc:
                raise ActionError(_("阈值须为数字"), field="value", code="invalid") from exc
            triage_actions.do_accept_threshold(request.user, rule, level=level, value=value)
            messages.success(request, _("已采纳建议阈值"))
        else:
            raise ActionError(_("未知操作"), field="verb")
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:triage")
