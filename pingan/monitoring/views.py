"""The console: alarm console (updates without reloading), sensor map, sensor page, devices, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.links import linked
from pingan.core.params import int_param
from pingan.core.permissions import console_view, may
from pingan.core.views import ScopedListView

from . import actions, selectors
from .choices import AlarmState, DeviceState, RuleKind, SensorType
from .importer import import_devices
from .models import Alarm, DeadLetter, Device, Rule, Sensor


def _filtered_alarms(request: HttpRequest):
    qs = selectors.alarms_for(request.user)
    show = request.GET.get("show", "open")
    if show == "open":  # what needs attention: active, or cleared but not yet acknowledged
        qs = qs.exclude(state=AlarmState.CLEARED_ACK)
    elif show in AlarmState.values:
        qs = qs.filter(state=show)
    severity = int_param(request.GET, "severity", minimum=0, maximum=9)
    if severity is not None:
        qs = qs.filter(severity__gte=severity)
    if request.GET.get("type") in SensorType.values:
        qs = qs.filter(sensor__type=request.GET["type"])
    return qs.order_by("-is_active", "state", "-severity", "-raised_at")


@console_view("monitoring.view_console")
def console(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/console.html",
        {
            **_console_rows(request),
            "states": AlarmState.choices,
            "types": SensorType.choices,
            "map_layers": [
                {
                    "url": reverse("geo-api:division-geojson") + "?level=district",
                    "name": _("区县"),
                    "kind": "boundary",
                },
                {"url": reverse("monitoring-api:sensor-geojson"), "name": _("传感器"), "kind": "points"},
            ],
        },
    )


def _console_rows(request: HttpRequest) -> dict[str, Any]:
    visible = Alarm.objects.visible_to(request.user)
    counts = {r["state"]: r["n"] for r in visible.order_by().values("state").annotate(n=Count("id"))}
    sensors = Sensor.objects.visible_to(request.user).filter(is_active=True)
    offline = sensors.filter(device__state=DeviceState.OFFLINE).count()
    return {
        "alarms": list(_filtered_alarms(request)[:100]),
        "counts": counts,
        "total_sensors": sensors.count(),
        "offline": offline,
        "query": request.GET.urlencode(),
    }


@console_view("monitoring.view_console")
def console_rows(request: HttpRequest) -> HttpResponse:
    """The console's table, polled by htmx every few seconds."""
    return render(request, "monitoring/_console_rows.html", _console_rows(request))


@console_view("monitoring.view")
def alarm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alarm = get_visible_or_404(selectors.alarms_for(request.user), request.user, pk=pk)
    links = _links(alarm, request.user)
    return render(
        request,
        "monitoring/alarm.html",
        {
            "alarm": alarm,
            "comments": alarm.comments.select_related("author"),
            "links": links,
            "has_case": any(link["app"] == "hazards" for link in links),
            "has_incident": any(link["app"] == "emergency" for link in links),
        },
    )


# Detail pages of the objects an alarm is linked to (for models without get_absolute_url).
def _url_of(obj: Any) -> str:
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


def _visible(user: Any, obj: Any) -> bool:
    """Whether the person can see the linked object (its page would not be a 404)."""
    manager = type(obj)._default_manager
    if not hasattr(manager, "visible_to"):
        return False
    return bool(manager.visible_to(user).filter(pk=obj.pk).exists())


def _links(alarm: Alarm, user: Any) -> list[dict[str, Any]]:
    out = []
    for kind, obj in linked(alarm):
        # A link is offered only to someone who can open it (an enterprise user sees the name of the
        # hazard case opened from its alarm, not a link to a page that would refuse it).
        url = _url_of(obj) if _visible(user, obj) else ""
        out.append(
            {
                "kind": kind,
                "obj": obj,
                "url": url,
                "model": obj._meta.verbose_name,
                "app": obj._meta.app_label,
            }
        )
    return out


@require_POST
@console_view("monitoring.view")
def alarm_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    alarm = get_visible_or_404(selectors.alarms_for(request.user), request.user, pk=pk)
    note = request.POST.get("note", "")
    try:
        if verb == "acknowledge":
            actions.do_acknowledge(request.user, alarm, note=note)
            messages.success(request, _("已确认报警"))
        elif verb == "comment":
            actions.do_comment(request.user, alarm, request.POST.get("text", ""))
            messages.success(request, _("已添加备注"))
        elif verb == "clear":
            actions.do_clear(request.user, alarm, note=note)
            messages.success(request, _("已手动恢复"))
        elif verb == "open-case":
            case = actions.do_open_case(request.user, alarm)
            messages.success(request, _("已发起隐患:%(case)s") % {"case": case})
        elif verb == "open-incident":
            incident = actions.do_open_incident(request.user, alarm)
            messages.success(request, _("已发起事件:%(incident)s") % {"incident": incident})
        else:
            raise ActionError(_("未知操作"), field="verb")
    except ActionError as exc:
        messages.error(request, exc.message)
    if (
        request.headers.get("HX-Request")
        and verb == "acknowledge"
        and request.POST.get("from") == "console"
        and may(request.user, "monitoring.view_console")
    ):
        return render(request, "monitoring/_console_rows.html", _console_rows(request))
    return redirect("monitoring:alarm", pk=alarm.pk)


@console_view("monitoring.view_console")
def sensor_map(request: HttpRequest) -> HttpResponse:
    layers = [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
            "labels": True,
            "fit": True,
        },
        {"url": reverse("monitoring-api:sensor-geojson"), "name": _("传感器"), "kind": "points", "radius": 7},
    ]
    sensors = Sensor.objects.visible_to(request.user).filter(is_active=True)
    by_level: dict[int, int] = {}
    for r in sensors.order_by().values("live__level").annotate(n=Count("id")):
        by_level[r["live__level"] or 0] = by_level.get(r["live__level"] or 0, 0) + r["n"]
    return render(request, "monitoring/map.html", {"layers": layers, "by_level": sorted(by_level.items())})


class SensorListView(ScopedListView):
    permission = "monitoring.view_console"
    model = Sensor
    template_name = "monitoring/sensors.html"
    context_object_name = "sensors"

    def get_queryset(self):
        qs = super().get_queryset().select_related("device", "division", "enterprise", "live")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(device__code__icontains=q))
        if self.request.GET.get("type") in SensorType.values:
            qs = qs.filter(type=self.request.GET["type"])
        return qs.order_by("device__code", "code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        for s in ctx["sensors"]:
            s.colour, s.level = selectors.sensor_colour(s)
        ctx["types"] = SensorType.choices
        return ctx


@console_view("monitoring.view")
def sensor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sensor = get_visible_or_404(selectors.sensors_for(request.user), request.user, pk=pk)
    hours = request.GET.get("hours", "24")
    hours = int(hours) if hours.isdigit() and 1 <= int(hours) <= selectors.HOURS_MAX else 24
    series = selectors.sensor_series(sensor, hours)
    rule_rows = list(
        Rule.objects.filter(Q(sensor=sensor) | Q(sensor=None, sensor_type=sensor.type), enabled=True)
    )
    levels = [lv for r in rule_rows if r.kind == RuleKind.THRESHOLD for lv in r.params.get("levels", [])]
    sensor.colour, sensor.level = selectors.sensor_colour(sensor)
    return render(
        request,
        "monitoring/sensor.html",
        {
            "sensor": sensor,
            "hours": hours,
            "option": selectors.chart_option(sensor, series, levels),
            "rules": rule_rows,
            "alarms": sensor.alarms.select_related("rule", "acked_by").order_by("-raised_at")[:50],
            "points": len(series["points"]),
        },
    )


class DeviceListView(ScopedListView):
    permission = "monitoring.view_devices"
    model = Device
    template_name = "monitoring/devices.html"
    context_object_name = "devices"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("division", "enterprise", "department")
            .annotate(n_sensors=Count("sensors"))
            .order_by("code")
        )


class DeadLetterListView(ScopedListView):
    permission = "monitoring.view_devices"
    model = DeadLetter
    template_name = "monitoring/dead_letters.html"
    context_object_name = "letters"

    def get_queryset(self):
        return super().get_queryset().select_related("device")


@console_view("monitoring.manage")
def import_page(request: HttpRequest) -> HttpResponse:
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择文件"))
        else:
            report = import_devices(request.user, upload.name, upload.read())
            if report.ok:
                messages.success(
                    request,
                    _("导入成功:新增设备 %(d)s 台,新增传感器 %(s)s 个,更新 %(u)s 个")
                    % {"d": report.devices_created, "s": report.sensors_created, "u": report.sensors_updated},
                )
    return render(request, "monitoring/import.html", {"report": report})
