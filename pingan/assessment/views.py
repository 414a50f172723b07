"""Console pages: responsibility lists (register, drawing up, signing) and the annual assessment
(ranking, weights, manual scores, publication, PDF reports)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core import params
from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.pdf import FontMissing
from pingan.core.permissions import console_view, may

from . import actions, reports, scoring
from .choices import AssessmentState, Source, UnitKind
from .forms import ListForm, WeightsForm, parse_scheme, scheme_text
from .models import Assessment, ResponsibilityList


# --- responsibility lists ------------------------------------------------------------------------
@console_view("assessment.view_lists")
def lists(request: HttpRequest) -> HttpResponse:
    user = request.user
    year = params.year_param(request.GET, "year", default=timezone.localdate().year)
    qs = (
        ResponsibilityList.objects.visible_to(user)
        .filter(year=year)
        .select_related("division", "department", "holder")
        .order_by("division__code", "kind", "post")
    )
    rows = list(qs[:500])
    today = timezone.localdate()
    return render(
        request,
        "assessment/lists.html",
        {
            "year": year,
            "rows": rows,
            "today": today,
            "signed": sum(1 for r in rows if r.signed_at),
            "mine": list(
                ResponsibilityList.objects.filter(holder=user, signed_at=None).order_by("-year")[:20]
            ),
        },
    )


@console_view("assessment.manage_lists")
def list_new(request: HttpRequest) -> HttpResponse:
    form = ListForm(
        request.user,
        request.POST or None,
        initial={"year": timezone.localdate().year, "sign_by": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lst = actions.do_create_list(request.user, dict(form.cleaned_data))
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已制定责任清单,已通知责任人签订"))
            return redirect("assessment:list", lst.pk)
    return render(request, "assessment/form.html", {"form": form, "title": _("制定安全责任清单")})


@console_view("assessment.view_lists")
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lst = get_visible_or_404(
        ResponsibilityList.objects.select_related("division", "department", "holder"), request.user, pk=pk
    )
    form = None
    if may(request.user, "assessment.manage_lists", lst):
        form = ListForm(
            request.user,
            request.POST or None,
            initial={
                "year": lst.year,
                "post": lst.post,
                "kind": lst.kind,
                "division": lst.division,
                "department": lst.department,
                "holder": lst.holder,
                "sign_by": lst.sign_by,
                "items": "\n".join(lst.items),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.do_edit_list(request.user, lst, dict(form.cleaned_data))
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已修改责任清单"))
                return redirect("assessment:list", lst.pk)
    elif request.method == "POST":
        raise Http404
    return render(request, "assessment/list_detail.html", {"lst": lst, "form": form})


@require_POST
@console_view("assessment.sign")
def list_sign(request: HttpRequest, pk: int) -> HttpResponse:
    lst = get_visible_or_404(ResponsibilityList.objects.all(), request.user, pk=pk)
    try:
        actions.do_sign(request.user, lst)
        messages.success(request, _("已签订责任清单"))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:list", lst.pk)


# --- the annual assessment -----------------------------------------------------------------------
def _assessment(year: int) -> Assessment:
    if not params.MIN_YEAR <= year <= params.MAX_YEAR:
        raise Http404
    found = Assessment.objects.filter(year=year).prefetch_related("items").first()
    if found is None:
        raise Http404
    return found


@console_view("assessment.view_assessment")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    years = list(Assessment.objects.values_list("year", flat=True))
    year = params.year_param(request.GET, "year", default=years[0] if years else timezone.localdate().year)
    assessment = Assessment.objects.filter(year=year).prefetch_related("items").first()
    data = scoring.visible_rows(user, scoring.results(assessment)) if assessment else None
    blocks = []
    if data:
        for kind in (UnitKind.DISTRICT, UnitKind.DEPARTMENT):
            block = data["kinds"].get(str(kind))
            if not block:
                continue
            rows = [
                {
                    **u,
                    "cells": [
                        {"value": u["values"].get(i["key"]), "score": u["scores"].get(i["key"])}
                        for i in block["items"]
                    ],
                }
                for u in block["units"]
            ]
            blocks.append({"kind": kind, "label": kind.label, "items": block["items"], "rows": rows})
    manual_items = [i for i in assessment.items.all() if i.source == Source.MANUAL] if assessment else []
    return render(
        request,
        "assessment/home.html",
        {
            "year": year,
            "years": years,
            "assessment": assessment,
            "blocks": blocks,
            "manual_items": manual_items,
            "units": scoring.units()
            if assessment and may(user, "assessment.manage_assessment", assessment)
            else {},
            "this_year": timezone.localdate().year,
            "AssessmentState": AssessmentState,
        },
    )


@require_POST
@console_view("assessment.manage_assessment")
def open_year(request: HttpRequest) -> HttpResponse:
    year = (
        params.year_param(request.POST, "year", default=timezone.localdate().year)
        or timezone.localdate().year
    )
    try:
        actions.do_open(request.user, year)
        messages.success(request, _("已启动 %(year)s 年度考核") % {"year": year})
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse_home()}?year={year}")


def reverse_home() -> str:
    from django.urls import reverse

    return reverse("assessment:home")


@console_view("assessment.manage_assessment")
def weights(request: HttpRequest, year: int) -> HttpResponse:
    assessment = _assessment(year)
    if not may(request.user, "assessment.manage_assessment", assessment):
        raise Http404
    form = WeightsForm(request.POST or None, initial={"scheme": scheme_text(list(assessment.items.all()))})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_set_weights(request.user, assessment, parse_scheme(form.cleaned_data["scheme"]))
        except ActionError as exc:
            form.add_error("scheme", f"{exc.field}: {exc.message}" if exc.field else exc.message)
        else:
            messages.success(request, _("已保存考核项目与权重"))
            return redirect(f"{reverse_home()}?year={year}")
    return render(
        request,
        "assessment/weights.html",
        {"form": form, "assessment": assessment, "kinds": UnitKind.choices, "sources": Source.choices},
    )


@require_POST
@console_view("assessment.manage_assessment")
def score(request: HttpRequest, year: int) -> HttpResponse:
    assessment = _assessment(year)
    try:
        actions.do_score(
            request.user,
            assessment,
            item=request.POST.get("item"),
            unit=request.POST.get("unit", ""),
            score=request.POST.get("score", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已记录评分"))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse_home()}?year={year}")


@require_POST
@console_view("assessment.manage_assessment")
def publish(request: HttpRequest, year: int) -> HttpResponse:
    assessment = _assessment(year)
    try:
        actions.do_publish(request.user, assessment)
        messages.success(request, _("已公布考核结果"))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse_home()}?year={year}")


def _pdf(body_fn: Any, name: str) -> HttpResponse:
    try:
        body = body_fn()
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@console_view("assessment.view_assessment")
def report(request: HttpRequest, year: int) -> HttpResponse:
    """The ranking as PDF: every unit the person may read."""
    assessment = _assessment(year)
    data = scoring.visible_rows(request.user, scoring.results(assessment))
    return _pdf(lambda: reports.ranking_pdf(assessment, data), f"{year}年度安全生产考核.pdf")


@console_view("assessment.view_assessment")
def unit_report(request: HttpRequest, year: int, kind: str, code: str) -> HttpResponse:
    """One unit's report (its items, values, scores, total and rank); another district's → 404."""
    if kind not in UnitKind.values:
        raise Http404
    assessment = _assessment(year)
    unit = scoring.unit_object(kind, code)
    if unit is None or not may(request.user, "assessment.view_result", unit):
        raise Http404
    data = scoring.results(assessment)
    block = data["kinds"].get(kind) or {"items": [], "units": []}
    row = next((u for u in block["units"] if u["code"] == code), None)
    if row is None:
        raise Http404
    return _pdf(
        lambda: reports.unit_pdf(assessment, block, row, len(block["units"])),
        f"{year}年度安全生产考核-{row['name']}.pdf",
    )
