"""Console pages (read-only: changes go through the API and its actions) and the public verify page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, Forbidden, get_visible_or_404
from pingan.core.permissions import console_view
from pingan.org.choices import Industry

from . import actions, selectors
from .models import Draw, Inspection, Plan


@console_view("inspections.use_console")
def inspection_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inspections(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/list.html", {"page": page, "rows": page.object_list})


@console_view("inspections.use_console")
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(selectors.inspection_detail(request.user), request.user, pk=pk)
    checklist = selectors.items(request.user, inspection.target.industry)
    return render(request, "inspections/detail.html", {"inspection": inspection, "checklist": checklist})


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


# --- Console acts (POST): each asks the same action the API does; the page offers a button only where
# `{% can %}` allows it, and a refused or stale act comes back as a message.
def _act(request: HttpRequest, do: Any, back: str) -> HttpResponse:
    try:
        do()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已完成"))
    return redirect(back)


@require_POST
@console_view("inspections.use_console")
def plan_draw(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(Plan.objects.all(), request.user, pk=pk)
    return _act(request, lambda: actions.do_draw(request.user, plan), reverse("inspections:plans"))


@require_POST
@console_view("inspections.use_console")
def inspection_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    inspection = get_visible_or_404(Inspection.objects.all(), request.user, pk=pk)
    acts = {
        "start": lambda: actions.do_start(
            request.user, inspection, representative=request.POST.get("representative", "")[:50]
        ),
        "finish": lambda: actions.do_finish(request.user, inspection),
        "publish": lambda: actions.do_publish(request.user, inspection),
    }
    if verb not in acts:
        raise Http404
    return _act(request, acts[verb], reverse("inspections:detail", args=[inspection.pk]))
