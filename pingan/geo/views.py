"""Console pages: the division tree browser."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from pingan.core.context import origin
from pingan.core.permissions import console_view
from pingan.core.views import StaffRequiredMixin

from .choices import LEVEL_ORDER, Level
from .importer import import_divisions
from .models import Division


def _layers(division: Division | None) -> list[dict[str, Any]]:
    api = reverse("geo-api:division-geojson")
    if division is None:
        return [
            {
                "url": f"{api}?level={Level.DISTRICT}",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            }
        ]
    layers = [
        {
            "url": f"{api}?code={division.code}",
            "name": division.name,
            "kind": "boundary",
            "weight": 3,
            "fillOpacity": 0,
            "fit": True,
        }
    ]
    if division.level != Level.GRID:
        layers.append(
            {
                "url": f"{api}?parent={division.code}",
                "name": _("下级区划"),
                "kind": "boundary",
                "labels": True,
                "fillOpacity": 0.08,
                "colour": "#1b6ca8",
            }
        )
    return layers


class DivisionIndexView(StaffRequiredMixin, generic.TemplateView):
    """The tree's top: counts by level, the city (cities) and a map of the districts."""

    permission = "geo.view_divisions"
    template_name = "geo/division_index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        counts = dict(Division.objects.values_list("level").annotate(n=Count("id")))
        synthetic = dict(
            Division.objects.filter(is_synthetic=True).values_list("level").annotate(n=Count("id"))
        )
        ctx["levels"] = [
            {
                "value": lvl.value,
                "label": lvl.label,
                "count": counts.get(lvl.value, 0),
                "synthetic": synthetic.get(lvl.value, 0),
            }
            for lvl in LEVEL_ORDER
        ]
        ctx["roots"] = list(Division.objects.filter(parent=None).annotate(n_children=Count("children")))
        ctx["layers"] = _layers(None)
        return ctx


class DivisionLevelView(StaffRequiredMixin, generic.ListView):
    """Every division of one level (paginated), with its parent."""

    permission = "geo.view_divisions"
    template_name = "geo/division_level.html"
    context_object_name = "divisions"
    paginate_by = 100

    def get_queryset(self) -> Any:
        level = self.kwargs["level"]
        if level not in Level.values:
            raise Http404("no such level")
        qs = Division.objects.visible_to(self.request.user).filter(level=level).select_related("parent")
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(name__contains=q) | qs.filter(code__startswith=q)
        return qs.defer("geometry").order_by("code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["level"] = Level(self.kwargs["level"])
        ctx["q"] = self.request.GET.get("q", "")
        return ctx


class DivisionDetailView(StaffRequiredMixin, generic.DetailView):
    """One division: its chain of ancestors, facts, children and a map of the children."""

    permission = "geo.view_divisions"
    template_name = "geo/division_detail.html"
    context_object_name = "division"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_queryset(self) -> Any:
        return Division.objects.visible_to(self.request.user).select_related("parent").defer("geometry")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        d: Division = self.object
        ctx["ancestors"] = d.ancestors()
        ctx["children"] = list(
            d.children.annotate(n_children=Count("children")).defer("geometry").order_by("code")
        )
        ctx["layers"] = _layers(d)
        ctx["children_synthetic"] = any(c.is_synthetic for c in ctx["children"])
        ctx["n_enterprises"] = (
            d.enterprises.model.objects.visible_to(self.request.user)
            .filter(division__path__startswith=d.path)
            .count()
        )
        ctx["n_departments"] = (
            d.departments.model.objects.visible_to(self.request.user).filter(division=d).count()
        )
        return ctx


class DivisionImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON 文件"), help_text=_("FeatureCollection,WGS-84;每个要素需有 code 和 name")
    )
    dry_run = forms.BooleanField(label=_("仅检查,不写入"), required=False)


@console_view("geo.import_divisions")
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload a GeoJSON file of divisions: all or nothing, with a report naming every bad feature."""
    report = None
    form = DivisionImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with origin("web", ip=request.META.get("REMOTE_ADDR")):
                report = import_divisions(
                    upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
                    source=upload.name,
                )
            (messages.success if report.ok else messages.error)(request, report.summary())
            status = 200 if report.ok else 400
        else:
            status = 400
    return render(request, "geo/division_import.html", {"form": form, "report": report}, status=status)
