"""Console pages of the city lifelines (城市生命线) and the live sensors of a major hazard source.

The sensors' panel is a partial the page refreshes every 10 seconds (htmx): latest values, levels and
open alarms, read through `pingan.monitoring.services` inside `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.choices import hex_of
from pingan.core.permissions import console_view, may
from pingan.org.models import Enterprise

from . import actions, lifelines
from .choices import Level, LifelineKind
from .models import LifelineAsset, MajorHazardSource

REFRESH_SECONDS = 10


def _attempt(request: HttpRequest, fn: Any, ok: str) -> bool:
    """Run an action; its error (with the field it names) becomes a message on the page."""
    try:
        fn()
    except ActionError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else str(exc.message))
        return False
    messages.success(request, ok)
    return True


def _live(user: Any, device_ids: list[int]) -> dict[str, Any]:
    if not device_ids or not apps.is_installed("pingan.monitoring"):
        return {"sensors": [], "alarms": []}
    from pingan.monitoring import services

    return {
        "sensors": services.sensor_rows(user, device_ids),
        "alarms": services.open_alarms(user, device_ids),
    }


def assets(user: Any, params: Any = None) -> Any:
    qs = LifelineAsset.objects.visible_to(user).select_related("division", "department", "enterprise")
    params = params or {}
    if params.get("kind") in LifelineKind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if str(params.get("id", "")).isdigit():
        qs = qs.filter(pk=int(params["id"]))
    return qs


def _layers() -> list[dict[str, Any]]:
    url = reverse("risks:lifeline_geojson")
    return [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
        },
        {"url": url + "?shape=line", "name": _("生命线管线"), "kind": "lines", "weight": 4, "fit": True},
        {"url": url + "?shape=point", "name": _("生命线设施"), "kind": "points", "radius": 6},
    ]


@console_view("risks.view_lifelines")
def lifeline_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(assets(request.user, request.GET), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risks/lifelines.html",
        {
            "page_obj": page,
            "assets": page.object_list,
            "kinds": LifelineKind.choices,
            "layers": _layers(),
            "query": request.GET.urlencode(),
        },
    )


@console_view("risks.view_lifelines")
def lifeline_geojson(request: HttpRequest) -> HttpResponse:
    """The lifeline map layer: lines (shape=line) or the assets' points (shape=point), coloured by kind."""
    shape = request.GET.get("shape", "point")
    qs = assets(request.user, request.GET)
    qs = qs.exclude(geometry=None) if shape == "line" else qs
    features = []
    for a in qs.select_related(None).only("id", "kind", "name", "lat", "lon", "geometry")[:5000]:
        geometry = a.geometry if shape == "line" else {"type": "Point", "coordinates": [a.lon, a.lat]}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "id": a.pk,
                    "label": a.name,
                    "popup": str(a.get_kind_display()),
                    "colour": hex_of(a.colour),
                    "url": reverse("risks:lifeline", args=[a.pk]),
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@console_view("risks.manage_lifeline")
def lifeline_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    enterprises = Enterprise.objects.visible_to(user).filter(industry__in=["gas", "other"]).order_by("name")
    if request.method == "POST":
        p = request.POST
        made: dict[str, Any] = {}
        enterprise = enterprises.filter(pk=p.get("enterprise") or 0).first()

        def run() -> None:
            made["asset"] = actions.do_create_lifeline(
                user,
                kind=p.get("kind", ""),
                name=p.get("name", ""),
                lat=p.get("lat"),
                lon=p.get("lon"),
                geometry=p.get("geometry", ""),
                enterprise=enterprise,
                description=p.get("description", ""),
            )

        if _attempt(request, run, _("已登记")):
            return redirect("risks:lifeline", made["asset"].pk)
    return render(
        request,
        "risks/lifeline_create.html",
        {"kinds": LifelineKind.choices, "enterprises": enterprises[:300], "values": request.POST},
    )


@console_view("risks.view_lifelines")
def lifeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_visible_or_404(
        LifelineAsset.objects.select_related("division", "department", "enterprise", "risk_object"),
        request.user,
        pk=pk,
    )
    if request.method == "POST":
        _attempt(
            request,
            lambda: actions.do_apply_template(request.user, asset, request.POST.get("template", "")),
            _("已接入监测"),
        )
        return redirect("risks:lifeline", asset.pk)
    ids = actions.device_ids(asset)
    ro = asset.risk_object
    tasks = list(ro.tasks.filter(is_active=True).order_by("next_due_at")) if ro else []
    records = list(ro.records.select_related("checked_by", "task")[:10]) if ro else []
    return render(
        request,
        "risks/lifeline_detail.html",
        {
            "asset": asset,
            "ro": ro,
            "Level": Level,
            "tasks": tasks,
            "records": records,
            "templates": lifelines.templates_for(asset.kind),
            "live": _live(request.user, ids),
            "live_url": reverse("risks:lifeline_live", args=[asset.pk]),
            "refresh": REFRESH_SECONDS,
            "map_layers": [
                {
                    "url": reverse("risks:lifeline_geojson")
                    + f"?shape={'line' if asset.geometry else 'point'}"
                    f"&id={asset.pk}",
                    "name": asset.name,
                    "kind": "lines" if asset.geometry else "points",
                    "weight": 5,
                    "fit": True,
                    "maxZoom": 15,
                }
            ],
        },
    )


@console_view("risks.view_lifelines")
def lifeline_live(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_visible_or_404(LifelineAsset.objects.all(), request.user, pk=pk)
    return render(
        request,
        "risks/_live_sensors.html",
        {
            "live": _live(request.user, actions.device_ids(asset)),
            "live_url": reverse("risks:lifeline_live", args=[asset.pk]),
            "refresh": REFRESH_SECONDS,
        },
    )


@console_view("risks.view_mhs")
def mhs_live(request: HttpRequest, pk: int) -> HttpResponse:
    src = get_visible_or_404(MajorHazardSource.objects.all(), request.user, pk=pk)
    return render(
        request,
        "risks/_live_sensors.html",
        {
            "live": _live(request.user, actions.device_ids(src)),
            "live_url": reverse("risks:mhs_live", args=[src.pk]),
            "refresh": REFRESH_SECONDS,
        },
    )


@console_view("risks.view_mhs")
def mhs_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: apply the major hazard source template, or attach an existing device of the enterprise."""
    src = get_visible_or_404(MajorHazardSource.objects.select_related("enterprise"), request.user, pk=pk)
    if request.method == "POST":
        if request.POST.get("device"):
            _attempt(
                request,
                lambda: actions.do_attach_device(request.user, src, request.POST.get("device")),
                _("已接入监测"),
            )
        else:
            _attempt(
                request,
                lambda: actions.do_apply_template(request.user, src, request.POST.get("template", "")),
                _("已接入监测"),
            )
    return redirect("risks:mhs_detail", src.pk)


def mhs_context(user: Any, src: MajorHazardSource) -> dict[str, Any]:
    """What the major hazard source page adds: its live sensors and, for those who may, the forms."""
    ids = actions.device_ids(src)
    attachable: list[Any] = []
    if may(user, "risks.attach_sensors", src) and apps.is_installed("pingan.monitoring"):
        from pingan.monitoring import services

        attachable = [d for d in services.devices_of_enterprise(user, src.enterprise_id) if d.pk not in ids]
    return {
        "live": _live(user, ids),
        "live_url": reverse("risks:mhs_live", args=[src.pk]),
        "refresh": REFRESH_SECONDS,
        "mhs_templates": lifelines.templates_for("mhs"),
        "attachable": attachable,
    }
