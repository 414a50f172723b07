"""Console pages of the risk module. Each page names its permission (ConsoleGate / console_view);
buttons and forms are offered only when `{% can %}` says the person may use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.permissions import console_view, may
from pingan.geo.models import Division
from pingan.inspections import services as inspection_services
from pingan.org.models import Enterprise

from . import actions, rules, selectors
from .choices import (
    CheckResult,
    Cycle,
    Level,
    MeasureKind,
    MhsGrade,
    ObjectKind,
    PointType,
    Post,
    SpecialWork,
    UnitKind,
)
from .lifeline_views import mhs_context
from .models import CheckTask, MajorHazardSource, RiskObject


def _attempt(request: HttpRequest, fn: Callable[[], Any], ok: str) -> bool:
    """Run an action; its error (with the field it names) becomes a message on the page."""
    try:
        fn()
    except ActionError as exc:
        messages.error(request, f"{exc.field}: {exc.message}" if exc.field else str(exc.message))
        return False
    messages.success(request, ok)
    return True


@console_view("risks.view_list")
def object_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.risk_objects(request.user, request.GET).order_by("-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risks/list.html",
        {
            "page_obj": page,
            "objects": page.object_list,
            "levels": Level.choices,
            "kinds": ObjectKind.choices,
            "Level": Level,
            "query": request.GET.urlencode(),
        },
    )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


@console_view("risks.manage")
def object_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = getattr(user, "enterprise", None)
    if request.method == "POST":
        p = request.POST
        division = Division.objects.visible_to(user).filter(pk=p.get("division") or 0).first()
        enterprise = own or Enterprise.objects.visible_to(user).filter(pk=p.get("enterprise") or 0).first()
        kind = ObjectKind.ANALYSIS_UNIT if own else p.get("kind", "")
        made: dict[str, Any] = {}

        def run() -> None:
            made["obj"] = actions.do_create_object(
                user,
                kind=kind,
                name=p.get("name", ""),
                point_type=p.get("point_type", ""),
                division=division,
                enterprise=enterprise,
                lat=_float(p.get("lat")),
                lon=_float(p.get("lon")),
                description=p.get("description", ""),
            )

        if _attempt(request, run, _("已登记")):
            return redirect("risks:detail", made["obj"].pk)
    towns = (
        Division.objects.visible_to(user)
        .filter(level__in=["district", "town"])
        .select_related("parent")
        .defer("geometry", "parent__geometry")
        .order_by("code")
        if not own
        else []
    )
    return render(
        request,
        "risks/create.html",
        {"own": own, "kinds": ObjectKind.choices, "types": PointType.choices, "towns": towns},
    )


@console_view("risks.view_list")
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_visible_or_404(
        RiskObject.objects.select_related("division", "enterprise", "department"), request.user, pk=pk
    )
    if request.method == "POST":
        p = request.POST
        op = p.get("op")
        if op == "assess":
            inputs = {k: p.get(k) for k in ("likelihood", "exposure", "consequence", "severity")}
            _attempt(
                request,
                lambda: actions.do_assess(
                    request.user, obj, method=p.get("method", ""), inputs=inputs, note=p.get("note", "")
                ),
                _("已评估"),
            )
        elif op == "event":
            _attempt(
                request,
                lambda: actions.do_add_event(
                    request.user, obj, name=p.get("name", ""), description=p.get("description", "")
                ),
                _("已保存"),
            )
        elif op == "measure":
            event = obj.events.filter(pk=p.get("event") or 0).first()
            if event is not None:
                _attempt(
                    request,
                    lambda: actions.do_add_measure(
                        request.user, event, kind=p.get("kind", ""), description=p.get("description", "")
                    ),
                    _("已保存"),
                )
        elif op == "task":
            from .models import ControlMeasure

            measure = ControlMeasure.objects.filter(event__risk_object=obj, pk=p.get("measure") or 0).first()
            if measure is not None:
                checklist = [x for x in p.get("checklist", "").splitlines() if x.strip()]
                assignee = next((u for u in _assignees(obj) if str(u.pk) == p.get("assignee")), None)
                _attempt(
                    request,
                    lambda: actions.do_add_task(
                        request.user,
                        measure,
                        name=p.get("name", ""),
                        cycle=p.get("cycle", ""),
                        every=p.get("every") or "1",
                        post=p.get("post", ""),
                        assignee=assignee,
                        checklist=checklist,
                    ),
                    _("已保存"),
                )
        return redirect("risks:detail", obj.pk)
    events = obj.events.prefetch_related("measures__tasks")
    return render(
        request,
        "risks/detail.html",
        {
            "obj": obj,
            "events": events,
            "assessments": obj.assessments.select_related("assessed_by"),
            "Level": Level,
            "lec": rules.LEC_TABLE,
            "ls": rules.LS_TABLE,
            "control": rules.LEVEL_CONTROL,
            "measure_kinds": MeasureKind.choices,
            "cycles": Cycle.choices,
            "posts": Post.choices,
            "map_layers": [],
            "now": timezone.now(),
            "assignees": _assignees(obj) if may(request.user, "risks.manage", obj) else [],
        },
    )


def _assignees(obj: RiskObject) -> list[Any]:
    """People a check of this object can be assigned to: the owning department's or the enterprise's
    people who may record its checks."""
    from pingan.org.models import User

    qs = User.objects.filter(is_active=True)
    qs = (
        qs.filter(enterprise=obj.enterprise_id)
        if obj.enterprise_id
        else qs.filter(department=obj.department_id)
    )
    return [u for u in qs.order_by("username")[:200] if may(u, "risks.record_check", obj)]


@console_view("risks.view_list")
def task_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.tasks(request.user, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risks/tasks.html",
        {
            "page_obj": page,
            "tasks": page.object_list,
            "now": timezone.now(),
            "Level": Level,
            "overdue_only": request.GET.get("overdue") == "1",
        },
    )


@console_view("risks.view_list")
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_visible_or_404(
        CheckTask.objects.select_related("risk_object__division", "measure__event", "assignee"),
        request.user,
        pk=pk,
    )
    if request.method == "POST":
        p = request.POST
        answers = {item: p.get(f"item-{i}", "") for i, item in enumerate(task.checklist)}
        made: dict[str, Any] = {}

        def run() -> None:
            made["rec"] = actions.do_record_check(
                request.user,
                task,
                result=p.get("result", ""),
                answers=answers,
                note=p.get("note", ""),
                lat=_float(p.get("lat")),
                lon=_float(p.get("lon")),
                photo=request.FILES.get("photo"),
            )

        if _attempt(request, run, _("已记录")) and made["rec"].hazard_case_id:
            messages.info(request, _("已生成隐患 %(number)s") % {"number": made["rec"].hazard_case_number})
        return redirect("risks:task", task.pk)
    records = task.records.select_related("checked_by")[:30]
    return render(
        request,
        "risks/task.html",
        {
            "task": task,
            "records": records,
            "results": CheckResult.choices,
            "now": timezone.now(),
            "CheckResult": CheckResult,
        },
    )


@console_view("risks.view_list")
def record_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A check record's photo, for people who can see the record."""
    from django.http import FileResponse, Http404

    from .models import CheckRecord

    rec = get_visible_or_404(CheckRecord.objects.all(), request.user, pk=pk)
    if not rec.photo:
        raise Http404
    ext = rec.photo.name.rsplit(".", 1)[-1].lower()
    kind = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        ext, "application/octet-stream"
    )
    resp = FileResponse(rec.photo.open("rb"), content_type=kind)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@console_view("risks.view_map")
def map_view(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "town")
    by = by if by in selectors.PATH_LENGTH else "town"
    rates = may(request.user, "risks.view_rates")
    counts = selectors.counts_by_division(request.user, by) if rates else []
    layers = (
        [
            {
                "url": reverse("geo-api:division-geojson") + "?level=district",
                "name": _("区县"),
                "kind": "boundary",
            },
        ]
        + (
            [
                {
                    "url": reverse("risks-api:risk-object-areas") + f"?by={by}",
                    "name": _("区域风险等级"),
                    "kind": "areas",
                }
            ]
            if rates
            else []
        )
        + [
            {
                "url": reverse("risks-api:risk-object-map"),
                "name": _("风险点(按等级着色)"),
                "kind": "points",
                "fit": True,
                "maxZoom": 12,
            },
        ]
    )
    since = timezone.now() - dt.timedelta(days=30)
    return render(
        request,
        "risks/map.html",
        {
            "counts": counts,
            "by": by,
            "layers": layers,
            "levels": Level.choices,
            "Level": Level,
            "rates": rates,
            "own_units": []
            if rates
            else selectors.risk_objects(request.user).order_by("level", "name")[:200],
            "completion": selectors.completion_by_division(request.user, since, by) if rates else [],
        },
    )


@console_view("risks.view_mhs")
def mhs_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.major_hazard_sources(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "risks/mhs_list.html", {"page_obj": page, "sources": page.object_list, "MhsGrade": MhsGrade}
    )


def _chemical_rows(post: Any) -> list[dict[str, str]]:
    rows = []
    for name, cat, qty in zip(
        post.getlist("chemical"), post.getlist("category"), post.getlist("quantity"), strict=False
    ):
        if name.strip() or cat.strip() or qty.strip():
            rows.append({"chemical": name, "category": cat, "quantity": qty})
    return rows


@console_view("risks.manage_mhs")
def mhs_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    own = getattr(user, "enterprise", None)
    if request.method == "POST":
        p = request.POST
        enterprise = own or Enterprise.objects.visible_to(user).filter(pk=p.get("enterprise") or 0).first()
        made: dict[str, Any] = {}

        def run() -> None:
            made["src"] = actions.do_declare_mhs(
                user,
                enterprise,
                name=p.get("name", ""),
                unit_kind=p.get("unit_kind", ""),
                population=p.get("population", ""),
                chemicals=_chemical_rows(p),
                principal_name=p.get("principal_name", ""),
                technical_name=p.get("technical_name", ""),
                operational_name=p.get("operational_name", ""),
            )

        if _attempt(request, run, _("已辨识")):
            return redirect("risks:mhs_detail", made["src"].pk)
    enterprises = [] if own else Enterprise.objects.visible_to(user).order_by("name")[:500]
    return render(
        request,
        "risks/mhs_create.html",
        {
            "own": own,
            "enterprises": enterprises,
            "unit_kinds": UnitKind.choices,
            "rows": range(5),
            "categories": rules.GB18218["categories"],
            "chemicals": rules.GB18218["chemicals"],
        },
    )


@console_view("risks.view_mhs")
def mhs_detail(request: HttpRequest, pk: int) -> HttpResponse:
    src = get_visible_or_404(
        MajorHazardSource.objects.select_related("enterprise", "division"), request.user, pk=pk
    )
    if request.method == "POST":
        _attempt(
            request,
            lambda: actions.do_file_mhs(request.user, src, number=request.POST.get("number", "")),
            _("已备案"),
        )
        return redirect("risks:mhs_detail", src.pk)
    return render(
        request,
        "risks/mhs_detail.html",
        {
            "src": src,
            "calc": src.computation,
            "MhsGrade": MhsGrade,
            "source": rules.GB18218["source"],
            **mhs_context(request.user, src),
        },
    )


@console_view("risks.calculate")
def calculator(request: HttpRequest) -> HttpResponse:
    result = error = None
    rows: list[dict[str, str]] = [
        {"chemical": "氨", "category": "", "quantity": "8"},
        {"chemical": "氯", "category": "", "quantity": "1.5"},
    ]
    population = "120"
    if request.method == "POST":
        rows, population = _chemical_rows(request.POST), request.POST.get("population", "")
        try:
            result = rules.identify(rows, population).as_dict()
        except rules.RuleError as exc:
            error = exc
    rows = rows + [{"chemical": "", "category": "", "quantity": ""}] * max(0, 5 - len(rows))
    return render(
        request,
        "risks/calculator.html",
        {
            "result": result,
            "error": error,
            "rows": rows,
            "population": population,
            "categories": rules.GB18218["categories"],
            "chemicals": rules.GB18218["chemicals"],
            "alpha": rules.GB18218["alpha"],
            "source": rules.GB18218["source"],
        },
    )


@console_view("risks.view_commitments")
def commitments(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    own = getattr(user, "enterprise", None)
    if request.method == "POST" and own is not None:
        p = request.POST
        work = {
            k: p.get(f"work-{k}")
            for k in SpecialWork.values
            if p.get(f"work-{k}", "").strip() not in ("", "0")
        }

        def run() -> None:
            actions.do_submit_commitment(
                user,
                own,
                text=p.get("text", ""),
                signed_by=p.get("signed_by", ""),
                units_running=_int(p.get("units_running")),
                units_stopped=_int(p.get("units_stopped")),
                units_maintenance=_int(p.get("units_maintenance")),
                special_work=work,
                trial_production=p.get("trial_production") == "on",
                sources_state=p.get("sources_state", ""),
            )

        _attempt(request, run, _("已提交今日承诺"))
        return redirect("risks:commitments")
    rows = selectors.commitments(user)[:100]
    rate = selectors.commitment_rate(user, today) if may(user, "risks.view_rates") else None
    week = (
        [selectors.commitment_rate(user, today - dt.timedelta(days=n)) for n in range(1, 8)] if rate else []
    )
    missing = selectors.missing_commitments(user, today)[:100] if rate else []
    mine_today = own is not None and selectors.commitments(user, today).exists()
    filed = inspection_services.special_work_counts(own, today) if own is not None else {}
    return render(
        request,
        "risks/commitments.html",
        {
            "rows": rows,
            "rate": rate,
            "week": week,
            "missing": missing,
            "today": today,
            "own": own,
            "mine_today": mine_today,
            # Prefilled with today's special work filed as permits (the enterprise corrects it).
            "special_work": [(v, label, filed.get(v, 0)) for v, label in SpecialWork.choices],
            "due": rules.commitment_due(today),
        },
    )


def _int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
