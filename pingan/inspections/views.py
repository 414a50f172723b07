"""Console pages (read-only: changes go through the API and its actions) and the public verify page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pingan.core.actions import get_visible_or_404
from pingan.core.permissions import console_view
from pingan.org.choices import Industry

from . import actions, selectors
from .models import Draw


@console_view("inspections.use_console")
def inspection_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inspections(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/list.html", {"page": page, "rows": page.object_list})


@console_view("inspections.use_console")
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(selectors.inspection_detail(request.user), request.user, pk=pk)
    return render(request, "inspections/detail.html", {"inspection": inspection})


@console_view("inspections.use_console")
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/plans.html", {"rows": selectors.plans(request.user)[:200]})


@console_view("inspections.view_registers")
def registers(request: HttpRequest) -> HttpResponse:
    industry = request.GET.get("industry") or ""
    return render(
        request,
        "inspections/registers.html",
        {
            "items": selectors.items(request.user, industry or None),
            "industries": Industry.choices,
            "industry": industry,
            "targets": selectors.targets(request.user)[:200],
            "inspectors": selectors.inspectors(request.user)[:200],
        },
    )


@console_view("inspections.view_permits")
def permit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/permits.html", {"rows": selectors.permits(request.user)[:200]})


def verify_index(request: HttpRequest) -> HttpResponse:
    """Public: the published draws, each with a link to re-run it."""
    return render(request, "inspections/public/verify_index.html", {"rows": selectors.public_draws()[:100]})


def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: re-run one draw from its seed and inputs and say whether it gives the stored result."""
    record: Draw = get_object_or_404(selectors.public_draws(), pk=pk)
    return render(
        request, "inspections/public/verify.html", {"draw": record, "matches": actions.verify(record)}
    )


def results(request: HttpRequest) -> HttpResponse:
    """Public: published inspection results (双随机一公开), without personal data."""
    page = Paginator(selectors.published_results(), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/public/results.html", {"page": page, "rows": page.object_list})
