from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingan.core.permissions import console_view
from pingan.geo.models import Division
from pingan.org.models import Enterprise

from . import registry


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
        },
    )
