"""Console pages: the duty console, incidents (intake, detail, timeline), report documents (print,
DOCX), the grade calculator, the roster (posts, shifts, swaps, handovers, iCal) and 三防."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, Forbidden, get_visible_or_404
from pingan.core.exports import ExportableListMixin
from pingan.core.permissions import console_view, may
from pingan.core.views import ScopedListView

from . import actions, rules, selectors
from .bodies import find_body_of_user
from .choices import ChainLevel, Grade, IncidentState, ReportState, ResponseLevel, ShiftRole
from .forms import (
    CalculatorForm,
    CloseForm,
    FindingForm,
    GradeForm,
    HandoverForm,
    IncidentFilterForm,
    IncidentForm,
    ResponseForm,
    SanfangForm,
    SendForm,
    SupplementForm,
    SwapForm,
)
from .models import (
    DutyPost,
    Incident,
    Report,
    ReportingBody,
    RotationTemplate,
    SanfangReport,
    SanfangResponse,
    Shift,
    ShiftSwap,
)


def _refused(err: ActionError) -> None:
    """A refusal from an action is the console's 403 page, like the gate's (never a flash message)."""
    if isinstance(err, Forbidden):
        raise PermissionDenied(str(err.message)) from err


def _form_error(form: Any, err: ActionError) -> None:
    _refused(err)
    field = err.field if err.field in form.fields else None
    form.add_error(field, str(err.message))


def _flash_error(request: HttpRequest, err: ActionError) -> None:
    _refused(err)
    messages.error(request, str(err.message))


# --- console ----------------------------------------------------------------------------------


@console_view("emergency.view_desk")
def console(request: HttpRequest) -> HttpResponse:
    ctx = selectors.console(request.user)
    return render(request, "emergency/console.html", ctx)


# --- incidents --------------------------------------------------------------------------------


class IncidentListView(ExportableListMixin, ScopedListView):
    """Incidents by state, grade, type, district, date and text; `?export=xlsx` is the accident register
    (事故台账) of the period chosen."""

    permission = "emergency.view_incidents"
    model = Incident
    template_name = "emergency/incident_list.html"
    context_object_name = "incidents"
    export_name = "incidents"
    export_title = _("事故台账")
    export_columns = (
        (_("编号"), lambda i: i.number),
        (_("标题"), lambda i: i.title),
        (_("类别"), lambda i: i.get_category_display()),
        (_("子类"), lambda i: i.get_subtype_display()),
        (_("等级"), lambda i: i.get_grade_display() if i.grade else ""),
        (_("事发区划"), lambda i: i.division),
        (_("事发单位"), lambda i: i.unit_name),
        (_("地点"), lambda i: i.place),
        (_("发生时间"), lambda i: i.occurred_at),
        (_("接报时间"), lambda i: i.received_at),
        (_("死亡人数"), lambda i: i.deaths),
        (_("重伤人数"), lambda i: i.serious_injuries),
        (_("轻伤人数"), lambda i: i.minor_injuries),
        (_("失踪人数"), lambda i: i.missing),
        (_("直接经济损失(元)"), lambda i: float(i.direct_loss) if i.direct_loss is not None else None),
        (_("迟报"), lambda i: i.n_late),
        (_("状态"), lambda i: i.get_state_display()),
    )

    def filter_form(self) -> IncidentFilterForm:
        if not hasattr(self, "_filter_form"):
            self._filter_form = IncidentFilterForm(self.request.GET or None)
            self._filter_form.is_valid()
        return self._filter_form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["filter_form"] = self.filter_form()
        ctx["layers"] = [
            {
                "url": reverse("geo-api:division-geojson") + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            },
            {"url": reverse("emergency:incidents_geojson"), "name": _("处置中的事件"), "kind": "points"},
        ]
        return ctx

    def get_queryset(self) -> Any:
        qs = selectors.incidents_for(self.request.user)
        form = self.filter_form()
        f = getattr(form, "cleaned_data", {})  # only the fields that validated
        for name in ("state", "grade", "category"):
            if f.get(name):
                qs = qs.filter(**{name: f[name]})
        if f.get("district"):
            qs = qs.filter(division__path__startswith=f["district"].path)
        if f.get("since"):
            qs = qs.filter(occurred_at__date__gte=f["since"])
        if f.get("until"):
            qs = qs.filter(occurred_at__date__lte=f["until"])
        if f.get("q"):
            q = f["q"]
            qs = qs.filter(
                Q(number__icontains=q)
                | Q(title__icontains=q)
                | Q(unit_name__icontains=q)
                | Q(place__icontains=q)
            )
        return qs.order_by("-occurred_at", "-id")


@console_view("emergency.view_incidents")
def incidents_geojson(request: HttpRequest) -> HttpResponse:
    """Open incidents visible to the user as GeoJSON points for `{% map_component %}` (colour = grade);
    `?id=` one incident, open or closed (its own page's map)."""
    from django.http import JsonResponse

    from pingan.core.params import id_param

    one = id_param(request.GET, "id")
    qs = Incident.objects.visible_to(request.user)
    qs = qs.filter(pk=one) if one is not None else qs.filter(state=IncidentState.OPEN)
    qs = (
        qs.exclude(lat=None)
        .exclude(lon=None)
        .only("pk", "number", "title", "grade", "lat", "lon", "deaths", "serious_injuries")
        .order_by("-occurred_at")[:500]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [i.lon, i.lat]},
            "properties": {
                "colour": i.grade_colour,
                "label": i.title,
                "popup": f"{i.number} {i.get_grade_display()}",
                "url": reverse("emergency:incident", args=[i.pk]),
            },
        }
        for i in qs
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@console_view("emergency.record_incident")
def incident_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for key in ("deaths", "serious_injuries", "minor_injuries", "missing", "trapped", "direct_loss"):
            data[key] = request.POST.get(key, "") or "0"
        try:
            incident = actions.do_record_incident(request.user, data)
        except ActionError as err:
            _form_error(form, err)
        else:
            messages.success(
                request,
                _("已登记 %(no)s,等级:%(grade)s")
                % {"no": incident.number, "grade": incident.get_grade_display() or _("未定级")},
            )
            return redirect("emergency:incident", pk=incident.pk)
    grades = dict(Grade.choices)
    table = [{**row, "label": grades.get(row["grade"], row["grade"])} for row in rules.grade_table()]
    return render(
        request,
        "emergency/incident_form.html",
        {"form": form, "thresholds": rules.GRADE_RULES[-1], "grade_table": table},
    )


@console_view("emergency.view_incidents")
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_visible_or_404(
        Incident.objects.select_related("division", "owner_body", "received_by"), request.user, pk=pk
    )
    reports = list(
        incident.reports.select_related("sender", "receiver", "sent_by", "acknowledged_by").order_by("id")
    )
    now = timezone.now()
    mine = find_body_of_user(request.user)  # a read: never creates the body
    for r in reports:
        r.overdue = r.state == ReportState.DUE and r.due_at < now
        external = r.sender is not None and r.sender.department_id is None
        # Offered means allowed: the same predicates the actions ask.
        r.can_acknowledge = (
            r.state == ReportState.SENT
            and r.acknowledged_at is None
            and may(request.user, "emergency.acknowledge_report", r)
        )
        r.can_send = (
            r.state == ReportState.DUE
            and r.sender is not None
            and incident.state == IncidentState.OPEN
            and may(request.user, "emergency.record_external" if external else "emergency.send_report", r)
        )
    return render(
        request,
        "emergency/incident_detail.html",
        {
            "incident": incident,
            "reports": reports,
            "mine": mine,
            # Its own point, the map opened on it (no point: no map).
            "map_layers": [
                {
                    "url": reverse("emergency:incidents_geojson") + f"?id={incident.pk}",
                    "name": _("事件"),
                    "kind": "points",
                    "fit": False,
                }
            ],
            "grade_changes": list(incident.grade_changes.select_related("by").order_by("at")),
            "supplements": list(incident.supplements.select_related("by")),
            "findings": list(incident.findings.select_related("by")),
            "timeline": selectors.incident_timeline(incident),
            "supplement_form": SupplementForm(),
            "response_form": ResponseForm(),
            "grade_form": GradeForm(),
            "finding_form": FindingForm(),
            "close_form": CloseForm(),
            "send_form": SendForm(),
            "window_last_day": rules.supplement_window_last_day(
                timezone.localtime(incident.occurred_at).date(),
                incident.accident_kind,
                accident_day_is_day_one=getattr(settings, "EMERGENCY_ACCIDENT_DAY_IS_DAY_ONE", None),
            ),
            "higher_bodies": ReportingBody.objects.visible_to(request.user).filter(
                level__in=[ChainLevel.PROVINCE, ChainLevel.MINISTRY]
            ),
            "dispatch_url": _dispatch_url(request.user, incident),
            "plans_url": _plans_url(request.user, incident),
        },
    )


def _dispatch_url(user: Any, incident: Incident) -> str:
    """The rescue module's recommendation for this incident, for those who may see it (QA: reached only
    by typing ?incident= into an address). By URL name: emergency does not import rescue."""
    if not apps.is_installed("pingan.rescue") or not may(user, "rescue.view_dispatch"):
        return ""
    return f"{reverse('rescue:dispatch')}?incident={incident.pk}"


def _plans_url(user: Any, incident: Incident) -> str:
    """The emergency-plans module's matching plans for this incident, for those who may see them.
    By URL name and permission name: emergency does not import plans."""
    if not apps.is_installed("pingan.plans") or not may(user, "plans.view_matches", incident):
        return ""
    return f"{reverse('plans:match')}?incident={incident.pk}"


def _incident_post(request: HttpRequest, pk: int) -> Incident:
    return get_visible_or_404(Incident.objects.all(), request.user, pk=pk)


@require_POST
@console_view("emergency.supplement")
def incident_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_post(request, pk)
    form = SupplementForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in request.POST.items() if k in form.fields and v not in ("", None)}
        try:
            s = actions.do_supplement(request.user, incident, data)
            messages.success(
                request, _("续报已记录") if s.in_window else _("已记录,但超出补报期限,未重新定级")
            )
        except ActionError as err:
            _flash_error(request, err)
    return redirect("emergency:incident", pk=pk)


@require_POST
@console_view("emergency.decide_response")
def incident_response(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_post(request, pk)
    try:
        actions.do_response(
            request.user,
            incident,
            step=request.POST.get("step", ""),
            level=request.POST.get("level", ""),
            note=request.POST.get("note", ""),
        )
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=pk)


@require_POST
@console_view("emergency.set_grade")
def incident_grade(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_post(request, pk)
    try:
        actions.do_set_grade(
            request.user, incident, request.POST.get("grade", ""), note=request.POST.get("note", "")
        )
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=pk)


@require_POST
@console_view("emergency.record_finding")
def incident_finding(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_post(request, pk)
    try:
        actions.do_record_finding(
            request.user, incident, kind=request.POST.get("kind", ""), note=request.POST.get("note", "")
        )
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=pk)


@require_POST
@console_view("emergency.close_incident")
def incident_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident_post(request, pk)
    try:
        actions.do_close_incident(request.user, incident, summary=request.POST.get("summary", ""))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=pk)


# --- reports ------------------------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> Report:
    return get_visible_or_404(
        Report.objects.select_related("incident", "incident__division", "sender", "receiver", "sent_by"),
        request.user,
        pk=pk,
    )


def _report_doc(report: Report) -> dict[str, Any]:
    content = report.content or actions.report_content(report.incident)
    items = [(label, content.get(key, "")) for key, label in rules.REPORT_CONTENTS]
    return {"report": report, "incident": report.incident, "content": content, "items": items}


@console_view("emergency.view_incidents")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a printable document (browser print → paper or PDF)."""
    return render(request, "emergency/report_print.html", _report_doc(_report(request, pk)))


@console_view("emergency.view_incidents")
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from docx import Document
    from docx.shared import Pt

    doc_data = _report_doc(_report(request, pk))
    report, incident = doc_data["report"], doc_data["incident"]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    doc.add_heading(_("生产安全事故(突发事件)信息报告"), level=1)
    doc.add_paragraph(f"{incident.number} · {report.get_kind_display()} · {incident.get_grade_display()}")
    doc.add_paragraph(
        _("报送单位:%(s)s    接收单位:%(r)s")
        % {
            "s": report.sender.name if report.sender else report.get_sender_level_display(),
            "r": report.receiver.name,
        }
    )
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in doc_data["items"]:
        row = table.add_row().cells
        row[0].text, row[1].text = str(label), str(value or "")
    doc.add_paragraph("")
    sent = timezone.localtime(report.sent_at).strftime("%Y-%m-%d %H:%M") if report.sent_at else _("未报送")
    doc.add_paragraph(
        _("报送期限:%(due)s    报送时间:%(sent)s    报送人:%(by)s    接收人:%(to)s")
        % {
            "due": timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M"),
            "sent": sent,
            "by": str(report.sent_by or ""),
            "to": report.received_by_name,
        }
    )
    if report.is_late:
        doc.add_paragraph(_("迟报"))
    buf = io.BytesIO()
    doc.save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    resp["Content-Disposition"] = f'attachment; filename="report-{incident.number}-{report.pk}.docx"'
    return resp


@require_POST
@console_view("emergency.send_report")
def report_send(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    receiver = None
    if request.POST.get("receiver"):
        receiver = ReportingBody.objects.visible_to(request.user).filter(pk=request.POST["receiver"]).first()
    try:
        if report.sender is not None and report.sender.department_id is None:
            actions.do_record_external_send(request.user, report, note=request.POST.get("channel", ""))
        else:
            sent = actions.do_send_report(
                request.user,
                report,
                channel=request.POST.get("channel", ""),
                received_by_name=request.POST.get("received_by_name", ""),
                receiver=receiver,
            )
            if sent.is_late:
                messages.warning(request, _("已报送(迟报)"))
            else:
                messages.success(request, _("已报送"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=report.incident_id)


@require_POST
@console_view("emergency.acknowledge_report")
def report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        actions.do_acknowledge_report(request.user, report)
        messages.success(request, _("已签收"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:incident", pk=report.incident_id)


# --- calculator ----------------------------------------------------------------------------------


@console_view("emergency.use_calculator")
def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = rules.accident_grade(
            form.cleaned_data["deaths"],
            form.cleaned_data["serious_injuries"],
            form.cleaned_data["direct_loss"],
        )
        result = {
            "grade": result.grade,
            "label": Grade(result.grade).label,
            "basis": result.basis,
            "end": ChainLevel(rules.chain_end(result.grade)).label,
            "hops": [(ChainLevel(a).label, ChainLevel(b).label) for a, b in rules.chain_hops(result.grade)],
        }
    return render(
        request,
        "emergency/calculator.html",
        {"form": form, "result": result, "rule": rules.GRADE_RULES[-1], "grade_cls": Grade},
    )


# --- roster ---------------------------------------------------------------------------------------


class PostListView(ScopedListView):
    permission = "emergency.view_roster"
    model = DutyPost
    template_name = "emergency/post_list.html"
    context_object_name = "posts"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("department", "division")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        posts = ctx["posts"]
        shifts = Shift.objects.visible_to(self.request.user).filter(
            post__in=posts, starts_at__lte=now, ends_at__gt=now
        )
        current = {s.post_id: s for s in shifts.select_related("leader").prefetch_related("officers")}
        for p in posts:
            p.current = current.get(p.pk)
        return ctx


@console_view("emergency.view_roster")
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(DutyPost.objects.select_related("department", "division"), request.user, pk=pk)
    now = timezone.now()
    return render(
        request,
        "emergency/roster.html",
        {
            "post": post,
            "now": now,
            **selectors.roster_page(post, request.user, now),
            "handover_form": HandoverForm(),
            "swap_form": SwapForm(),
        },
    )


@console_view("emergency.view_roster")
def roster_month(request: HttpRequest, pk: int) -> HttpResponse:
    """A month of one post's shifts as a calendar that prints on one A4 page (landscape)."""
    import calendar

    post = get_visible_or_404(DutyPost.objects.select_related("department", "division"), request.user, pk=pk)
    today = timezone.localdate()
    year, month = today.year, today.month
    raw = request.GET.get("month", "")
    try:
        if raw:
            year, month = (int(part) for part in raw.split("-", 1))
            dt.date(year, month, 1)  # refuses month 13, year 0 and 99999
    except ValueError:
        messages.error(request, _("月份格式应为 YYYY-MM"))
        year, month = today.year, today.month
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    shifts = (
        post.shifts.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("leader")
        .prefetch_related("officers")
        .order_by("starts_at")
    )
    by_day: dict[dt.date, list[Any]] = {}
    for shift in shifts:
        by_day.setdefault(timezone.localtime(shift.starts_at, tz).date(), []).append(shift)
    weeks = [
        [(day, by_day.get(day, []), day.month == month) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "emergency/roster_month.html",
        {
            "post": post,
            "first": first,
            "weeks": weeks,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
        },
    )


@require_POST
@console_view("emergency.manage_roster")
def rotation_generate(request: HttpRequest, pk: int) -> HttpResponse:
    rotation = get_visible_or_404(RotationTemplate.objects.select_related("post"), request.user, pk=pk)
    try:
        made = actions.do_generate_shifts(request.user, rotation, days=int(request.POST.get("days") or 14))
        messages.success(request, _("已生成 %(n)d 个班次") % {"n": len(made)})
    except ActionError as err:
        _flash_error(request, err)
    except ValueError:
        messages.error(request, _("生成天数必须是整数"))
    return redirect("emergency:roster", pk=rotation.post_id)


@require_POST
@console_view("emergency.request_swap")
def swap_request(request: HttpRequest, pk: int) -> HttpResponse:
    shift = get_visible_or_404(Shift.objects.select_related("post"), request.user, pk=pk)
    users = get_user_model().objects.visible_to(request.user)  # only people the actor may see
    try:
        from_user = users.filter(pk=request.POST.get("from_user") or 0).first()
        to_user = users.filter(pk=request.POST.get("to_user") or 0).first()
        actions.do_request_swap(
            request.user,
            shift,
            role=request.POST.get("role", ShiftRole.OFFICER),
            from_user=from_user,
            to_user=to_user,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("换班申请已提交"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:roster", pk=shift.post_id)


@require_POST
@console_view("emergency.decide_swap")
def swap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    swap = get_visible_or_404(ShiftSwap.objects.select_related("shift"), request.user, pk=pk)
    try:
        actions.do_decide_swap(request.user, swap, approve=request.POST.get("approve") == "1")
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:roster", pk=swap.shift.post_id)


@require_POST
@console_view("emergency.record_handover")
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_visible_or_404(DutyPost.objects.all(), request.user, pk=pk)
    # Only a person the actor may see can be named as the one who took over.
    received_by = (
        get_user_model()
        .objects.visible_to(request.user)
        .filter(pk=request.POST.get("received_by") or 0)
        .first()
    )
    try:
        actions.do_handover(
            request.user,
            post,
            open_matters=request.POST.get("open_matters", ""),
            notes=request.POST.get("notes", ""),
            received_by=received_by,
        )
        messages.success(request, _("交接班记录已保存"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:roster", pk=pk)


def ical_for(person: Any, viewer: Any = None) -> str:
    now = timezone.now()
    base = Shift.objects.all() if viewer is None else Shift.objects.visible_to(viewer)
    shifts = (
        base.filter(Q(leader=person) | Q(officers=person), ends_at__gt=now - dt.timedelta(days=30))
        .distinct()
        .select_related("post", "leader")
        .prefetch_related("officers")
        .order_by("starts_at")
    )
    events = []
    for s in shifts:
        role = _("带班") if s.leader_id == person.pk else _("值班")
        officers = "、".join(str(o) for o in s.officers.all())
        events.append(
            {
                "uid": f"emergency-shift-{s.pk}-{person.pk}@pingan",
                "start": s.starts_at,
                "end": s.ends_at,
                "summary": f"{role}:{s.post.name}",
                "location": s.post.phone or s.post.name,
                "description": _("带班领导:%(l)s\n值班员:%(o)s") % {"l": s.leader or "", "o": officers},
            }
        )
    return rules.ical(events, calname=_("%(name)s 的值班") % {"name": str(person)}, stamp=now)


@console_view("emergency.view_roster")
def my_ical(request: HttpRequest, user_pk: int | None = None) -> HttpResponse:
    """iCal (RFC 5545) export of a person's shifts: one's own, or a visible colleague's."""
    if user_pk is None:
        person = request.user
    else:
        person = get_visible_or_404(get_user_model().objects.all(), request.user, pk=user_pk)
    resp = HttpResponse(ical_for(person, request.user), content_type="text/calendar; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="duty-{person.username}.ics"'
    return resp


# --- 三防 ------------------------------------------------------------------------------------------


def _hq_departments(user: Any) -> Any:
    from pingan.org.models import Department

    qs = Department.objects.filter(is_active=True)
    if not user.sees_everything and user.scope_path:
        qs = qs.filter(division__path__startswith=user.scope_path)
    # Not the divisions' boundaries: parsing ~500 GeoJSON documents was most of the page's time.
    return qs.select_related("division").defer("division__geometry").order_by("division__code", "name")


@console_view("emergency.view_sanfang")
def sanfang_list(request: HttpRequest) -> HttpResponse:
    responses = list(
        SanfangResponse.objects.visible_to(request.user).select_related("headquarters", "division")
    )
    may_start = may(request.user, "emergency.start_sanfang")
    if request.method == "POST" and not may_start:
        raise PermissionDenied
    form = SanfangForm(request.POST or None, departments=_hq_departments(request.user)) if may_start else None
    if form is not None and request.method == "POST" and form.is_valid():
        if not request.user.department_id:
            messages.error(request, _("您没有所属部门,不能启动三防响应"))
        else:
            try:
                resp = actions.do_start_sanfang(
                    request.user,
                    kind=form.cleaned_data["kind"],
                    level=form.cleaned_data["level"],
                    headquarters=request.user.department,
                    members=list(form.cleaned_data["members"]),
                    note=form.cleaned_data["note"],
                )
                return redirect("emergency:sanfang", pk=resp.pk)
            except ActionError as err:
                _form_error(form, err)
    mine = (
        list(
            SanfangReport.objects.visible_to(request.user)
            .filter(department=request.user.department_id, submitted_at=None)
            .select_related("response")[:20]
        )
        if request.user.department_id
        else []
    )
    return render(
        request, "emergency/sanfang_list.html", {"responses": responses, "form": form, "mine": mine}
    )


@console_view("emergency.view_sanfang")
def sanfang_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_visible_or_404(SanfangResponse.objects.select_related("headquarters"), request.user, pk=pk)
    # A read: the member reports due are laid out when the response starts and by the periodic
    # task (tasks.reconcile_sanfang_reports), never by opening this page.
    from pingan.org.models import Department

    board = selectors.sanfang_board(response, request.user)
    members = list(Department.objects.visible_to(request.user).filter(sanfang_memberships=response))
    return render(
        request,
        "emergency/sanfang_detail.html",
        {
            "response": response,
            **board,
            "now": timezone.now(),
            "members": members,
            "levels": [(v, label) for v, label in ResponseLevel.choices if v != response.level],
        },
    )


@require_POST
@console_view("emergency.change_sanfang")
def sanfang_change(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_visible_or_404(SanfangResponse.objects.all(), request.user, pk=pk)
    try:
        end = request.POST.get("end") == "1"
        actions.do_change_sanfang(
            request.user,
            response,
            level=request.POST.get("level"),
            end=end,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("三防响应已终止") if end else _("三防响应级别已调整"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:sanfang", pk=pk)


@require_POST
@console_view("emergency.submit_sanfang")
def sanfang_submit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(SanfangReport.objects.select_related("response"), request.user, pk=pk)
    try:
        done = actions.do_submit_sanfang(request.user, item, text=request.POST.get("text", ""))
        messages.success(request, _("已报送(迟报)") if done.is_late else _("已报送"))
    except ActionError as err:
        _flash_error(request, err)
    return redirect("emergency:sanfang", pk=item.response_id)
