"""Console pages (read-only: changes go through the API and its actions) and the public verify page."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.apps import apps as django_apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, Forbidden, get_visible_or_404
from pingan.core.choices import colour_of
from pingan.core.permissions import console_view
from pingan.org.choices import Industry

from . import actions, documents, selectors
from .choices import DocumentKind, PenaltyState, PermitState
from .models import Draw, Inspection, Penalty, Plan


@console_view("inspections.use_console")
def inspection_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inspections(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/list.html", {"page": page, "rows": page.object_list})


@console_view("inspections.use_console")
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(selectors.inspection_detail(request.user), request.user, pk=pk)
    checklist = selectors.items(request.user, inspection.target.industry)
    # Offered means allowed: only the kinds this person may issue now are offered.
    issuable = []
    for kind in actions.RECORD_KINDS:
        try:
            actions.check_issue_document(request.user, inspection, kind)
        except ActionError:
            continue
        issuable.append((kind, DocumentKind(kind).label))
    licences = None
    if django_apps.is_installed("pingan.licensing"):
        # The target's licences and their state (安全准入): the inspector checks them on site.
        from pingan.licensing import services as licensing_services

        licences = licensing_services.licences_of(inspection.enterprise_id)
    return render(
        request,
        "inspections/detail.html",
        {"inspection": inspection, "checklist": checklist, "issuable": issuable, "licences": licences},
    )


@console_view("inspections.view")
def document_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A document as PDF or DOCX, rendered from the content frozen when it was issued."""
    doc = get_visible_or_404(selectors.documents(request.user), request.user, pk=pk)
    if fmt == "pdf":
        try:
            body = documents.render_pdf(doc.number, doc.content)
        except documents.FontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        mime = "application/pdf"
    elif fmt == "docx":
        body = documents.render_docx(doc.number, doc.content)
        mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=mime)
    name = f"{doc.content['title']}-{doc.number}.{fmt}"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@console_view("inspections.view_penalties")
def penalty_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or ""
    qs = selectors.penalties(request.user)
    if state in PenaltyState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/penalties.html",
        {"page": page, "rows": page.object_list, "states": PenaltyState.choices, "state": state},
    )


_STAT_COLUMNS = (
    ("key", gettext_lazy("分组")),
    ("planned", gettext_lazy("计划检查")),
    ("done", gettext_lazy("完成检查")),
    ("findings", gettext_lazy("发现问题")),
    ("per_inspection", gettext_lazy("每次检查发现问题")),
    ("major", gettext_lazy("重大事故隐患")),
    ("penalties", gettext_lazy("行政处罚")),
    ("amount", gettext_lazy("罚款金额(元)")),
)
_STAT_GROUPS = (
    ("department", gettext_lazy("按部门")),
    ("district", gettext_lazy("按区县")),
    ("month", gettext_lazy("按月份")),
)


@console_view("inspections.view_penalties")
def statistics(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = selectors.statistics(request.user, year)
    tables = [(title, data[key]) for key, title in _STAT_GROUPS]
    return render(
        request,
        "inspections/stats.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2019, -1)),
            "tables": tables,
            "columns": [label for _k, label in _STAT_COLUMNS],
            "keys": [k for k, _label in _STAT_COLUMNS],
        },
    )


@console_view("inspections.view_penalties")
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The statistics and the penalty register as one Excel workbook (openpyxl, as the other exports)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    year = _year(request)
    data = selectors.statistics(request.user, year)
    wb = Workbook()
    first = True
    for key, title in _STAT_GROUPS:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = str(title)
        ws.append([str(label) for _k, label in _STAT_COLUMNS])
        for row in data[key]:
            ws.append([float(row[k]) if k == "amount" else row[k] for k, _label in _STAT_COLUMNS])
    ws = wb.create_sheet(str(_("行政处罚台账")))
    ws.append(
        [
            str(x)
            for x in (
                _("当事人"),
                _("处罚机关"),
                _("违法事实"),
                _("法律依据"),
                _("罚款金额(元)"),
                _("决定书文号"),
                _("状态"),
                _("缴纳期限"),
                _("缴纳时间"),
            )
        ]
    )
    for p in selectors.penalties(request.user).filter(inspection__plan__year=year):
        ws.append(
            [
                p.enterprise.name,
                p.department.name,
                p.facts,
                p.basis,
                float(p.amount),
                p.decisions[0].number if p.decisions else "",
                str(p.get_state_display()),
                p.pay_by.isoformat() if p.pay_by else "",
                timezone.localtime(p.paid_at).strftime("%Y-%m-%d %H:%M") if p.paid_at else "",
            ]
        )
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="inspections-{year}.xlsx"'
    return response


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
    layers = [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
        },
        {
            "url": reverse("inspections:permits_geojson"),
            "name": _("正在进行的特殊作业"),
            "kind": "points",
            "radius": 7,
            "fit": True,
        },
    ]
    return render(
        request,
        "inspections/permits.html",
        {"rows": selectors.permits(request.user)[:200], "layers": layers},
    )


@console_view("inspections.view_permits")
def permits_geojson(request: HttpRequest) -> JsonResponse:
    """The special work going on now (or at `?at=`, an ISO time) in the person's area, at its
    enterprise's position: inspectors pick what to spot-check on the map."""
    raw = request.GET.get("at")
    when = timezone.now()
    if raw:
        try:
            parsed = parse_datetime(raw[:40])
        except ValueError:
            parsed = None
        if parsed is None:
            return JsonResponse(
                {"errors": [{"field": "at", "code": "invalid", "message": _("时间格式无效")}]}, status=400
            )
        when = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    rows = selectors.permits(request.user).filter(
        valid_from__lte=when,
        valid_until__gte=when,
        enterprise__lat__isnull=False,
        enterprise__lon__isnull=False,
    )[:500]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.enterprise.lon, p.enterprise.lat]},
            "properties": {
                "label": f"{p.enterprise.name} · {p.get_work_type_display()}",
                "popup": f"{p.get_work_type_display()} {p.get_grade_display()} · {p.location} · "
                + str(_("至 %(t)s") % {"t": timezone.localtime(p.valid_until).strftime("%H:%M")}),
                "colour": colour_of(PermitState, p.state),
            },
        }
        for p in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


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
        "document": lambda: actions.do_issue_document(request.user, inspection, request.POST.get("kind", "")),
        "penalty": lambda: actions.do_notify_penalty(
            request.user,
            inspection,
            facts=request.POST.get("facts", ""),
            basis=request.POST.get("basis", ""),
            amount=request.POST.get("amount", ""),
        ),
    }
    if verb not in acts:
        raise Http404
    return _act(request, acts[verb], reverse("inspections:detail", args=[inspection.pk]))


def _date_or_none(raw: str) -> Any:
    try:
        return parse_date(raw[:10])
    except ValueError:  # well formed but not a day (2026-02-30)
        return None


@require_POST
@console_view("inspections.use_console")
def penalty_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    penalty = get_visible_or_404(Penalty.objects.select_related("inspection"), request.user, pk=pk)
    acts = {
        "decide": lambda: actions.do_decide_penalty(request.user, penalty),
        "pay": lambda: actions.do_record_payment(request.user, penalty),
        "hearing-request": lambda: actions.do_request_hearing(request.user, penalty),
        "hearing-schedule": lambda: actions.do_schedule_hearing(
            request.user,
            penalty,
            hearing_on=_date_or_none(request.POST.get("hearing_on", "")),
            place=request.POST.get("place", "")[:200],
        ),
        "hearing-record": lambda: actions.do_record_hearing(
            request.user, penalty, note=request.POST.get("note", "")[:5000]
        ),
    }
    if verb not in acts:
        raise Http404
    return _act(request, acts[verb], reverse("inspections:detail", args=[penalty.inspection_id]))
