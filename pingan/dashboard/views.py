from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import params
from pingan.core.pdf import FontMissing
from pingan.core.permissions import console_view, may
from pingan.geo.models import Division
from pingan.org.models import Enterprise

from . import active, balance, registry, reports
from . import figures as F
from . import kpis as K
from . import rules as balance_rules


def _kpi_context(request: HttpRequest) -> dict:
    q = K.parse(request.GET, request.user)
    figs = F.registered()
    figure = next((f for f in figs if f.key == q.figure), figs[0] if figs else None)
    parent = Division.objects.filter(path=q.parent).values("code", "name").first() if q.parent else None
    return {
        "q": q,
        "figures": figs,
        "figure": figure,
        "parent": parent,
        "districts": list(Division.objects.filter(level="district").order_by("code").values("code", "name")),
        "params": request.GET.urlencode(),
    }


@console_view("dashboard.view_command_centre")
def command_centre(request: HttpRequest) -> HttpResponse:
    user = request.user
    layers = [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
            "labels": True,
            "fit": True,
        }
    ]
    kpi = _kpi_context(request)
    if kpi["figure"] is not None:
        layers.append(
            {
                "url": reverse("dashboard:choropleth") + "?" + kpi["params"],
                "name": kpi["figure"].label,
                "kind": "areas",
                "labels": True,
            }
        )
    layers.append({"url": reverse("dashboard:active"), "name": _("当前态势"), "kind": "points"})
    layers += registry.layers(user)
    enterprises = Enterprise.objects.visible_to(user).values("division__path").annotate(n=Count("id"))
    by_district: dict[str, int] = {}
    for row in enterprises:
        key = (row["division__path"] or "")[:6]
        by_district[key] = by_district.get(key, 0) + row["n"]
    districts = list(
        Division.objects.filter(level="district").order_by("code").values("code", "name", "population")
    )
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("生产经营单位")]},
        "xAxis": {
            "type": "category",
            "data": [d["name"] for d in districts],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("生产经营单位"),
                "type": "bar",
                "data": [by_district.get(d["code"], 0) for d in districts],
            }
        ],
    }
    return render(
        request,
        "dashboard/command_centre.html",
        {
            "kpis": registry.kpis(user),
            "layers": layers,
            "chart": chart,
            "districts": districts,
            "by_district": by_district,
            "kpi": kpi,
            "table": K.table(user, kpi["q"]),
            "trend": K.trend(user, kpi["q"], kpi["figure"]) if kpi["figure"] else None,
            "report_districts": _report_districts(user),
            "today": timezone.localdate(),
        },
    )


def _report_districts(user: Any) -> list[Division]:
    """The districts whose monthly or quarterly report this person may download."""
    return [
        d
        for d in Division.objects.filter(level="district").order_by("code")
        if may(user, "dashboard.view_district_report", d)
    ]


@console_view("dashboard.view_command_centre")
def district_report(request: HttpRequest) -> HttpResponse:
    """月报/季报: ?district=<code>&period=month|quarter&at=<a day in the period> as PDF. A district the
    person's area does not hold answers 404."""
    code = params.choice_param(
        request.GET, "district", Division.objects.filter(level="district").values_list("code", flat=True)
    )
    kind = params.choice_param(request.GET, "period", ("month", "quarter"), default="month")
    day = params.date_param(request.GET, "at", default=timezone.localdate())
    district = Division.objects.filter(level="district", code=code).first() if code else None
    if district is None or not may(request.user, "dashboard.view_district_report", district):
        raise Http404
    content = reports.build(request.user, district, str(kind), day)
    try:
        body = reports.render(content)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(reports.title(content))}.pdf"
    return response


@console_view("dashboard.view_command_centre")
def kpi_table(request: HttpRequest) -> HttpResponse:
    """The KPI table alone, polled by htmx so the figures stay live without a reload."""
    kpi = _kpi_context(request)
    return render(
        request,
        "dashboard/_kpi_table.html",
        {
            "kpi": kpi,
            "table": K.table(request.user, kpi["q"]),
            "trend": K.trend(request.user, kpi["q"], kpi["figure"]) if kpi["figure"] else None,
        },
    )


@console_view("dashboard.view_command_centre")
def choropleth(request: HttpRequest) -> HttpResponse:
    kpi = _kpi_context(request)
    if kpi["figure"] is None:
        raise Http404
    return JsonResponse(
        K.choropleth(request.user, kpi["q"], kpi["figure"]), content_type="application/geo+json"
    )


def _screen_layers(request: HttpRequest, kpi: dict) -> list[dict]:
    layers = [
        {
            "url": reverse("dashboard:choropleth") + "?" + kpi["params"],
            "name": str(kpi["figure"].label) if kpi["figure"] else _("区县"),
            "kind": "areas",
            "labels": True,
            "fit": True,
        },
        {"url": reverse("dashboard:active"), "name": _("当前态势"), "kind": "points"},
    ]
    return layers + registry.layers(request.user)


def _dark(option: dict) -> dict:
    """Light, large text for the dark screen."""
    text = {"color": "#e8eef6", "fontSize": 18}
    option["textStyle"] = text
    option["legend"] = {**option.get("legend", {}), "textStyle": text}
    for axis in ("xAxis", "yAxis"):
        option[axis] = {**option[axis], "axisLabel": {"color": "#cfe0f2", "fontSize": 16}}
    return option


@console_view("dashboard.view_command_centre")
def screen(request: HttpRequest) -> HttpResponse:
    """大屏: 1920×1080, dark, large type; panels rotate; figures poll without a reload."""
    kpi = _kpi_context(request)
    user = request.user
    return render(
        request,
        "dashboard/screen.html",
        {
            "kpi": kpi,
            "layers": _screen_layers(request, kpi),
            "legend": [{"label": a["label"], "colour": a["colour"]} for a in active.totals(user)],
            "table": K.table(user, kpi["q"]),
            "trend": _dark(K.trend(user, kpi["q"], kpi["figure"])) if kpi["figure"] else None,
            "active": active.totals(user),
            "kpis": registry.kpis(user),
        },
    )


@console_view("dashboard.view_command_centre")
def screen_live(request: HttpRequest) -> HttpResponse:
    kpi = _kpi_context(request)
    return render(
        request,
        "dashboard/_screen_live.html",
        {"kpi": kpi, "active": active.totals(request.user), "table": K.table(request.user, kpi["q"])},
    )


@console_view("dashboard.view_command_centre")
def active_geojson(request: HttpRequest) -> HttpResponse:
    return JsonResponse(active.geojson(request.user), content_type="application/geo+json")


def _balance(request: HttpRequest) -> dict:
    parent = request.GET.get("area") or ""
    if not (parent.isdigit() and len(parent) == F.DISTRICT):
        parent = ""
    try:
        budget = max(0, min(200, int(request.GET.get("budget") or 0)))
    except ValueError:
        budget = 0
    towns, extra = balance.townships(request.user, parent)
    # Inside a district, townships are measured against the whole area the person sees (the city for
    # the city), so that a mountain county is not compared with itself.
    target = balance_rules.targets(balance.townships(request.user, "")[0] if parent else towns)
    steps, after = (
        balance_rules.allocate(towns, budget, balance.station_cover(towns, extra), target)
        if budget
        else ([], towns)
    )
    names = {t.code: t.name for t in towns}
    changed = {s.code for s in steps} | {c for s in steps for c in s.covers}
    return {
        "parent": parent,
        "budget": budget,
        "towns": towns,
        "extra": extra,
        "after": {t.code: t for t in after},
        "gaps": {t.code: balance_rules.gap(t, target) for t in towns},
        "target": target,
        "steps": [
            {"step": s, "name": names.get(s.code, s.code), "covers": [names[c] for c in s.covers]}
            for s in steps
        ],
        "before_summary": balance.summary(towns, target),
        "after_summary": balance.summary(after, target),
        "changed": changed,
        "reach": next((e["reach"] for e in extra.values()), "straight"),
    }


@console_view("dashboard.view_command_centre")
def balance_page(request: HttpRequest) -> HttpResponse:
    ctx = _balance(request)
    layers = [
        {
            "url": reverse("dashboard:balance_geojson") + "?" + request.GET.urlencode(),
            "name": _("乡镇街道资源缺口"),
            "kind": "areas",
            "fit": True,
        }
    ]
    rows = [
        {
            "t": t,
            "gap": ctx["gaps"][t.code],
            "after": ctx["after"][t.code],
            "changed": t.code in ctx["changed"],
        }
        for t in ctx["towns"]
    ]
    rows.sort(key=lambda r: -r["gap"]["total"])
    return render(
        request,
        "dashboard/balance.html",
        {
            **ctx,
            "rows": rows,
            "layers": layers,
            "districts": list(
                Division.objects.filter(level="district").order_by("code").values("code", "name")
            ),
            "units": balance_rules.UNITS,
            "travel": balance_rules.TRAVEL,
        },
    )


@console_view("dashboard.view_command_centre")
def balance_geojson(request: HttpRequest) -> HttpResponse:
    ctx = _balance(request)
    features = []
    for t in ctx["towns"]:
        geometry = ctx["extra"][t.code]["geometry"]
        if not geometry:
            continue
        g = ctx["gaps"][t.code]["total"]
        fill = "green" if g < 0.15 else "yellow" if g < 0.35 else "orange" if g < 0.6 else "red"
        label = t.name + ("(" + str(_("山区")) + ")" if t.mountain else "")
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": t.code,
                    "label": label,
                    "popup": str(_("缺口 %(gap)s;设备/万人 %(dev)s;30分钟覆盖 %(cov)s"))
                    % {
                        "gap": round(g, 2),
                        "dev": round(t.devices_per_10k, 1),
                        "cov": "✓" if t.covered_share else "✗",
                    },
                    "fill": fill,
                    "colour": "purple" if t.mountain else "grey",
                    "fill_opacity": 0.6,
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )
