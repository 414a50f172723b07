from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.choices import colour_of
from pingan.core.context import origin
from pingan.core.exports import ExportableListMixin
from pingan.core.permissions import ConsoleGate, console_view, may
from pingan.core.views import ScopedDetailView, ScopedListView

from . import actions, engine, forms, importer, rules
from .api.views import dispatch_payload, incident_or_404
from .choices import (
    ACTIVE_MOBILISATION,
    Capability,
    ExerciseKind,
    MobilisationState,
    RunStatus,
    SitingMethod,
    Specialty,
    TeamKind,
)
from .models import (
    CoverageRun,
    Equipment,
    Exercise,
    Expert,
    Member,
    Mobilisation,
    RoadNetwork,
    Shelter,
    SitingRun,
    StockItem,
    StockMovement,
    Team,
    Warehouse,
)
from .rules import MOUNTAIN_DISTRICTS


class TeamListView(ExportableListMixin, ScopedListView):
    permission = "rescue.view"
    model = Team
    template_name = "rescue/team_list.html"
    context_object_name = "teams"
    export_name = "rescue-teams"
    export_title = gettext_lazy("救援队伍")
    export_columns = (
        (gettext_lazy("编号"), lambda t: t.code),
        (gettext_lazy("队伍名称"), lambda t: t.name),
        (gettext_lazy("队伍类型"), lambda t: t.get_kind_display()),
        (gettext_lazy("区划"), lambda t: t.division),
        (gettext_lazy("驻地地址"), lambda t: t.address),
        (gettext_lazy("人数"), lambda t: t.headcount),
        (gettext_lazy("状态"), lambda t: t.get_status_display()),
        (gettext_lazy("负责人"), lambda t: t.leader),
        (gettext_lazy("值班电话"), lambda t: t.phone),
        (gettext_lazy("纬度"), lambda t: t.lat),
        (gettext_lazy("经度"), lambda t: t.lon),
    )

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("division")
        kind = self.request.GET.get("kind")
        if kind in TeamKind.values:
            qs = qs.filter(kind=kind)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        teams = Team.objects.visible_to(user)
        ctx["kpi"] = {
            "teams": teams.count(),
            "people": teams.aggregate(n=Sum("headcount"))["n"] or 0,
            "experts": Expert.objects.visible_to(user).count(),
            "shelters": Shelter.objects.visible_to(user).count(),
            "active": Mobilisation.objects.visible_to(user).filter(state__in=ACTIVE_MOBILISATION).count(),
        }
        ctx["kinds"] = TeamKind.choices
        ctx["layers"] = [
            {
                "url": reverse("geo-api:division-geojson") + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            },
            {"url": reverse("rescue:teams-geojson"), "name": _("救援队伍"), "kind": "points"},
        ]
        return ctx


class TeamDetailView(ScopedDetailView):
    permission = "rescue.view"
    model = Team
    template_name = "rescue/team_detail.html"
    context_object_name = "team"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["members"] = list(Member.objects.visible_to(user).filter(team=self.object)[:200])
        ctx["member_count"] = Member.objects.filter(team=self.object).count()
        ctx["equipment"] = list(self.object.equipment.all())
        ctx["mobilisations"] = list(Mobilisation.objects.visible_to(user).filter(team=self.object)[:20])
        caps = dict(Capability.choices)
        ctx["caps"] = [caps.get(c, c) for c in self.object.capabilities]
        ctx["readiness"] = [(s.value, s.label) for s in actions.READINESS]
        return ctx


@console_view("rescue.view")
def teams_geojson(request: HttpRequest) -> HttpResponse:
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [t.lon, t.lat]},
            "properties": {
                "label": t.name,
                "colour": colour_of(TeamKind, t.kind),
                "popup": f"{t.get_kind_display()} · {t.headcount}人 · {t.get_status_display()}",
                "url": reverse("rescue:team", args=[t.pk]),
            },
        }
        for t in Team.objects.visible_to(request.user).select_related("division")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": feats}, content_type="application/geo+json")


@console_view("rescue.view_dispatch")
def dispatch(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {
        "capabilities": Capability.choices,
        "specialties": Specialty.choices,
        "chosen_caps": request.GET.getlist("cap"),
        "chosen_specs": request.GET.getlist("spec"),
        "lat": request.GET.get("lat", ""),
        "lon": request.GET.get("lon", ""),
        "title": request.GET.get("title", ""),
        "incident": request.GET.get("incident", ""),
    }
    if ctx["incident"]:
        inc = incident_or_404(request.user, ctx["incident"])
        ctx["title"] = ctx["title"] or inc.title
        if inc.lat is not None:
            ctx["lat"], ctx["lon"] = ctx["lat"] or inc.lat, ctx["lon"] or inc.lon
    if ctx["lat"] and ctx["lon"]:
        try:
            lat, lon = float(ctx["lat"]), float(ctx["lon"])
            caps = [c for c in ctx["chosen_caps"] if c in Capability.values]
            specs = [s for s in ctx["chosen_specs"] if s in Specialty.values]
            ctx["result"] = dispatch_payload(lat, lon, caps, specs)
            cap_label = dict(Capability.choices)
            for t in ctx["result"]["teams"]:
                t["matched_labels"] = [cap_label.get(c, c) for c in t["matched"]]
            feats = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"label": ctx["title"] or _("事发地点"), "colour": "red"},
                }
            ]
            feats += [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [t["lon"], t["lat"]]},
                    "properties": {
                        "label": f"{i + 1}. {t['name']}",
                        "colour": "blue",
                        "popup": _("约 %(m)s 分钟") % {"m": t["eta_minutes"]},
                    },
                }
                for i, t in enumerate(ctx["result"]["teams"])
            ]
            ctx["points"] = {"type": "FeatureCollection", "features": feats}
        except ValueError:
            ctx["error"] = _("纬度和经度必须是数字")
        except ActionError as exc:
            ctx["error"] = exc.message
    return render(request, "rescue/dispatch.html", ctx)


@console_view("rescue.request")
def request_mobilisation(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("rescue:dispatch")
    team = get_visible_or_404(Team.objects.all(), request.user, pk=request.POST.get("team"))
    incident = None
    if request.POST.get("incident"):
        incident = incident_or_404(request.user, request.POST["incident"])
    try:
        eta = float(request.POST.get("eta") or 0) or None
        mob = actions.do_request(
            request.user,
            team,
            title=request.POST.get("title", ""),
            lat=request.POST.get("lat"),
            lon=request.POST.get("lon"),
            capabilities=request.POST.getlist("cap"),
            eta_minutes=eta,
            incident=incident,
        )
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(request.META.get("HTTP_REFERER") or reverse("rescue:dispatch"))
    messages.success(request, _("已请求调用 %(t)s") % {"t": team.name})
    return redirect("rescue:mobilisation", pk=mob.pk)


class MobilisationListView(ExportableListMixin, ScopedListView):
    permission = "rescue.view"
    model = Mobilisation
    template_name = "rescue/mobilisation_list.html"
    context_object_name = "mobilisations"
    export_name = "rescue-mobilisations"
    export_title = gettext_lazy("队伍调用")
    export_columns = (
        (gettext_lazy("请求时间"), lambda m: m.requested_at),
        (gettext_lazy("事件"), lambda m: m.title),
        (gettext_lazy("救援队伍"), lambda m: m.team.name),
        (gettext_lazy("区划"), lambda m: m.division),
        (gettext_lazy("状态"), lambda m: m.get_state_display()),
        (gettext_lazy("预计到达(分钟)"), lambda m: m.eta_minutes),
    )

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("team", "division")


class MobilisationDetailView(ScopedDetailView):
    permission = "rescue.view"
    model = Mobilisation
    template_name = "rescue/mobilisation_detail.html"
    context_object_name = "mob"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        may_move = may(self.request.user, "rescue.transition", self.object)
        ctx["next_states"] = (
            [(s, MobilisationState(s).label) for s in rules.next_states(self.object.state)]
            if may_move
            else []
        )
        ctx["quiet_states"] = (MobilisationState.DECLINED, MobilisationState.STOOD_DOWN)
        return ctx

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mob = get_visible_or_404(Mobilisation.objects.all(), request.user, pk=pk)
        try:
            actions.do_transition(
                request.user, mob, request.POST.get("state", ""), note=request.POST.get("note", "")
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("rescue:mobilisation", pk=pk)


# --- coverage and siting ---------------------------------------------------------------------
@console_view("rescue.view_analysis")
def coverage(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            th = [
                int(x)
                for x in request.POST.get("thresholds", "15,30,60").replace(",", ",").split(",")
                if x.strip()
            ]
            run = actions.do_start_coverage(
                request.user, thresholds=th, capabilities=request.POST.getlist("cap")
            )
            return redirect("rescue:coverage-run", pk=run.pk)
        except ValueError:
            messages.error(request, _("时间阈值应为逗号分隔的整数"))
        except ActionError as exc:
            messages.error(request, exc.message)
    runs = CoverageRun.objects.visible_to(request.user).select_related("network")[:20]
    return render(
        request,
        "rescue/coverage.html",
        {
            "runs": runs,
            "capabilities": Capability.choices,
            "network": RoadNetwork.objects.filter(is_active=True).first(),
        },
    )


@console_view("rescue.view_analysis")
def coverage_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_visible_or_404(CoverageRun.objects.select_related("network"), request.user, pk=pk)
    ctx: dict[str, Any] = {"run": run, "mountain": MOUNTAIN_DISTRICTS}
    if run.status == RunStatus.DONE:
        res = run.results
        ctx["rows"] = [
            {
                **d,
                "mountain": d["code"] in MOUNTAIN_DISTRICTS,
                "cells": [
                    round(100 * d["share"].get(str(float(t)), d["share"].get(str(t), 0)), 1)
                    for t in res["thresholds"]
                ],
            }
            for d in res["districts"]
        ]
        ctx["city_cells"] = [
            round(100 * res["city"]["share"].get(str(float(t)), 0), 1) for t in res["thresholds"]
        ]
        ctx["gap"] = [
            (
                t,
                round(100 * res["gap"]["urban"][str(float(t))], 1),
                round(100 * res["gap"]["mountain"][str(float(t))], 1),
                res["gap"]["gap_points"][str(float(t))],
            )
            for t in res["thresholds"]
        ]
        ctx["thresholds"] = [int(t) for t in res["thresholds"]]
        ctx["layers"] = [
            {
                "url": reverse("geo-api:division-geojson") + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            },
            {
                "url": reverse("rescue:coverage-geojson", args=[run.pk]),
                "name": _("需求点(按到达时间)"),
                "kind": "points",
                "radius": 4,
            },
            {"url": reverse("rescue:teams-geojson"), "name": _("救援队伍"), "kind": "points"},
        ]
        ctx["chart"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "xAxis": {
                "type": "category",
                "data": [d["name"] for d in res["districts"]],
                "axisLabel": {"rotate": 30},
            },
            "yAxis": {"type": "value", "max": 100, "name": "%"},
            "grid": {"left": 48, "right": 16, "top": 40, "bottom": 80},
            "series": [
                {
                    "type": "bar",
                    "name": f"{int(t)} min",
                    "data": [round(100 * d["share"].get(str(float(t)), 0), 1) for d in res["districts"]],
                }
                for t in res["thresholds"]
            ],
        }
    return render(request, "rescue/coverage_run.html", ctx)


@console_view("rescue.view_analysis")
def coverage_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_visible_or_404(CoverageRun.objects.all(), request.user, pk=pk)
    ths = sorted(run.results.get("thresholds", [15, 30, 60]))
    colours = ["green", "yellow", "orange"]

    def colour(m: float | None) -> str:
        if m is None:
            return "red"
        for t, c in zip(ths, colours, strict=False):
            if m <= t:
                return c
        return "red"

    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {
                "colour": colour(m),
                "label": f"{m} min" if m is not None else "—",
                "popup": f"{w} 人",
            },
        }
        for x, y, w, m in run.results.get("points", [])
    ]
    return JsonResponse({"type": "FeatureCollection", "features": feats}, content_type="application/geo+json")


@console_view("rescue.view_analysis")
def run_progress(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The progress bar partial (htmx polls it); tells the browser to reload when done."""
    model = CoverageRun if kind == "coverage" else SitingRun
    run = get_visible_or_404(model.objects.all(), request.user, pk=pk)
    resp = render(request, "rescue/_progress.html", {"run": run, "kind": kind})
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        resp["HX-Refresh"] = "true"
    return resp


@console_view("rescue.view_analysis")
def siting(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = actions.do_start_siting(
                request.user,
                method=request.POST.get("method", SitingMethod.MCLP),
                p=request.POST.get("p", ""),
                threshold=int(request.POST.get("threshold") or 30),
                mountain_only=bool(request.POST.get("mountain_only")),
            )
            return redirect("rescue:siting-run", pk=run.pk)
        except ValueError:
            messages.error(request, _("覆盖时间必须是整数"))
        except ActionError as exc:
            messages.error(request, exc.message)
    runs = SitingRun.objects.visible_to(request.user).select_related("network")[:20]
    return render(
        request,
        "rescue/siting.html",
        {"runs": runs, "methods": SitingMethod.choices, "candidates": len(engine.candidate_sites())},
    )


@console_view("rescue.view_analysis")
def siting_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_visible_or_404(SitingRun.objects.select_related("network"), request.user, pk=pk)
    ctx: dict[str, Any] = {"run": run}
    if run.status == RunStatus.DONE:
        res = run.results
        ctx["layers"] = [
            {
                "url": reverse("geo-api:division-geojson") + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            },
            {"url": reverse("rescue:teams-geojson"), "name": _("现有队伍"), "kind": "points"},
            {
                "url": reverse("rescue:siting-geojson", args=[run.pk]),
                "name": _("建议新站点"),
                "kind": "points",
                "radius": 10,
            },
        ]
        mclp = run.method == SitingMethod.MCLP
        ctx["chart"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0},
            "xAxis": {
                "type": "category",
                "data": [f"+{s['p']}" for s in res["steps"]],
                "name": _("新增站点"),
            },
            "yAxis": {"type": "value", "name": _("新增覆盖人口") if mclp else _("减少的人·分钟")},
            "series": [
                {
                    "type": "bar",
                    "name": _("该站点带来的增益"),
                    "data": [round(s["gain"] or 0) for s in res["steps"]],
                }
            ],
        }
    return render(request, "rescue/siting_run.html", ctx)


@console_view("rescue.view_analysis")
def siting_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_visible_or_404(SitingRun.objects.all(), request.user, pk=pk)
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
            "properties": {"colour": "#111827", "label": f"{s['order']}. {s['name']}", "popup": s["code"]},
        }
        for s in run.results.get("sites", [])
    ]
    return JsonResponse({"type": "FeatureCollection", "features": feats}, content_type="application/geo+json")


class ExerciseListView(ExportableListMixin, ScopedListView):
    permission = "rescue.view"
    model = Exercise
    template_name = "rescue/exercise_list.html"
    context_object_name = "exercises"
    export_name = "rescue-exercises"
    export_title = gettext_lazy("演练与培训")
    export_columns = (
        (gettext_lazy("日期"), lambda e: e.date),
        (gettext_lazy("类别"), lambda e: e.get_kind_display()),
        (gettext_lazy("名称"), lambda e: e.title),
        (gettext_lazy("区划"), lambda e: e.division),
        (gettext_lazy("参加队伍"), lambda e: e.team_count),
        (gettext_lazy("参加人数"), lambda e: e.participants),
        (gettext_lazy("评分"), lambda e: e.score),
        (gettext_lazy("评估"), lambda e: e.evaluation),
    )

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("division")
            .defer("division__geometry")  # a row shows the division's name, not its boundary
            .annotate(team_count=Count("teams"))
            .order_by("-date", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = (
            Exercise.objects.visible_to(self.request.user)
            .annotate(year=ExtractYear("date"))
            .values("division__code", "division__name", "year")
            .annotate(
                drills=Count("id", filter=Q(kind=ExerciseKind.DRILL)),
                trainings=Count("id", filter=Q(kind=ExerciseKind.TRAINING)),
                people=Sum("participants"),
            )
            .order_by("division__code", "-year")
        )
        ctx["stats"] = list(rows)
        return ctx


class ImportView(ConsoleGate, generic.TemplateView):
    permission = "rescue.import"
    template_name = "rescue/import.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        ctx: dict[str, Any] = {}
        upload = request.FILES.get("file")
        if upload is None:
            ctx["error"] = _("请选择文件")
        else:
            try:
                ctx["report"] = importer.import_file(
                    request.POST.get("kind", ""), upload.read(), upload.name, actor=request.user
                )
            except ActionError as exc:
                ctx["error"] = exc.message
        return self.render_to_response(self.get_context_data(**ctx))


@console_view("rescue.view_networks")
def networks(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("synthetic"):
                actions.do_build_synthetic(request.user)
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise ActionError(_("请选择 OSM 文件"), field="file", code="required")
                import tempfile
                from pathlib import Path

                suffix = ".osm.pbf" if upload.name.endswith(".pbf") else ".osm"
                with tempfile.TemporaryDirectory() as d:
                    path = Path(d) / f"upload{suffix}"
                    with path.open("wb") as fh:
                        for chunk in upload.chunks():
                            fh.write(chunk)
                    actions.do_import_osm(
                        request.user, str(path), name=request.POST.get("name") or upload.name
                    )
            messages.success(request, _("路网已更新"))
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("rescue:networks")
    return render(request, "rescue/networks.html", {"networks": RoadNetwork.objects.all()[:20]})


json_dumps = json.dumps


@console_view("rescue.view")
def resources(request: HttpRequest) -> HttpResponse:
    """Experts, supply warehouses with their stock, and shelters on one page."""
    user = request.user
    spec = dict(Specialty.choices)
    experts = list(Expert.objects.visible_to(user).select_related("division")[:300])
    for e in experts:
        e.spec_labels = [spec.get(s, s) for s in e.specialties]
    return render(
        request,
        "rescue/resources.html",
        {
            "experts": experts,
            "warehouses": Warehouse.objects.visible_to(user)
            .select_related("division")
            .prefetch_related("stock")[:100],
            "shelters": Shelter.objects.visible_to(user).select_related("division")[:300],
            "low_stock": list(
                StockItem.objects.filter(
                    warehouse__in=Warehouse.objects.visible_to(user),
                    min_quantity__gt=0,
                    quantity__lt=F("min_quantity"),
                ).select_related("warehouse")[:20]
            ),
        },
    )


def public_shelters(request: HttpRequest) -> HttpResponse:
    """Emergency shelters for the public (no sign-in), on a map; with the visitor's position
    (`?lat=&lon=`, from the browser's geolocation) the nearest ones first, with the distance."""
    from .network import haversine_m

    shelters = list(Shelter.objects.visible_to(request.user).select_related("division")[:500])
    here = None
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            here = (lat, lon)
    except (KeyError, ValueError):
        pass
    nearest: list[Shelter] = []
    if here is not None and shelters:
        dist = haversine_m(here[1], here[0], [s.lon for s in shelters], [s.lat for s in shelters])
        for s, d in zip(shelters, dist.tolist(), strict=True):
            s.km = round(d / 1000, 1)
        shelters.sort(key=lambda s: s.km)
        nearest = shelters[:5]
    layers = [
        {
            "url": reverse("rescue:public-shelters-geojson"),
            "name": _("避难场所"),
            "kind": "points",
            "fit": True,
        }
    ]
    return render(
        request,
        "rescue/public_shelters.html",
        {"shelters": shelters, "nearest": nearest, "here": here, "layers": layers},
    )


def public_shelters_geojson(request: HttpRequest) -> HttpResponse:
    """The shelters as points for the public map (public data, no sign-in)."""
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "label": s.name,
                "colour": "green",
                "popup": _("%(a)s · 可容纳 %(n)s 人") % {"a": s.address or s.division.name, "n": s.capacity},
            },
        }
        for s in Shelter.objects.visible_to(request.user).select_related("division")[:500]
    ]
    return JsonResponse({"type": "FeatureCollection", "features": feats}, content_type="application/geo+json")


# --- editing the directory ---------------------------------------------------------------------
def _forbid_unless(request: HttpRequest, perm: str, obj: Any = None) -> None:
    from django.core.exceptions import PermissionDenied

    if not may(request.user, perm, obj):
        raise PermissionDenied


def _apply_action_error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# kind → (model, form, the permission of the page, where a saved record goes)
EDITABLE: dict[str, tuple[Any, Any, str, str]] = {
    "team": (Team, forms.TeamForm, "rescue.edit_team", "team"),
    "expert": (Expert, forms.ExpertForm, "rescue.edit_directory", "resources"),
    "warehouse": (Warehouse, forms.WarehouseForm, "rescue.edit_directory", "warehouse"),
    "shelter": (Shelter, forms.ShelterForm, "rescue.edit_directory", "resources"),
}


def _save_form(request: HttpRequest, form: Any, obj: Any) -> Any:
    """Run the form's instance through do_save; None when the form or the action refused."""
    if not form.is_valid():
        return None
    try:
        with origin("web", ip=request.META.get("REMOTE_ADDR")):
            return actions.do_save(request.user, form.save(commit=False))
    except ActionError as exc:
        _apply_action_error(form, exc)
    except DjangoValidationError as exc:
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    return None


def _render_form(
    request: HttpRequest, form: Any, *, title: str, back: str, multipart: bool = False
) -> HttpResponse:
    return render(
        request,
        "rescue/edit.html",
        {"form": form, "title": title, "back": back, "multipart": multipart},
        status=400 if form.is_bound else 200,
    )


@console_view("rescue.view")
def edit_record(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    if kind not in EDITABLE:
        raise Http404("no such kind")
    model, form_class, perm, goes = EDITABLE[kind]
    if pk is None:
        obj = model()
        _forbid_unless(request, "rescue.edit_directory")
        title = _("新增%(what)s") % {"what": model._meta.verbose_name}
    else:
        obj = get_visible_or_404(model.objects, request.user, pk=pk)
        _forbid_unless(request, perm, obj)
        title = _("编辑%(what)s:%(name)s") % {"what": model._meta.verbose_name, "name": obj}
    form = form_class(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST":
        saved = _save_form(request, form, obj)
        if saved is not None:
            messages.success(request, _("已保存"))
            if goes == "resources":
                return redirect("rescue:resources")
            return redirect(f"rescue:{goes}", saved.pk)
    back = (
        reverse("rescue:resources")
        if goes == "resources" or pk is None
        else reverse(f"rescue:{goes}", args=[pk])
    )
    if kind == "team" and pk is None:
        back = reverse("rescue:teams")
    return _render_form(request, form, title=title, back=back)


# a team's members and equipment: kind → (model, form)
TEAM_PARTS: dict[str, tuple[Any, Any]] = {
    "member": (Member, forms.MemberForm),
    "equipment": (Equipment, forms.EquipmentForm),
}


@console_view("rescue.view")
def edit_team_part(request: HttpRequest, team_pk: int, kind: str, pk: int | None = None) -> HttpResponse:
    if kind not in TEAM_PARTS:
        raise Http404("no such kind")
    team = get_visible_or_404(Team.objects, request.user, pk=team_pk)
    _forbid_unless(request, "rescue.edit_team", team)
    model, form_class = TEAM_PARTS[kind]
    obj = model(team=team) if pk is None else get_object_or_404(model, pk=pk, team=team)
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and _save_form(request, form, obj) is not None:
        messages.success(request, _("已保存"))
        return redirect("rescue:team", team.pk)
    verb = _("新增%(what)s") if pk is None else _("编辑%(what)s")
    title = (verb % {"what": model._meta.verbose_name}) + " · " + team.name
    return _render_form(request, form, title=title, back=reverse("rescue:team", args=[team.pk]))


@console_view("rescue.set_readiness")
@require_POST
def set_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_visible_or_404(Team.objects, request.user, pk=pk)
    form = forms.ReadinessForm(request.POST)
    if form.is_valid():
        try:
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                actions.do_set_readiness(
                    request.user, team, form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            messages.success(request, _("战备状态已更新"))
        except ActionError as exc:
            messages.error(request, exc.message)
            if exc.status == 403:
                raise PermissionDenied from exc
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}:{e[0]}" for f, e in form.errors.items()))
    return redirect("rescue:team", team.pk)


# --- warehouses and stock ------------------------------------------------------------------------
@console_view("rescue.view")
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    wh = get_visible_or_404(Warehouse.objects.select_related("division"), request.user, pk=pk)
    items = list(wh.stock.all())
    moves = list(
        StockMovement.objects.filter(item__warehouse=wh)
        .select_related("item", "by")
        .order_by("-at", "-id")[:50]
    )
    return render(
        request,
        "rescue/warehouse_detail.html",
        {"warehouse": wh, "items": items, "moves": moves, "move_form": forms.StockMoveForm()},
    )


@console_view("rescue.view")
def edit_stock_item(request: HttpRequest, warehouse_pk: int, pk: int | None = None) -> HttpResponse:
    wh = get_visible_or_404(Warehouse.objects, request.user, pk=warehouse_pk)
    _forbid_unless(request, "rescue.edit_directory", wh)
    obj = StockItem(warehouse=wh) if pk is None else get_object_or_404(StockItem, pk=pk, warehouse=wh)
    form = forms.StockItemForm(request.POST or None, instance=obj)
    if request.method == "POST" and _save_form(request, form, obj) is not None:
        messages.success(request, _("已保存"))
        return redirect("rescue:warehouse", wh.pk)
    title = (_("新增库存物资") if pk is None else _("编辑库存物资")) + " · " + wh.name
    return _render_form(request, form, title=title, back=reverse("rescue:warehouse", args=[wh.pk]))


@console_view("rescue.move_stock")
@require_POST
def move_stock(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(StockItem.objects.select_related("warehouse__division"), pk=pk)
    wh = get_visible_or_404(Warehouse.objects, request.user, pk=item.warehouse_id)
    _forbid_unless(request, "rescue.move_stock", wh)
    form = forms.StockMoveForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                move = actions.do_move_stock(request.user, item, d["kind"], d["quantity"], note=d["note"])
            messages.success(
                request,
                _("已登记%(k)s %(n)s%(u)s,结存 %(b)s%(u)s")
                % {"k": move.get_kind_display(), "n": move.quantity, "u": item.unit, "b": move.balance},
            )
        except ActionError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(f"{form.fields[f].label}:{e[0]}" for f, e in form.errors.items()))
    return redirect("rescue:warehouse", wh.pk)


# --- drills and trainings ------------------------------------------------------------------------
class ExerciseDetailView(ScopedDetailView):
    permission = "rescue.view"
    model = Exercise
    template_name = "rescue/exercise_detail.html"
    context_object_name = "exercise"

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("division", "recorded_by")
            .prefetch_related("teams", "photos")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["plan_drill_url"] = _plan_drill_url(self.request.user, self.object)
        return context


def _plan_drill_url(user: Any, exercise: Exercise) -> str:
    """Record this drill against an emergency plan (the plans module, by URL and permission name:
    rescue does not import plans)."""
    from django.apps import apps

    if (
        exercise.kind != ExerciseKind.DRILL
        or not apps.is_installed("pingan.plans")
        or not may(user, "plans.record_drill")
    ):
        return ""
    return f"{reverse('plans:exercise_drill')}?exercise={exercise.pk}"


@console_view("rescue.record_exercise")
def edit_exercise(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        obj = Exercise()
    else:
        obj = get_visible_or_404(Exercise.objects, request.user, pk=pk)
        _forbid_unless(request, "rescue.record_exercise", obj)
    form = forms.ExerciseForm(request.POST or None, request.FILES or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                saved = actions.do_record_exercise(
                    request.user,
                    form.save(commit=False),
                    list(form.cleaned_data["teams"]),
                    form.cleaned_data["photos"],
                )
        except ActionError as exc:
            _apply_action_error(form, exc)
        except DjangoValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("已记录"))
            return redirect("rescue:exercise", saved.pk)
    title = _("记录演练培训") if pk is None else _("编辑演练培训:%(t)s") % {"t": obj.title}
    back = reverse("rescue:exercises") if pk is None else reverse("rescue:exercise", args=[pk])
    return _render_form(request, form, title=title, back=back, multipart=True)
