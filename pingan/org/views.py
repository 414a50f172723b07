from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from pingan.core import workspace
from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.context import origin
from pingan.core.nav import landing_url
from pingan.core.permissions import console_view, gate, is_city_admin, may
from pingan.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin
from pingan.geo.choices import Level
from pingan.geo.models import Division

from .actions import do_create_enterprise, do_update_enterprise
from .choices import DepartmentKind, Industry, Scale, Sector
from .forms import LockoutAuthenticationForm
from .importer import COLUMNS, REQUIRED, import_enterprises
from .models import Department, Enterprise, Site


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without a `next`, each person lands where their work starts (duty desk, workspace …)."""
        return landing_url(self.request.user)


def _division_filter(qs: QuerySet, code: str, field: str = "division") -> QuerySet:
    division = Division.objects.filter(code=code).only("code", "level", "path").first() if code else None
    if division is None:
        return qs
    return qs.filter(**{f"{field}__path__startswith": division.path})


def enterprise_queryset(request: HttpRequest) -> QuerySet:
    """Enterprises the person may see, filtered by the list's query string."""
    qs = Enterprise.objects.visible_to(request.user)
    get = request.GET
    if get.get("industry") in Industry.values:
        qs = qs.filter(industry=get["industry"])
    if get.get("division"):
        qs = _division_filter(qs, get["division"].strip())
    if get.get("key") in ("1", "true", "on"):
        qs = qs.filter(key_supervision=True)
    q = get.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc__startswith=q.upper()))
    return qs


def place_of(division: Division) -> str:
    """'town · village' for a grid or village (from already loaded parents), else the name."""
    if division.level == Level.GRID and division.parent and division.parent.parent:
        return f"{division.parent.parent.name} · {division.parent.name}"
    if division.level == Level.VILLAGE and division.parent:
        return f"{division.parent.name} · {division.name}"
    return division.name


class EnterpriseListView(ScopedListView):
    permission = "org.view_enterprises"
    model = Enterprise
    template_name = "org/enterprise_list.html"
    context_object_name = "enterprises"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        return (
            enterprise_queryset(self.request)
            .select_related("division__parent__parent")
            .prefetch_related(
                Prefetch("supervising_departments", Department.objects.only("id", "name", "short_name"))
            )
            .defer("division__geometry", "division__parent__geometry", "division__parent__parent__geometry")
            .order_by("name", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        get = self.request.GET
        ctx["industries"] = Industry.choices
        ctx["districts"] = list(
            Division.objects.filter(level__in=[Level.CITY, Level.DISTRICT])
            .only("code", "name", "level")
            .order_by("code")
        )
        ctx["f"] = {
            "industry": get.get("industry", ""),
            "division": get.get("division", ""),
            "key": get.get("key", ""),
            "q": get.get("q", ""),
        }
        query = get.copy()
        query.pop("page", None)
        api = reverse("geo-api:division-geojson")
        area = self.request.user.division if not is_city_admin(self.request.user) else None
        ctx["layers"] = [
            {
                "url": api + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": area is None or area.level == Level.CITY,
            },
            {
                "url": reverse("org:enterprise-geojson") + "?" + query.urlencode(),
                "name": _("生产经营单位"),
                "kind": "points",
                "radius": 5,
            },
        ]
        if area is not None and area.level != Level.CITY:
            ctx["layers"].insert(
                0,
                {
                    "url": api + f"?code={area.code}",
                    "name": area.name,
                    "kind": "boundary",
                    "weight": 3,
                    "fillOpacity": 0,
                    "fit": True,
                },
            )
        ctx["can_import"] = may(self.request.user, "org.import_enterprises")
        ctx["can_create"] = may(self.request.user, "org.create_enterprise")
        for e in ctx["enterprises"]:
            e.place = place_of(e.division)
        return ctx


class EnterpriseDetailView(ScopedDetailView):
    permission = "org.view_enterprises"
    model = Enterprise
    template_name = "org/enterprise_detail.html"
    context_object_name = "enterprise"

    def get_queryset(self) -> QuerySet:
        return (
            super().get_queryset().select_related("division", "division__parent").defer("division__geometry")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ent: Enterprise = self.object
        ctx["sites"] = list(
            Site.objects.visible_to(self.request.user)
            .filter(enterprise=ent)
            .select_related("division", "supervising_department")
            .defer("division__geometry")
        )
        ctx["departments"] = list(
            ent.supervising_departments.select_related("division").defer("division__geometry")
        )
        chain = ent.division.ancestors() + [ent.division]
        ctx["chain"] = chain
        town = next((d for d in chain if d.level == Level.TOWN), None) or ent.division
        ctx["layers"] = [
            {
                "url": reverse("geo-api:division-geojson") + f"?code={town.code}",
                "name": town.name,
                "kind": "boundary",
                "labels": True,
                "fit": True,
            },
            {
                "url": reverse("org:enterprise-geojson") + f"?id={ent.pk}&sites=1",
                "name": "单位 Enterprise",
                "kind": "points",
                "radius": 7,
            },
        ]
        ctx["can_edit"] = may(self.request.user, "org.edit_enterprise", ent)
        return ctx


def _feature(lat: float, lon: float, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


class EnterpriseGeoJSONView(StaffRequiredMixin, generic.View):
    """Points for the console maps (the list's filters, or one enterprise with its sites)."""

    permission = "org.view_enterprises"
    limit = 5000

    def get(self, request: HttpRequest) -> JsonResponse:
        qs = enterprise_queryset(request).exclude(lat=None)
        if request.GET.get("id"):
            try:
                qs = qs.filter(pk=int(request.GET["id"]))
            except ValueError:
                qs = qs.none()
        features = []
        for pk, name, industry, key, lat, lon in qs.values_list(
            "pk", "name", "industry", "key_supervision", "lat", "lon"
        )[: self.limit]:
            features.append(
                _feature(
                    lat,
                    lon,
                    {
                        "label": name,
                        "popup": str(Industry(industry).label) + (" · 重点监管" if key else ""),
                        "url": reverse("org:enterprise-detail", args=[pk]),
                        "colour": "red" if key else "blue",
                    },
                )
            )
        if request.GET.get("id") and request.GET.get("sites"):
            for name, lat, lon in (
                Site.objects.visible_to(request.user)
                .filter(enterprise__in=qs)
                .exclude(lat=None)
                .values_list("name", "lat", "lon")
            ):
                features.append(_feature(lat, lon, {"label": name, "popup": "场所 site", "colour": "orange"}))
        return JsonResponse(
            {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
        )


class DepartmentListView(ScopedListView):
    permission = "org.view_departments"
    model = Department
    template_name = "org/department_list.html"
    context_object_name = "departments"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        qs = (
            Department.objects.visible_to(self.request.user)
            .select_related("division", "parent")
            .defer("division__geometry")
        )
        get = self.request.GET
        if get.get("sector") in Sector.values:
            qs = qs.filter(sector=get["sector"])
        if get.get("kind") in DepartmentKind.values:
            qs = qs.filter(kind=get["kind"])
        if get.get("division"):
            qs = _division_filter(qs, get["division"].strip())
        q = get.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(code__startswith=q))
        return qs.order_by("division__code", "kind", "sector", "name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        get = self.request.GET
        ctx["sectors"] = Sector.choices
        ctx["kinds"] = DepartmentKind.choices
        ctx["f"] = {k: get.get(k, "") for k in ("sector", "kind", "division", "q")}
        return ctx


class EnterpriseImportForm(forms.Form):
    file = forms.FileField(label=_("文件(Excel .xlsx 或 CSV)"))
    crs = forms.ChoiceField(
        label=_("坐标系"),
        choices=[("wgs84", "WGS-84"), ("gcj02", _("GCJ-02(高德/腾讯地图)"))],
        initial="wgs84",
        required=False,
    )
    dry_run = forms.BooleanField(label=_("仅检查,不写入"), required=False)


class EnterpriseImportView(StaffRequiredMixin, generic.View):
    """Upload an enterprise register: city administrators and department staff (within their area)."""

    permission = "org.import_enterprises"
    template_name = "org/enterprise_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, EnterpriseImportForm(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EnterpriseImportForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                report = import_enterprises(
                    upload.read(),
                    upload.name,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    crs=form.cleaned_data["crs"] or "wgs84",
                )
            (messages.success if report.ok else messages.error)(request, report.summary())
        return self.render(request, form, report)

    def render(self, request: HttpRequest, form: forms.Form, report: Any) -> HttpResponse:
        columns = [
            {"label": label, "aliases": aliases, "required": name in REQUIRED}
            for name, (label, aliases) in COLUMNS.items()
        ]
        return render(
            request,
            self.template_name,
            {"form": form, "report": report, "columns": columns, "industries": Industry.choices},
        )


class EnterpriseForm(forms.Form):
    """The console's register/change form; the rules live in actions.clean_enterprise."""

    name = forms.CharField(label=_("单位名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    industry = forms.ChoiceField(label=_("行业"), choices=Industry.choices)
    scale = forms.ChoiceField(label=_("规模"), choices=Scale.choices, initial=Scale.SMALL)
    division = forms.CharField(
        label=_("区划代码"),
        max_length=15,
        help_text=_("区县、乡镇、村或网格代码;填写位置时自动归入包含该点的最小区划"),
    )
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    lon = forms.FloatField(label=_("经度"), required=False)
    key_supervision = forms.BooleanField(label=_("重点监管"), required=False)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50, required=False)
    principal = forms.CharField(label=_("主要负责人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    employees = forms.IntegerField(label=_("从业人数"), min_value=0, required=False)
    supervising_departments = forms.CharField(
        label=_("监管部门编码"), required=False, help_text=_("多个用逗号分隔,例如 441802-em,441802-fire")
    )


class EnterpriseEditView(generic.View):
    """Register (no pk) or change an enterprise: city administrators and department staff in their area."""

    template_name = "org/enterprise_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stop = gate(request, "org.view_enterprises")
        if stop is not None:
            return stop
        # Out of scope is a 404 before anyone asks whether the person may edit.
        self.enterprise = (
            get_visible_or_404(Enterprise.objects.select_related("division"), request.user, pk=kwargs["pk"])
            if "pk" in kwargs
            else None
        )
        verb = "org.create_enterprise" if self.enterprise is None else "org.edit_enterprise"
        if not may(request.user, verb, self.enterprise):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict[str, Any]:
        e = self.enterprise
        if e is None:
            return {}
        return {
            "name": e.name,
            "uscc": e.uscc,
            "industry": e.industry,
            "scale": e.scale,
            "division": e.division.code,
            "address": e.address,
            "lat": e.lat,
            "lon": e.lon,
            "key_supervision": e.key_supervision,
            "legal_representative": e.legal_representative,
            "principal": e.principal,
            "contact_phone": e.contact_phone,
            "employees": e.employees,
            "supervising_departments": ",".join(e.supervising_departments.values_list("code", flat=True)),
        }

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {"form": EnterpriseForm(initial=self.initial()), "enterprise": self.enterprise},
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        form = EnterpriseForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["lat"] = "" if data["lat"] is None else data["lat"]
            data["lon"] = "" if data["lon"] is None else data["lon"]
            if data["employees"] is None:
                data.pop("employees")
            try:
                with origin("web", ip=request.META.get("REMOTE_ADDR")):
                    if self.enterprise is None:
                        ent = do_create_enterprise(request.user, data)
                    else:
                        ent = do_update_enterprise(request.user, self.enterprise, data, partial=False)
            except ActionError as exc:
                field = exc.field if exc.field in form.fields else None
                if exc.field == "location":
                    field = "lat"
                form.add_error(field, exc.message)
            else:
                messages.success(request, _("已保存"))
                return redirect("org:enterprise-detail", ent.pk)
        return render(request, self.template_name, {"form": form, "enterprise": self.enterprise}, status=400)


# --- The enterprise workspace --------------------------------------------------------------------
@console_view("org.view_workspace")
def workspace_view(request: HttpRequest) -> HttpResponse:
    """An enterprise user's home: their enterprise's profile, its sites and what each module has for
    it (cases and self-reports, sensors and alarms …, collected through `workspace_panels`)."""
    user = request.user
    enterprise = get_visible_or_404(
        Enterprise.objects.select_related("division__parent").defer(
            "division__geometry", "division__parent__geometry"
        ),
        user,
        pk=user.enterprise_id,
    )
    departments = list(
        enterprise.supervising_departments.select_related("division").defer("division__geometry")
    )
    return render(
        request,
        "org/workspace.html",
        {
            "enterprise": enterprise,
            "departments": departments,
            "panels": workspace.panels(user),
            "chain": enterprise.division.ancestors() + [enterprise.division],
        },
    )
