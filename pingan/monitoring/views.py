"""The console: alarm console (updates without reloading), sensor map, sensor page, devices, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.exports import ExportableListMixin
from pingan.core.links import linked
from pingan.core.params import BadParameter, int_param
from pingan.core.permissions import ConsoleGate, console_view, may
from pingan.core.views import ScopedListView

from . import actions, selectors
from .choices import SEVERITY_COLOURS, AlarmState, DeviceState, RuleKind, SensorType, Severity, severity_name
from .importer import import_devices
from .models import Alarm, DeadLetter, Device, Rule, Sensor


class AlarmConsoleView(ExportableListMixin, ConsoleGate, generic.ListView):
    """The alarm console: every alarm the person may see, filtered (state, severity, sensor type, rule,
    device, raised between two local dates), by pages of 50 (a count and a page: constant queries),
    and `?export=xlsx` gives the filtered list as Excel (core.exports, audited)."""

    permission = "monitoring.view_console"
    template_name = "monitoring/console.html"
    context_object_name = "alarms"
    paginate_by = 50
    export_name = "alarms"
    export_title = gettext_lazy("监测报警")
    export_columns = (
        (gettext_lazy("级别"), lambda a: a.get_severity_display()),
        (gettext_lazy("报警"), lambda a: a.title),
        (gettext_lazy("规则"), lambda a: a.rule.name),
        (gettext_lazy("传感器"), lambda a: a.sensor.name),
        (gettext_lazy("设备编码"), lambda a: a.sensor.device.code),
        (gettext_lazy("所在区划"), lambda a: a.division),
        (gettext_lazy("监测单位"), lambda a: a.enterprise or ""),
        (gettext_lazy("责任部门"), lambda a: a.department or ""),
        (gettext_lazy("报警时间"), lambda a: a.raised_at),
        (gettext_lazy("触发值"), lambda a: a.trigger_value),
        (gettext_lazy("最新值"), lambda a: a.last_value),
        (gettext_lazy("单位"), lambda a: a.sensor.unit),
        (gettext_lazy("恢复时间"), lambda a: a.cleared_at),
        (gettext_lazy("状态"), lambda a: a.get_state_display()),
        (gettext_lazy("确认人"), lambda a: a.acked_by or ""),
        (gettext_lazy("确认时间"), lambda a: a.acked_at),
    )
    params: Any = None  # the query the filters come from (request.GET; the console's query on an ack)

    def filters(self) -> dict[str, Any]:
        if not hasattr(self, "_filters"):
            self.rule_choices = selectors.rule_codes()
            params = self.request.GET if self.params is None else self.params
            self._filters = selectors.alarm_filters(params, [c for c, _n in self.rule_choices])
        return self._filters

    def get_queryset(self):
        return selectors.filter_alarms(selectors.alarms_for(self.request.user), self.filters())

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        # A page past the end shows the last one; a page that is not a number is a 400 naming it.
        params = self.request.GET if self.params is None else self.params
        number = int_param(params, "page", default=1, minimum=1, maximum=1_000_000)
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET if self.params is None else self.params
        query = params.copy()
        query.pop("page", None)
        query.pop("export", None)
        ctx.update(_console_summary(self.request))
        ctx.update(
            {
                "f": self.filters(),
                "rule_choices": self.rule_choices,
                "states": AlarmState.choices,
                "types": SensorType.choices,
                "severities": Severity.choices,
                "query": params.urlencode(),
                "filter_query": query.urlencode(),
                "map_layers": [
                    {
                        "url": reverse("geo-api:division-geojson") + "?level=district",
                        "name": _("区县"),
                        "kind": "boundary",
                    },
                    {"url": reverse("monitoring-api:sensor-geojson"), "name": _("传感器"), "kind": "points"},
                ],
            }
        )
        return ctx


class AlarmConsoleRowsView(AlarmConsoleView):
    """The console's table (with its counts and pages), polled by htmx every few seconds."""

    template_name = "monitoring/_console_rows.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("export"):
            raise BadParameter("export")
        return super().get(request, *args, **kwargs)


def _console_summary(request: HttpRequest) -> dict[str, Any]:
    visible = Alarm.objects.visible_to(request.user)
    counts = {r["state"]: r["n"] for r in visible.order_by().values("state").annotate(n=Count("id"))}
    sensors = Sensor.objects.visible_to(request.user).filter(is_active=True)
    offline = sensors.filter(device__state=DeviceState.OFFLINE).count()
    return {"counts": counts, "total_sensors": sensors.count(), "offline": offline}


def _console_rows_after_ack(request: HttpRequest) -> HttpResponse:
    """The table again, with the console's own filters and page (sent along with the acknowledgement)."""
    view = AlarmConsoleRowsView()
    view.setup(request)
    view.params = QueryDict(request.POST.get("query", "")[:2000])
    view.object_list = view.get_queryset()
    return render(request, view.template_name, view.get_context_data())


console = AlarmConsoleView.as_view()
console_rows = AlarmConsoleRowsView.as_view()


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
        return _console_rows_after_ack(request)
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
    legend = [
        (level, severity_name(level), SEVERITY_COLOURS.get(level, "grey"), n)
        for level, n in sorted(by_level.items())
    ]
    return render(request, "monitoring/map.html", {"layers": layers, "by_level": legend})


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
            s.level_name = severity_name(s.level)
        ctx["types"] = SensorType.choices
        return ctx


@console_view("monitoring.view")
def sensor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sensor = get_visible_or_404(selectors.sensors_for(request.user), request.user, pk=pk)
    hours = request.GET.get("hours", "24")
    hours = int(hours) if hours.isdigit() and 1 <= int(hours) <= selectors.HOURS_MAX else 24
    series = selectors.sensor_series(sensor, hours)
    rule_rows = list(
        Rule.objects.filter(
            Q(sensor=sensor) | Q(sensor=None, sensor_type=sensor.type), enabled=True
        ).select_related("sensor", "sensor__division", "sensor__department")
    )
    levels = [lv for r in rule_rows if r.kind == RuleKind.THRESHOLD for lv in r.params.get("levels", [])]
    sensor.colour, sensor.level = selectors.sensor_colour(sensor)
    sensor.level_name = severity_name(sensor.level)
    overridden = {r.code for r in rule_rows if r.sensor_id}
    may_edit = may(request.user, "monitoring.edit_rules", sensor)
    for r in rule_rows:
        r.may_edit = may(request.user, "monitoring.edit_rules", r)
        r.may_override = may_edit and r.sensor_id is None and r.code not in overridden
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        for d in ctx["devices"]:
            d.may_edit = may(user, "monitoring.edit_devices", d)
        ctx["may_silence"] = may(user, "monitoring.edit_silences")
        return ctx


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
