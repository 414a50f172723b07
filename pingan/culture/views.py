"""The console of safety education: training hours by enterprise and township, participation
(mountain vs urban), activities, demonstration sites, volunteers, content."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError, get_visible_or_404
from pingan.core.choices import PALETTE
from pingan.core.permissions import allowed_names, console_view, may

from . import actions, forms, rules
from .choices import SITE_CRITERIA, SiteState
from .models import Activity, DemoSite, Lesson, SocialOrganisation, TrainingRecord, Volunteer

LIMIT = 50


def participation_chart(rows: list[tuple[str, int, int]]) -> dict[str, Any]:
    """ECharts option: participants per year, the mountain townships beside the urban ones."""
    side = rules.participation_by_side(rows)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("北部山区乡镇"), _("城区及其他乡镇")]},
        "xAxis": {"type": "category", "data": [str(y) for y in side.years]},
        "yAxis": {"type": "value", "name": _("参与人数")},
        "series": [
            {
                "name": _("北部山区乡镇"),
                "type": "bar",
                "data": side.mountain,
                "itemStyle": {"color": PALETTE["green"]},
            },
            {
                "name": _("城区及其他乡镇"),
                "type": "bar",
                "data": side.urban,
                "itemStyle": {"color": PALETTE["blue"]},
            },
        ],
    }


def participation_rows(activities: Any) -> list[tuple[str, int, int]]:
    """(township code, year, participants) from the activities a person may see (one query)."""
    qs = (
        activities.annotate(year=ExtractYear("held_on"))
        .values("division__code", "year")
        .annotate(n=Sum("farmers") + Sum("students") + Sum("workers") + Sum("others"))
        .order_by()
    )
    return [(r["division__code"], int(r["year"]), int(r["n"] or 0)) for r in qs]


@console_view("culture.view_console")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    records = TrainingRecord.objects.visible_to(user)
    by_enterprise = list(
        records.filter(enterprise__isnull=False)
        .values("enterprise__name")
        .annotate(hours=Sum("hours"), people=Count("id"), short=Count("id", filter=~_q_compliant()))
        .order_by("-hours")[:LIMIT]
    )
    by_town = list(
        records.values("division__name")
        .annotate(hours=Sum("hours"), people=Count("id"))
        .order_by("-hours")[:LIMIT]
    )
    activities = Activity.objects.visible_to(user)
    by_town_year = list(
        activities.annotate(year=ExtractYear("held_on"))
        .values("division__name", "division__code", "year")
        .annotate(n=Sum("farmers") + Sum("students") + Sum("workers") + Sum("others"))
        .order_by("-year", "division__code")[:LIMIT]
    )
    for row in by_town_year:
        row["mountain"] = rules.is_mountain(row["division__code"])
    return render(
        request,
        "culture/home.html",
        {
            "by_enterprise": by_enterprise,
            "by_town": by_town,
            "by_town_year": by_town_year,
            "chart": participation_chart(participation_rows(activities)),
            "recent": list(activities.select_related("division")[:10]),
            "sites": list(DemoSite.objects.visible_to(user).select_related("division")[:LIMIT]),
            "volunteers": list(
                Volunteer.objects.visible_to(user).select_related("division", "organisation")[:LIMIT]
            ),
            "organisations": _organisations(user),
            "lessons": list(Lesson.objects.select_related("course").order_by("-id")[:LIMIT]),
            "allowed": allowed_names(
                user,
                ["culture.edit", "culture.record_training", "culture.assess_site", "culture.edit_courses"],
            ),
            "SiteState": SiteState,
            "criteria": SITE_CRITERIA,
        },
    )


def _q_compliant() -> Any:
    from django.db.models import Q

    return Q(compliant=True) | Q(compliant__isnull=True)


def _form_view(request: HttpRequest, form_class: Any, do: Any, title: str, done: str) -> HttpResponse:
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            do(request.user, form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, done)
            return redirect("culture:home" if may(request.user, "culture.view_console") else "org:workspace")
    return render(request, "culture/form.html", {"form": form, "title": title})


@console_view("culture.edit")
def new_article(request: HttpRequest) -> HttpResponse:
    return _form_view(request, forms.ArticleForm, actions.do_create_article, _("发布宣传内容"), _("已发布"))


@console_view("culture.edit")
def case_from_incident(request: HttpRequest) -> HttpResponse:
    def do(user: Any, data: dict[str, Any]) -> Any:
        return actions.do_case_from_incident(user, data["incident"], data["lessons"])

    return _form_view(request, forms.CaseForm, do, _("由已结束事件生成事故案例"), _("事故案例已发布"))


@console_view("culture.record_training")
def new_training(request: HttpRequest) -> HttpResponse:
    def do(user: Any, data: dict[str, Any]) -> Any:
        if getattr(user, "enterprise_id", None):  # an enterprise records its own people
            data = {**data, "enterprise": user.enterprise}
        return actions.do_record_training(user, data)

    return _form_view(request, forms.TrainingForm, do, _("登记培训"), _("培训已登记"))


@console_view("culture.edit")
def new_activity(request: HttpRequest) -> HttpResponse:
    return _form_view(
        request, forms.ActivityForm, actions.do_record_activity, _("登记宣教活动"), _("活动已登记")
    )


@console_view("culture.edit")
def new_site(request: HttpRequest) -> HttpResponse:
    return _form_view(request, forms.SiteForm, actions.do_apply_site, _("申报安全示范点"), _("已申报"))


@console_view("culture.edit")
def new_volunteer(request: HttpRequest) -> HttpResponse:
    return _form_view(
        request, forms.VolunteerForm, actions.do_register_volunteer, _("登记志愿者"), _("志愿者已登记")
    )


@require_POST
@console_view("culture.assess_site")
def assess_site(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_visible_or_404(DemoSite.objects.all(), request.user, pk=pk)
    form = forms.AssessForm(request.POST)
    if form.is_valid():
        try:
            site = actions.do_assess_site(request.user, site, form.cleaned_data["criteria_met"])
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("评估完成:%(score)s 分") % {"score": site.score})
    return redirect("culture:home")


def sites_geojson(request: HttpRequest) -> Any:
    """Approved demonstration sites on the public map (what each teaches)."""
    from django.http import JsonResponse

    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "label": s.name,
                "popup": f"{s.get_kind_display()} · {s.teaches[:80]}",
                "colour": "green",
            },
        }
        for s in DemoSite.objects.filter(state=SiteState.APPROVED, lat__isnull=False, lon__isnull=False)
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _organisations(user: Any) -> list[SocialOrganisation]:
    """The social organisations of the person's area, each with its linked rescue team (one query for
    the organisations and one for their teams)."""
    from django.apps import apps as django_apps

    rows = list(SocialOrganisation.objects.visible_to(user).select_related("division")[:LIMIT])
    if django_apps.is_installed("pingan.rescue"):
        from pingan.rescue import services as rescue

        teams = rescue.volunteer_teams([r.rescue_team_id for r in rows if r.rescue_team_id])
        for r in rows:
            r.team = teams.get(r.rescue_team_id) if r.rescue_team_id else None  # type: ignore[attr-defined]
    return rows


def _org_initial(org: SocialOrganisation) -> dict[str, Any]:
    return {f: getattr(org, f) for f in actions.ORG_FIELDS}


@console_view("culture.edit")
def new_organisation(request: HttpRequest) -> HttpResponse:
    def do(user: Any, data: dict[str, Any]) -> Any:
        return actions.do_save_organisation(user, None, data)

    return _form_view(request, forms.OrganisationForm, do, _("登记社会组织"), _("社会组织已登记"))


@console_view("culture.edit")
def edit_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(SocialOrganisation.objects.select_related("division"), request.user, pk=pk)
    form = forms.OrganisationForm(request.POST or None, initial=_org_initial(org), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_organisation(request.user, org, form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("culture:home")
    return render(request, "culture/form.html", {"form": form, "title": _("修改社会组织"), "object": org})


@console_view("culture.edit")
def organisation_team(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a social rescue organisation as a volunteer team the dispatch can call out."""
    from pingan.rescue import services as rescue

    org = get_visible_or_404(SocialOrganisation.objects.select_related("division"), request.user, pk=pk)
    if not may(request.user, "culture.register_team", org):
        raise PermissionDenied
    linked = rescue.volunteer_team(org.rescue_team_id)
    initial = {"capabilities": linked["capabilities"]} if linked else None
    form = forms.TeamForm(request.POST or None, initial=initial, choices=rescue.capability_choices())
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_register_team(request.user, org, form.cleaned_data["capabilities"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已登记为可调度的志愿救援队伍"))
            return redirect("culture:home")
    title = _("登记为救援队伍:%(name)s") % {"name": org.name}
    return render(request, "culture/form.html", {"form": form, "title": title, "object": org})


@console_view("culture.edit_courses")
def new_lesson(request: HttpRequest) -> HttpResponse:
    def do(user: Any, data: dict[str, Any]) -> Any:
        return actions.do_save_lesson(user, None, data)

    return _form_view(request, forms.LessonForm, do, _("新增课时"), _("课时已保存"))


@console_view("culture.edit_courses")
def edit_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.select_related("course"), pk=pk)
    initial = {k: getattr(lesson, k) for k in ("course", "order", "title", "body", "image", "video")}
    form = forms.LessonForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_lesson(request.user, lesson, form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("课时已保存"))
            return redirect("culture:home")
    return render(request, "culture/form.html", {"form": form, "title": _("修改课时"), "object": lesson})
