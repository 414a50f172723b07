from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django.views.decorators.http import require_POST

from .actions import ActionError
from .context import origin
from .models import AuditEvent, CalendarOverride, Deadline
from .nav import home_for, nav_for
from .permissions import ConsoleGate, console_view, is_city_admin, may


class StaffRequiredMixin(ConsoleGate):
    """Console pages: the one staff gate (`pingan.core.permissions.gate`). Subclasses name their
    permission with ``permission = "app.verb"``; without one the door is "government staff"."""

    permission: str | None = None


class ScopedListView(StaffRequiredMixin, generic.ListView):
    """A list page that only ever shows what `visible_to(user)` allows."""

    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


class ScopedDetailView(StaffRequiredMixin, generic.DetailView):
    """A detail page: out of scope is the same 404 as missing."""

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().visible_to(self.request.user)


# --- The palette --------------------------------------------------------------------------------------
def palette_css(request: HttpRequest) -> HttpResponse:
    """The colours of the choices (pingan.core.choices.PALETTE) as CSS custom properties: the one
    place the stylesheet, the map and the charts take their colours from (no copy in CSS or JS)."""
    from .choices import PALETTE, pill_colours

    lines = []
    for name, hex_ in PALETTE.items():
        background, text = pill_colours(hex_)
        lines.append(f"  --{name}: {hex_}; --pill-{name}-bg: {background}; --pill-{name}-fg: {text};\n")
    body = ":root {\n" + "".join(lines) + "}\n"
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """The tab icon (a shield in the palette's blue with 安), drawn here so no page asks for a missing
    /favicon.ico (QA: a 404 on every page load)."""
    from .choices import PALETTE

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<path d="M32 3 L58 12 V30 C58 46 46 56 32 61 C18 56 6 46 6 30 V12 Z" fill="{PALETTE["blue"]}"/>'
        '<text x="32" y="43" font-size="30" text-anchor="middle" fill="white" '
        'font-family="Noto Sans CJK SC, sans-serif">安</text></svg>'
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Home ---------------------------------------------------------------------------------------------
# Shortcuts on the home page, taken from the person's own navigation (so they are offered exactly
# when allowed): the grid worker's phone console is these tiles, their tasks and their grid's map.
# (url name, label, query, the navigation entry that must be the person's for the tile to be offered)
SHORTCUTS = [
    ("hazards:create", _("上报隐患"), "", "hazards:create"),
    ("hazards-public:mine", _("我的上报"), "", "hazards:create"),  # what they reported, with its state
    ("hazards:list", _("我的辖区隐患"), "division", "hazards:list"),
    ("hazards:map", _("辖区地图"), "", "hazards:map"),
]
# What a city administrator administers (each asks its own permission).
ADMIN_TILES = [
    ("core:settings", _("系统设置"), "core.manage_settings"),
    ("geo:import", _("导入行政区划"), "geo.import_divisions"),
    ("org:enterprise-import", _("导入生产经营单位"), "org.import_enterprises"),
    ("core:calendar", _("工作日调整"), "core.edit_calendar"),
    ("core:audit", _("审计日志"), "core.view_audit"),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("login") + "?next=" + request.path)
    if not may(user, "core.view_console"):
        return redirect(home_for(user)["url"])  # enterprise users to their workspace, citizens to theirs
    from pingan.notify.models import Message

    now = timezone.now()
    inbox = list(Message.objects.visible_to(user)[:8])
    tasks = Deadline.objects.visible_to(user).filter(met_at=None, cancelled_at=None)
    if user.department_id:
        tasks = tasks.filter(department=user.department_id) | tasks.filter(assignee=user)
    elif not is_city_admin(user):
        tasks = tasks.filter(assignee=user)
    tasks = list(tasks.select_related("department").order_by("due_at")[:10])
    for t in tasks:
        t.overdue = t.due_at < now
    division = user.division if user.division_id and not is_city_admin(user) else None
    api = reverse("geo-api:division-geojson")
    if division is not None and division.parent_id is not None:
        layers = [
            {
                "url": f"{api}?code={division.code}",
                "name": division.name,
                "kind": "boundary",
                "weight": 3,
                "fillOpacity": 0.05,
                "labels": True,
                "fit": True,
            },
            {
                "url": f"{api}?parent={division.code}",
                "name": _("下级区划"),
                "kind": "boundary",
                "labels": True,
                "fillOpacity": 0.05,
            },
        ]
    else:
        layers = [
            {
                "url": f"{api}?level=district",
                "name": _("区县"),
                "kind": "boundary",
                "labels": True,
                "fit": True,
            }
        ]
    mine = {item["url_name"]: item["url"] for group in nav_for(user) for item in group["items"]}
    shortcuts = []
    for url_name, label, query, needs in SHORTCUTS:
        if needs in mine and (url := mine.get(url_name) or _url(url_name)):
            if query == "division" and division is not None:
                url += f"?division={division.code}"
            shortcuts.append({"label": label, "url": url, "url_name": url_name})
    desk = None
    if may(user, "core.start_at_duty_desk") and "emergency:console" in mine:
        desk = mine["emergency:console"]
    admin_tiles = [
        {"label": label, "url": url, "url_name": name}
        for name, label, perm in ADMIN_TILES
        if may(user, perm) and (url := _url(name))
    ]
    return render(
        request,
        "core/home.html",
        {
            "inbox": inbox,
            "tasks": tasks,
            "layers": layers,
            "shortcuts": shortcuts,
            "desk": desk,
            "admin_tiles": admin_tiles,
            "area": division,
        },
    )


# --- Settings ----------------------------------------------------------------------------------------
@console_view("core.manage_settings")
def settings_page(request: HttpRequest) -> HttpResponse:
    """City-wide settings and imports, collected from every app's `settings_items`."""
    return render(
        request,
        "core/settings.html",
        {"groups": nav_for(request.user, "settings_items"), **_calendar_gap_context(request.user)},
    )


def _calendar_gap_context(user: Any) -> dict[str, Any]:
    """The banner that asks an administrator to enter next year's holiday schedule (workcal)."""
    from .workcal import calendar_gap, load_overrides

    if not may(user, "core.edit_calendar"):
        return {}
    return {"calendar_gap": calendar_gap(timezone.localdate(), load_overrides())}


class CalendarForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("当天"), coerce=lambda v: v == "1", choices=[("1", _("上班(调休工作日)")), ("0", _("放假"))]
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


@console_view("core.edit_calendar")
def calendar(request: HttpRequest) -> HttpResponse:
    """The working-day calendar's corrections (调休 the package does not know yet, local holidays)."""
    from .workcal_actions import do_set_override

    form = CalendarForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                with origin("web", ip=request.META.get("REMOTE_ADDR")):
                    do_set_override(request.user, d["date"], d["is_workday"], d["note"])
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("已保存"))
                return redirect("core:calendar")
        status = 400
    since = timezone.localdate() - dt.timedelta(days=366)
    rows = list(CalendarOverride.objects.filter(date__gte=since).order_by("date"))
    return render(
        request,
        "core/calendar.html",
        {"form": form, "rows": rows, **_calendar_gap_context(request.user)},
        status=status,
    )


@console_view("core.edit_calendar")
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from .workcal_actions import do_delete_override

    row = get_object_or_404(CalendarOverride, pk=pk)
    with origin("web", ip=request.META.get("REMOTE_ADDR")):
        do_delete_override(request.user, row)
    messages.success(request, _("已删除"))
    return redirect("core:calendar")


# --- The audit log -----------------------------------------------------------------------------------
def audit_queryset(request: HttpRequest) -> tuple[QuerySet, dict[str, str]]:
    """Audit events the person may see, filtered by the query string (the page and its export)."""
    from pingan.geo.models import Division

    get = request.GET
    f = {
        k: get.get(k, "").strip()
        for k in ("actor", "action", "type", "object", "division", "since", "until", "q")
    }
    qs = AuditEvent.objects.visible_to(request.user)
    if f["actor"]:
        qs = qs.filter(actor_label__icontains=f["actor"])
    if f["action"]:
        qs = (
            qs.filter(action=f["action"])
            if f["action"].count(".") >= 2
            else qs.filter(action__startswith=f["action"] + ".")
        )
    if f["type"]:
        app_label, _dot, model = f["type"].partition(".")
        ct = ContentType.objects.filter(app_label=app_label, model=model).first()
        qs = qs.filter(content_type=ct) if ct is not None else qs.none()
        if f["object"]:
            qs = qs.filter(object_id=f["object"])
    if f["division"]:
        division = Division.objects.filter(code=f["division"]).only("path").first()
        qs = qs.filter(division_path__startswith=division.path) if division is not None else qs.none()
    for key, lookup in (("since", "at__gte"), ("until", "at__lt")):
        if f[key]:
            try:
                day = dt.date.fromisoformat(f[key])
            except ValueError:
                continue
            if key == "until":
                day += dt.timedelta(days=1)  # "until" includes the whole day
            start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            qs = qs.filter(**{lookup: start})
    if f["q"]:
        q = f["q"]
        qs = qs.filter(
            Q(object_repr__icontains=q)
            | Q(note__icontains=q)
            | Q(actor_label__icontains=q)
            | Q(object_id=q)
            | Q(request_id=q)
            | Q(action__icontains=q)
            | Q(before__icontains=q)
            | Q(after__icontains=q)
        )
    return qs.order_by("-at", "-id"), f


def _decorate(events: list[AuditEvent]) -> None:
    """Human labels, object types and division names for one page of events (constant queries)."""
    from pingan.geo.models import Division

    from .templatetags.pingan import action_label

    paths = {e.division_path for e in events if e.division_path}
    names = dict(Division.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}
    for e in events:
        e.label = action_label(e.action)
        e.division_name = names.get(e.division_path, e.division_path)
        ct = ContentType.objects.get_for_id(e.content_type_id) if e.content_type_id else None
        e.type_key = f"{ct.app_label}.{ct.model}" if ct is not None else ""
        model = ct.model_class() if ct is not None else None
        e.type_label = model._meta.verbose_name if model is not None else e.type_key


def _audit_choices(user: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    from .templatetags.pingan import action_label

    present = AuditEvent.objects.visible_to(user)
    actions = sorted(set(present.order_by().values_list("action", flat=True).distinct()))
    types = []
    for ct_id in sorted(
        set(present.exclude(content_type=None).order_by().values_list("content_type", flat=True).distinct())
    ):
        ct = ContentType.objects.get_for_id(ct_id)
        model = ct.model_class()
        types.append((f"{ct.app_label}.{ct.model}", str(model._meta.verbose_name) if model else ct.model))
    return [(a, str(action_label(a))) for a in actions], sorted(types, key=lambda t: t[0])


class AuditListView(StaffRequiredMixin, generic.ListView):
    permission = "core.view_audit"
    template_name = "core/audit_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self) -> QuerySet:
        qs, self.filters = audit_queryset(self.request)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        _decorate(ctx["events"])
        ctx["f"] = self.filters
        ctx["action_choices"], ctx["type_choices"] = _audit_choices(self.request.user)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["export_query"] = query.urlencode()
        return ctx


EXPORT_LIMIT = 50000


@console_view("core.export_audit")
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit log as an Excel workbook (at most EXPORT_LIMIT rows, newest first)."""
    from io import BytesIO

    from django.utils.translation import gettext
    from openpyxl import Workbook

    from . import audit

    qs, f = audit_queryset(request)
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("审计日志")
    ws.append(
        [
            gettext("时间"),
            gettext("操作人"),
            gettext("动作"),
            gettext("动作代码"),
            gettext("对象类型"),
            gettext("对象"),
            gettext("对象编号"),
            gettext("区划"),
            gettext("说明"),
            gettext("渠道"),
            gettext("来源地址"),
            gettext("请求编号"),
        ]
    )
    tz = timezone.get_current_timezone()
    batch: list[AuditEvent] = []

    def flush() -> None:
        _decorate(batch)
        for e in batch:
            ws.append(
                [
                    timezone.localtime(e.at, tz).replace(tzinfo=None),
                    e.actor_label,
                    str(e.label),
                    e.action,
                    str(e.type_label),
                    e.object_repr,
                    e.object_id,
                    e.division_name,
                    e.note,
                    e.channel,
                    e.ip or "",
                    e.request_id,
                ]
            )
        batch.clear()

    for e in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
        batch.append(e)
        if len(batch) >= 2000:
            flush()
    flush()
    with origin("web", ip=request.META.get("REMOTE_ADDR")):
        audit.record(
            "core.audit.export",
            None,
            actor=request.user,
            after={k: v for k, v in f.items() if v},
            division_path=request.user.scope_path or "",
        )
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="audit.xlsx"'
    return response


# --- Error pages -------------------------------------------------------------------------------------
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (expired page, cookies off): the friendly 403 page, never Django's English one."""
    return render(request, "403.html", {"csrf_failure": True}, status=403)
