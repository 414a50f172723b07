"""Console pages for the network's configuration: rules, escalation policies, silences, devices.

Lists are for the console's people (`monitoring.view_console`); a form is offered only to those the
permission allows for that object (`edit_rules`, `edit_policies`, `edit_silences`, `edit_devices`),
and the action asks the same predicate again. Each edit page shows the object's history (audit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.permissions import console_view, is_city_admin, may
from pingan.geo.choices import Level
from pingan.geo.models import Division
from pingan.org.models import Department

from . import actions, config_actions
from .choices import SEVERITY_COLOURS, RuleKind, SilenceKind, severity_name
from .forms import DeviceForm, PolicyForm, RuleForm, SilenceEditForm, SilenceForm
from .models import Device, EscalationPolicy, Rule, Sensor, Silence


def _form_errors(form: Any, exc: ActionError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- rules ----------------------------------------------------------------------------------------


def _level_summary(rule: Rule) -> list[tuple[str, str, str]]:
    """(colour, colour name, "≥ on (off)") per level, for the list."""
    params = rule.params or {}
    if rule.kind in (RuleKind.THRESHOLD, RuleKind.RATE):
        sign = "≤" if params.get("direction") == "below" else "≥"
        out = []
        for lv in sorted(params.get("levels", []), key=lambda lv: lv.get("severity", 0)):
            sev = int(lv.get("severity", 0))
            text = f"{sign} {lv.get('on')}" + (f" ({lv['off']})" if lv.get("off") is not None else "")
            out.append((SEVERITY_COLOURS.get(sev, "grey"), severity_name(sev), text))
        return out
    if rule.kind in (RuleKind.EVENT, RuleKind.NODATA):
        sev = int(params.get("severity", 3 if rule.kind == RuleKind.EVENT else 2))
        extra = (
            _("%(n)s 分钟无数据") % {"n": params.get("nodata_minutes", 10)}
            if rule.kind == RuleKind.NODATA
            else _("保持 %(n)s 秒") % {"n": params.get("hold_seconds", 300)}
        )
        return [(SEVERITY_COLOURS.get(sev, "grey"), severity_name(sev), extra)]
    return []


@console_view("monitoring.view_console")
def rule_list(request: HttpRequest) -> HttpResponse:
    """Type rules (city-wide) and the per-sensor overrides the person can see."""
    rules = list(
        Rule.objects.visible_to(request.user)
        .select_related("sensor", "sensor__device", "sensor__division", "sensor__department")
        .order_by("sensor_type", "sensor__device__code", "code")[:500]
    )
    for r in rules:
        r.levels_text = _level_summary(r)
        r.may_edit = may(request.user, "monitoring.edit_rules", r)
    return render(request, "monitoring/rules.html", {"rules": rules})


@console_view("monitoring.view_console")
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_visible_or_404(
        Rule.objects.select_related("sensor", "sensor__division", "sensor__department"), request.user, pk=pk
    )
    if not may(request.user, "monitoring.edit_rules", rule):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    sensor_type = rule.sensor.type if rule.sensor_id else rule.sensor_type
    form = RuleForm(request.POST or None, rule=rule, sensor_type=sensor_type)
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.do_update_rule(request.user, rule, form.changes())
        except ActionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("规则已保存,自下一批读数起生效"))
            return redirect("monitoring:rule_edit", pk=rule.pk)
    return render(request, "monitoring/rule_form.html", {"rule": rule, "form": form})


@require_POST
@console_view("monitoring.view")
def rule_override(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    """Give one sensor its own copy of a type rule, then edit it."""
    sensor = get_visible_or_404(Sensor.objects.select_related("division", "department"), request.user, pk=pk)
    base = get_visible_or_404(Rule.objects.filter(sensor=None), request.user, pk=rule_pk)
    try:
        rule = config_actions.do_override_rule(request.user, sensor, base)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:sensor", pk=sensor.pk)
    messages.success(request, _("已为本传感器建立规则,请设定阈值"))
    return redirect("monitoring:rule_edit", pk=rule.pk)


# --- escalation policies --------------------------------------------------------------------------


def _departments_for(user: Any) -> QuerySet[Department]:
    qs = Department.objects.filter(is_active=True).order_by("division__path", "name")
    if is_city_admin(user):
        return qs
    own = getattr(user, "department_id", None)
    return qs.filter(Q(pk=own) | Q(parent=own)) if own else qs.none()


def _divisions_for(user: Any) -> QuerySet[Division]:
    qs = Division.objects.filter(level__in=[Level.CITY, Level.DISTRICT, Level.TOWN]).order_by("path")
    if is_city_admin(user):
        return qs
    return qs.filter(path__startswith=user.scope_path or "-")


@console_view("monitoring.view_console")
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = list(
        EscalationPolicy.objects.visible_to(request.user)
        .select_related("department", "division")
        .prefetch_related("steps")
        .order_by("division__path", "name")[:500]
    )
    for p in policies:
        p.may_edit = may(request.user, "monitoring.edit_policies", p)
        p.severity_name = severity_name(p.min_severity)
    return render(
        request,
        "monitoring/policies.html",
        {"policies": policies, "may_create": may(request.user, "monitoring.edit_policies")},
    )


@console_view("monitoring.edit_policies")
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        policy = EscalationPolicy()
    else:
        policy = get_visible_or_404(
            EscalationPolicy.objects.select_related("department", "division"), request.user, pk=pk
        )
        if not may(request.user, "monitoring.edit_policies", policy):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
    form = PolicyForm(
        request.POST or None,
        instance=policy,
        departments=_departments_for(request.user),
        divisions=_divisions_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = config_actions.do_save_policy(request.user, form.instance, form.steps)
        except ActionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("升级策略已保存"))
            return redirect("monitoring:policy_edit", pk=saved.pk)
    return render(request, "monitoring/policy_form.html", {"policy": policy, "form": form})


# --- silences -------------------------------------------------------------------------------------


@console_view("monitoring.view_console")
def silence_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    silences = list(
        Silence.objects.visible_to(request.user)
        .filter(ends_at__gt=now - timezone.timedelta(days=7))
        .select_related("device", "sensor", "division", "created_by")
        .order_by("-ends_at")[:300]
    )
    for s in silences:
        s.current = s.starts_at <= now < s.ends_at
        s.ended = s.ends_at <= now
        s.may_edit = not s.ended and may(request.user, "monitoring.edit_silences", s)
    return render(
        request,
        "monitoring/silences.html",
        {"silences": silences, "may_create": may(request.user, "monitoring.edit_silences")},
    )


@console_view("monitoring.edit_silences")
def silence_create(request: HttpRequest) -> HttpResponse:
    form = SilenceForm(
        request.POST or None,
        devices=Device.objects.visible_to(request.user).select_related("division"),
        divisions=_divisions_for(request.user),
        initial={"kind": SilenceKind.MAINTENANCE, "device": request.GET.get("device", "")[:64]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            silence = actions.do_create_silence(
                request.user,
                kind=data["kind"],
                device=data["device_obj"],
                division=None if data["device_obj"] else data["division"],
                starts_at=data.get("starts_at"),
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ActionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已设置:%(s)s") % {"s": silence.get_kind_display()})
            return redirect("monitoring:silences")
    return render(request, "monitoring/silence_form.html", {"form": form, "silence": None})


@console_view("monitoring.view_console")
def silence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    silence = get_visible_or_404(
        Silence.objects.select_related("device", "sensor", "division"), request.user, pk=pk
    )
    if not may(request.user, "monitoring.edit_silences", silence):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = SilenceEditForm(
        request.POST or None,
        initial={
            "ends_at": timezone.localtime(silence.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "reason": silence.reason,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            config_actions.do_update_silence(
                request.user,
                silence,
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("静默已修改"))
            return redirect("monitoring:silences")
    return render(request, "monitoring/silence_form.html", {"form": form, "silence": silence})


@require_POST
@console_view("monitoring.view_console")
def silence_end(request: HttpRequest, pk: int) -> HttpResponse:
    silence = get_visible_or_404(Silence.objects.select_related("division"), request.user, pk=pk)
    try:
        config_actions.do_end_silence(request.user, silence, note=request.POST.get("note", "")[:500])
        messages.success(request, _("静默已结束"))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:silences")


# --- devices --------------------------------------------------------------------------------------


@console_view("monitoring.view_devices")
def device_edit(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_visible_or_404(
        Device.objects.select_related("division", "department", "enterprise"), request.user, pk=pk
    )
    if not may(request.user, "monitoring.edit_devices", device):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = DeviceForm(request.POST or None, instance=device, departments=_departments_for(request.user))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in config_actions.DEVICE_FIELDS}
        fresh = Device.objects.select_related("division", "department").get(pk=device.pk)
        try:
            config_actions.do_update_device(request.user, fresh, changes)
        except ActionError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("设备已保存"))
            return redirect("monitoring:device_edit", pk=device.pk)
    sensors = list(device.sensors.order_by("code"))
    return render(
        request, "monitoring/device_form.html", {"device": device, "form": form, "sensors": sensors}
    )
