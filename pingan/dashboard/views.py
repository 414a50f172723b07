from __future__ import annotations

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingan.core.permissions import console_view
from pingan.geo.models import Division
from pingan.org.models import Enterprise

from . import figures as F
from . import kpis as K
from . import registry


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
        "legend": {"data": ["生产经营单位 Enterprises"]},
        "xAxis": {
            "type": "category",
            "data": [d["name"] for d in districts],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": "生产经营单位 Enterprises",
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
        },
    )


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
