"""Console pages: the list with filters and bulk actions, the map, the intake form (phone-friendly
for grid workers), the case page, the statistics with Excel export and the routing table editor."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_POST

from pingan.core import deadlines
from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.exports import ExportableListMixin
from pingan.core.params import id_list, year_param
from pingan.core.permissions import ConsoleGate, console_view, may
from pingan.geo.choices import Level
from pingan.geo.models import Division
from pingan.org.choices import Sector
from pingan.org.forms import department_label, departments_with_paths
from pingan.org.models import Department, Enterprise

from . import actions, rules, selectors
from .attachments import CONTENT_TYPES
from .choices import (
    OPEN_STATES,
    Grade,
    NoticeKind,
    PhotoKind,
    ReviewState,
    Source,
    State,
    TaskRole,
    TaskState,
)
from .forms import ConsoleReportForm, RoutingRuleForm
from .models import Category, HazardCase, RegulatorReport, RoutingRule, TreatmentPlan
from .photos import content_type_of


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "states": State.choices,
        "grades": Grade.choices,
        "sources": Source.choices,
        "categories": selectors.categories_tree(),
        # Without the boundaries (GeoJSON): parsing ~500 of them cost most of the page's time.
        "districts": list(Division.objects.filter(level=Level.DISTRICT).defer("geometry").order_by("code")),
        # About 480 with many villages of the same name: the searchable picker shows each one's path.
        "departments": [
            (d.pk, department_label(d))
            for d in departments_with_paths(Department.objects.filter(is_active=True)).order_by(
                "division__code", "sector"
            )
        ],
        "f": {k: request.GET.get(k, "") for k in selectors.FILTERS},
        "query": request.GET.urlencode(),
    }


class CaseListView(ExportableListMixin, ConsoleGate, generic.ListView):
    """The case list: staff see their area's cases, enterprise users their own (`visible_to`).
    `?export=xlsx` gives the filtered list as Excel (core.exports)."""

    permission = "hazards.view_list"
    model = HazardCase
    export_name = "hazards"
    export_title = _("隐患清单")
    export_columns = (
        (_("编号"), lambda c: c.number),
        (_("标题"), lambda c: c.title),
        (_("类别"), lambda c: c.category),
        (_("等级"), lambda c: c.get_grade_display()),
        (_("状态"), lambda c: c.get_state_display()),
        (_("区县"), lambda c: c.district),
        (_("区划"), lambda c: c.division),
        (_("地址"), lambda c: c.address),
        (_("牵头部门"), lambda c: c.lead_department),
        (_("来源"), lambda c: c.get_source_display()),
        (_("上报时间"), lambda c: c.created_at),
        (_("期限"), lambda c: c.due_at),
        (_("销号时间"), lambda c: c.closed_at),
    )
    template_name = "hazards/list.html"
    context_object_name = "cases"
    paginate_by = 50

    def get_queryset(self) -> Any:
        now = timezone.now()
        qs = HazardCase.objects.visible_to(self.request.user).for_list()
        return selectors.filter_cases(qs, self.request.GET, now).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        for c in ctx["cases"]:
            c.overdue_now = c.is_overdue(now)
            c.colour = selectors.case_colour(c.state, c.grade)
        ctx.update(_filter_context(self.request))
        ctx["bulk_actions"] = [
            ("register", _("批量立案")),
            ("assign", _("批量派遣(按规则)")),
            ("backlog", _("批量挂账")),
        ]
        ctx["can_bulk"] = may(self.request.user, "hazards.bulk")
        ctx["may_map"] = may(self.request.user, "hazards.view_map")
        return ctx


@require_POST
@console_view("hazards.bulk")
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk register/assign/backlog: each case in its own transaction; a summary of what went through.
    Each case is still asked about by its own transition (a case of another centre is refused)."""
    action = request.POST.get("action", "")
    if action not in ("register", "assign", "backlog"):
        messages.error(request, _("未知的批量操作"))
        return redirect("hazards:list")
    ids = id_list(request.POST.getlist("ids"), "ids", limit=200)  # 400 naming ids past 64 bits or 200
    done, failed = 0, []
    for case in (
        HazardCase.objects.visible_to(request.user).filter(pk__in=ids).select_related("division", "category")
    ):
        try:
            actions.perform(request.user, case, action, {"reason": request.POST.get("reason", "")})
            done += 1
        except ActionError as exc:
            failed.append(f"{case.number}: {exc.message}")
    messages.success(request, _("完成 %(n)d 条") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(reverse("hazards:list") + "?" + request.POST.get("query", ""))


@console_view("hazards.view_map")
def map_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    layers = [
        {
            "url": reverse("geo-api:division-geojson") + "?level=district",
            "name": _("区县"),
            "kind": "boundary",
            "labels": True,
            "fit": True,
        },
    ]
    hazard_url = reverse("hazards-api:hazard-map") + ("?" + query if query else "")
    ctx = _filter_context(request) | {
        "layers": layers,
        "hazard_url": hazard_url,
        "legend": [
            (State.SUBMITTED.label, "blue"),
            (State.ASSIGNED.label, "orange"),
            (State.AWAITING_ACCEPTANCE.label, "yellow"),
            (State.CLOSED.label, "green"),
            (Grade.MAJOR.label, "red"),
            (State.RETURNED.label + " / " + _("挂账"), "red"),
        ],
    }
    return render(request, "hazards/map.html", ctx)


@console_view("hazards.report")
def create(request: HttpRequest) -> HttpResponse:
    """Staff console and grid worker intake (camera photo, browser position, their grid preselected),
    and the enterprise self-report (自查自报)."""
    user = request.user
    own = user.enterprise if user.enterprise_id else None
    self_report = may(user, "hazards.self_report", own)
    from_grid = may(user, "hazards.report_from_grid")
    initial = {"client_token": uuid.uuid4().hex, "source": Source.GRID if from_grid else Source.CONSOLE}
    if user.division_id and user.division.lat is not None:
        initial.update(lat=user.division.lat, lon=user.division.lon)
    if self_report:
        initial.update(
            enterprise=own.pk, lat=own.lat, lon=own.lon, address=own.address, source=Source.ENTERPRISE
        )
    form = ConsoleReportForm(request.POST or None, request.FILES or None, initial=initial)
    if self_report:
        form.fields["source"].choices = [(Source.ENTERPRISE, Source.ENTERPRISE.label)]
    if not may(user, "hazards.choose_grade"):
        del form.fields["grade"]  # the dispatch centre grades what enterprises report
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        enterprise = None
        if self_report:
            enterprise = own
        elif d.get("enterprise"):
            enterprise = Enterprise.objects.visible_to(user).filter(pk=d["enterprise"]).first()
        try:
            case, created = actions.do_submit(
                user,
                source=Source.ENTERPRISE if self_report else d["source"],
                title=d["title"],
                description=d["description"],
                category=d["category"],
                grade=d.get("grade"),
                lat=d["lat"],
                lon=d["lon"],
                address=d["address"],
                division=d.get("division"),
                enterprise=enterprise,
                reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"],
                client_token=d["client_token"],
                photos=d["photos"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if created:
                messages.success(request, _("已上报 %(n)s") % {"n": case.number})
            return redirect("hazards:detail", pk=case.pk)
    return render(
        request,
        "hazards/create.html",
        {"form": form, "pick_layers": [], "grid": user.division if from_grid else None},
    )


def _case_or_404(request: HttpRequest, pk: int) -> HazardCase:
    """The case if the person can see it (out of scope → 404); the views' gate asked about the role."""
    qs = HazardCase.objects.select_related(
        "category", "division", "district", "lead_department", "enterprise", "site", "reporter", "merged_into"
    )
    return get_visible_or_404(qs, request.user, pk=pk)


@console_view("hazards.use_console")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = request.user
    now = timezone.now()
    tasks = list(case.tasks.select_related("department"))
    comments = list(case.comments.select_related("author", "department"))
    internal = may(user, "hazards.view_internal", case)
    if not internal:
        comments = [c for c in comments if c.is_public]
    available = actions.available_actions(user, case)
    suggestion = None
    if {"assign", "reassign"} & set(available):
        lead, co, why = actions.route_case(case)
        suggestion = {"lead": lead, "co": co, "why": why}
    dups = []
    if case.state in (State.SUBMITTED, State.REGISTERED, State.RETURNED) and may(
        user, "hazards.find_duplicates", case
    ):
        dups = actions.find_duplicates(category=case.category, lat=case.lat, lon=case.lon, exclude=case.pk)
    case_deadlines = list(deadlines.for_object(case).select_related("department").order_by("-starts_at")[:10])
    for d in case_deadlines:
        d.overdue_now = d.is_open and d.due_at < now
    my_task = next((t for t in tasks if user.department_id and t.department_id == user.department_id), None)
    evidence = _evidence(user, case)
    plan = TreatmentPlan.objects.filter(case=case).first()
    report = RegulatorReport.objects.filter(case=case).select_related("authority").first()
    ctx = {
        "case": case,
        "tasks": tasks,
        "comments": comments,
        "photos": list(case.photos.all()),
        "available": [(a, actions.ACTION_LABELS[a]) for a in available],
        "suggestion": suggestion,
        "duplicates": dups,
        "deadlines": case_deadlines,
        "overdue": case.is_overdue(now),
        "my_task": my_task,
        "plan": plan,
        "report": report,
        "plan_fields": rules.PLAN_FIELDS,
        "resume_apps": list(case.resume_applications.all()),
        # Each form is offered only when the action would accept it: the state allows it AND
        # permissions.py says this person may (the same functions the actions ask).
        "can_plan": case.grade == Grade.MAJOR
        and (plan is None or plan.state != ReviewState.APPROVED)
        and may(user, "hazards.plan", case),
        "can_list": case.grade == Grade.MAJOR
        and not case.listed
        and may(user, "hazards.list_supervision", case),
        "can_apply_resume": case.listed
        and case.state in (State.RECTIFYING, State.AWAITING_ACCEPTANCE)
        and may(user, "hazards.apply_resume", case)
        and not case.resume_applications.filter(state=ReviewState.PENDING).exists(),
        "can_review_resume": case.resume_applications.filter(state=ReviewState.PENDING).exists()
        and may(user, "hazards.review_resume", case),
        "can_comment": may(user, "hazards.comment", case),
        "can_comment_public": may(user, "hazards.comment_public", case),
        "may_internal": internal,
        # The audit trail names officers and carries internal notes: others see the public steps.
        "public_steps": [] if internal else selectors.public_timeline(case),
        "departments": list(
            Department.objects.filter(is_active=True)
            .select_related("division")
            .order_by("division__code", "sector")
        ),
        "grades": Grade.choices,
        "categories": selectors.categories_tree(),
        "State": State,
        "Grade": Grade,
        "ReviewState": ReviewState,
        "open_states": OPEN_STATES,
        "task_roles": TaskRole,
        "TaskState": TaskState,
        "needs_reason": [
            "decline",
            "return",
            "reject",
            "backlog",
            "reassign",
            "reopen",
            "close_on_spot",
            "submit_rectification",
        ],
        "task_open": case.state in (State.ASSIGNED, State.RECTIFYING),
        "regulators": list(
            Department.objects.filter(sector=Sector.EMERGENCY, is_active=True).select_related("division")
        ),
        "map_layers": [
            {
                "url": reverse("hazards-api:hazard-map") + f"?q={case.pk}",
                "name": _("隐患"),
                "kind": "points",
                "fit": False,
            }
        ],
    }
    ctx.update(evidence)
    ctx["waiting"] = (
        [t for t in tasks if t.role == TaskRole.CO and t.state in (TaskState.PENDING, TaskState.WORKING)]
        if case.state == State.RECTIFYING and may(user, "hazards.submit_rectification", case)
        else []
    )
    ctx["can_finish_cotask"] = ctx["task_open"] and may(user, "hazards.finish_cotask", case)
    return render(request, "hazards/detail.html", ctx)


def _evidence(user: Any, case: HazardCase) -> dict[str, Any]:
    """The rectification record with its photos before and after (shown side by side for acceptance),
    the attachments and the notices — each only to those who may see it, each form only to those who
    may use it."""
    photos = list(case.photos.all())
    out: dict[str, Any] = {
        "rectification": case.rectifications.select_related("department").first(),
        "before_photos": [p for p in photos if p.kind in (PhotoKind.BEFORE, PhotoKind.REPORT)],
        "after_photos": [p for p in photos if p.kind in (PhotoKind.AFTER, PhotoKind.RECTIFICATION)],
        "can_view_attachments": may(user, "hazards.view_attachments", case),
        "can_upload_attachment": may(user, "hazards.upload_attachment", case),
        "can_view_notices": may(user, "hazards.view_notices", case),
        "attachment_accept": ".pdf,.doc,.docx,application/pdf,application/msword,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    out["attachments"] = (
        list(case.attachments.select_related("uploaded_by")) if out["can_view_attachments"] else []
    )
    out["notices"] = list(case.notices.select_related("department")) if out["can_view_notices"] else []
    out["issuable_notices"] = [
        (kind, label)
        for kind, label in NoticeKind.choices
        if actions.notice_refusal(case, kind) is None and may(user, actions.NOTICE_PERMISSIONS[kind], case)
    ]
    return out


def _back(case: HazardCase) -> HttpResponse:
    return redirect("hazards:detail", pk=case.pk)


@console_view("hazards.use_console")
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    data: dict[str, Any] = {k: v for k, v in request.POST.items()}
    data["before_photos"] = request.FILES.getlist("before_photos")
    data["after_photos"] = request.FILES.getlist("after_photos")
    data["co_departments"] = (
        request.POST.getlist("co_departments")
        if "co_departments" in request.POST or request.POST.get("co_given")
        else None
    )
    try:
        case = actions.perform(request.user, case, action, data)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已完成: %(a)s") % {"a": actions.ACTION_LABELS.get(action, action)})
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    data = {k: request.POST.get(k, "") for k, _label in rules.PLAN_FIELDS}
    try:
        data["deadline"] = (
            dt.date.fromisoformat(request.POST.get("deadline", "")) if request.POST.get("deadline") else None
        )
        actions.do_save_plan(request.user, case, data)
    except ValueError:
        messages.error(request, _("治理完成时限的日期格式不正确"))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("治理方案已保存"))
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        actions.do_comment(
            request.user,
            case,
            body=request.POST.get("body", ""),
            is_public=request.POST.get("is_public") == "on",
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def task(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        actions.do_update_task(
            request.user, case, state=request.POST.get("state", ""), note=request.POST.get("note", "")
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("任务已更新"))
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def finish_cotask(request: HttpRequest, pk: int) -> HttpResponse:
    """完成协办: the co-handler's staff report their part done, with a note."""
    case = _case_or_404(request, pk)
    try:
        actions.do_finish_cotask(request.user, case, note=request.POST.get("note", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("协办任务已完成"))
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def attachments(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        att = actions.do_add_attachment(request.user, case, file=request.FILES.get("file"))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件已上传: %(n)s") % {"n": att.name})
    return _back(case)


@console_view("hazards.use_console")
def attachment(request: HttpRequest, pk: int, public_id: uuid.UUID) -> FileResponse:
    """Download an attachment: the case must be visible and the person may see its documents (404
    otherwise, like a missing one)."""
    case = _case_or_404(request, pk)
    att = case.attachments.filter(public_id=public_id).first()
    if att is None or not may(request.user, "hazards.view_attachments", case):
        raise Http404
    resp = FileResponse(
        att.file.open("rb"),
        content_type=CONTENT_TYPES.get(att.format, "application/octet-stream"),
        as_attachment=True,
        filename=att.name,
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@console_view("hazards.use_console")
@require_POST
def issue_notice(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        notice = actions.do_issue_notice(request.user, case, kind=request.POST.get("kind", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已发出 %(n)s") % {"n": notice.number})
    return _back(case)


@console_view("hazards.use_console")
def notice_pdf(request: HttpRequest, pk: int, notice_id: int) -> HttpResponse:
    """An issued notice as PDF, rendered from its frozen content."""
    from pingan.core.pdf import FontMissing

    from .notices import render

    case = _case_or_404(request, pk)
    notice = case.notices.filter(pk=notice_id).first()
    if notice is None or not may(request.user, "hazards.view_notices", case):
        raise Http404
    try:
        body = render(notice)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return resp


@console_view("hazards.use_console")
@require_POST
def supervision(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        actions.do_list_supervision(request.user, case, authority=request.POST.get("authority", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    return _back(case)


@console_view("hazards.use_console")
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    try:
        if request.POST.get("review"):
            actions.do_review_resume(
                request.user,
                case,
                approve=request.POST.get("review") == "approve",
                note=request.POST.get("note", ""),
            )
        else:
            actions.do_apply_resume(request.user, case, content=request.POST.get("content", ""))
    except ActionError as exc:
        messages.error(request, exc.message)
    return _back(case)


@console_view("hazards.use_console")
def photo(request: HttpRequest, pk: int, photo_id: int) -> FileResponse:
    """The original photo, for people who can see the case (the public gets the stripped copy)."""
    case = _case_or_404(request, pk)
    p = case.photos.filter(pk=photo_id).first()
    internal = may(request.user, "hazards.view_internal", case)
    if p is None or not (internal or p.is_public_kind):  # acceptance evidence is the staff's
        raise Http404
    field = p.original if internal else p.public_copy
    resp = FileResponse(field.open("rb"), content_type=content_type_of(p.format))
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- Statistics ------------------------------------------------------------------------------
STATS_TTL = 60  # seconds: statistics of months and quarters may be a minute old


def _stats_data(request: HttpRequest) -> dict[str, Any]:
    """The statistics of what this person sees, cached a minute per person, filters and language
    (the aggregates over every case are the page's cost; a minute-old figure is correct enough for
    period statistics, and the key holds everything that decides the answer)."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    digest = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    key = f"hazards:stats:{request.user.pk}:{get_language()}:{digest}"
    data = cache.get(key)
    if data is None:
        data = _compute_stats(request)
        cache.set(key, data, STATS_TTL)
    return data


def _compute_stats(request: HttpRequest) -> dict[str, Any]:
    now = timezone.now()
    qs = selectors.filter_cases(HazardCase.objects.visible_to(request.user), request.GET, now)
    year = year_param(request.GET, "year") or timezone.localtime(now).year
    by = {key: selectors.stats_rows(qs, key, now) for key in ("district", "department", "category", "month")}
    tables = selectors.period_tables(qs, year)
    return {"by": by, "tables": tables, "year": year, "now": now}


@console_view("hazards.view_stats")
def stats(request: HttpRequest) -> HttpResponse:
    data = _stats_data(request)
    months = data["by"]["month"][-24:]
    month_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("发现"), _("销号"), _("超期")]},
        "xAxis": {"type": "category", "data": [str(r["key"]) for r in months]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("发现"), "type": "bar", "data": [r["found"] for r in months]},
            {"name": _("销号"), "type": "bar", "data": [r["closed"] for r in months]},
            {"name": _("超期"), "type": "line", "data": [r["overdue"] for r in months]},
        ],
    }
    districts = data["by"]["district"]
    district_chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("发现"), _("销号率 %")]},
        "xAxis": {
            "type": "category",
            "data": [str(r["key"]) for r in districts],
            "axisLabel": {"rotate": 30},
        },
        "yAxis": [{"type": "value"}, {"type": "value", "max": 100}],
        "series": [
            {"name": _("发现"), "type": "bar", "data": [r["found"] for r in districts]},
            {
                "name": _("销号率 %"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [r["closure_rate"] for r in districts],
            },
        ],
    }
    cats = data["by"]["category"]
    category_chart = {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [{"name": str(r["key"]), "value": r["found"]} for r in cats],
            }
        ],
    }
    ctx = (
        _filter_context(request)
        | data
        | {
            "month_chart": month_chart,
            "district_chart": district_chart,
            "category_chart": category_chart,
            "years": list(range(timezone.localtime().year, 2019, -1)),
        }
    )
    return render(request, "hazards/stats.html", ctx)


@console_view("hazards.view_stats")
def stats_export(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = _stats_data(request)
    wb = Workbook()
    headers = [
        _("分组"),
        _("发现"),
        _("销号"),
        _("未办结"),
        _("超期"),
        _("重大"),
        _("销号率 %"),
        _("销号中位天数"),
    ]
    first = True
    for key, title in (
        ("district", _("按区县")),
        ("department", _("按部门")),
        ("category", _("按类别")),
        ("month", _("按月份")),
    ):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in data["by"][key]:
            ws.append(
                [
                    str(r["key"]),
                    r["found"],
                    r["closed"],
                    r["open"],
                    r["overdue"],
                    r["major"],
                    r["closure_rate"],
                    r["median_days"],
                ]
            )
    ws = wb.create_sheet(_("季度和年度统计表"))
    ws.append(
        [
            _("期间"),
            _("起"),
            _("止"),
            _("报送期限"),
            _("发现"),
            _("一般"),
            _("重大"),
            _("销号"),
            _("重大销号"),
            _("期末未销号"),
            _("销号率 %"),
        ]
    )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for t in data["tables"]:
        ws.append(
            [
                str(t["label"]),
                t["start"],
                t["end"],
                t["due"],
                t["found"],
                t["general"],
                t["major"],
                t["closed"],
                t["major_closed"],
                t["open_at_end"],
                t["rate"],
            ]
        )
    ws.append([])
    ws.append([_("报送期限依据: %(s)s;含当日") % {"s": rules.STATISTICS_RULE["source"]}])
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="hazard-stats-{data["year"]}.xlsx"'
    return resp


# --- Routing table ---------------------------------------------------------------------------
@console_view("hazards.view_routes")
def routes(request: HttpRequest) -> HttpResponse:
    """City administrators edit the routing table here (every change is audited); other offices read it."""
    editable = may(request.user, "hazards.edit_routes")
    edit_id = request.GET.get("edit") or request.POST.get("id")
    instance = RoutingRule.objects.filter(pk=edit_id).first() if edit_id and str(edit_id).isdigit() else None
    form = RoutingRuleForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if request.POST.get("delete") and instance is not None:
            actions.do_delete_route(request.user, instance)
            messages.success(request, _("已删除"))
            return redirect("hazards:routes")
        if form.is_valid():
            actions.do_save_route(request.user, form.save(commit=False))
            messages.success(request, _("派遣规则已保存"))
            return redirect("hazards:routes")
    rows = list(RoutingRule.objects.select_related("category", "category__parent"))
    sectors = dict(Sector.choices)
    for r in rows:
        r.lead_label = sectors.get(r.lead_sector, r.lead_sector)
        r.co_labels = "、".join(str(sectors.get(s, s)) for s in r.co_sectors or [])
    return render(
        request,
        "hazards/routes.html",
        {
            "rows": rows,
            "form": form,
            "editable": editable,
            "instance": instance,
            "categories": Category.objects.all(),
        },
    )
