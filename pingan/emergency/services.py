"""Interfaces other apps call: who is on duty, and opening an incident from another module.

    on_duty(department=..., division=..., at=...) -> list[User]
    create_incident_from_source(actor=..., source=..., title=..., ...) -> Incident
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from . import rules
from .choices import ChainLevel, PostLevel, Source
from .models import DutyPost, Incident, ReportingBody, Shift

PROVINCE_BODY = "广东省应急管理厅"
MINISTRY_BODY = "应急管理部"
STATE_COUNCIL_BODY = "国务院"


def _people_of_shifts(shifts: list[Shift]) -> list[Any]:
    out, seen = [], set()
    for s in shifts:
        for person in [s.leader, *s.officers.all()]:
            if person is not None and person.pk not in seen and person.is_active:
                seen.add(person.pk)
                out.append(person)
    return out


def _shifts_at(posts: Any, at: dt.datetime) -> list[Shift]:
    from django.contrib.auth import get_user_model

    return list(
        Shift.objects.filter(post__in=posts, post__is_active=True, starts_at__lte=at, ends_at__gt=at)
        .select_related("leader")
        .prefetch_related(Prefetch("officers", queryset=get_user_model().objects.order_by("pk")))
        .order_by("post__level", "starts_at")
    )


def on_duty(*, department: Any = None, division: Any = None, at: dt.datetime | None = None) -> list[Any]:
    """The people on duty at `at` (now by default): leader and officers of the current shifts.

    With `department`: that department's duty posts. With `division`: the duty posts covering the
    division, from the division itself upwards (town → district → city), the first level that has
    someone on duty; emergency-management posts come first at each level.
    """
    at = at or timezone.now()
    if department is not None:
        dept_id = getattr(department, "pk", department)
        return _people_of_shifts(_shifts_at(DutyPost.objects.filter(department_id=dept_id), at))
    if division is None:
        return []
    from pingan.geo.models import Division

    node = division if isinstance(division, Division) else Division.objects.get(pk=division)
    chain = [node, *reversed(node.ancestors())]
    for d in chain:
        posts = DutyPost.objects.filter(division=d, is_active=True)
        if not posts.exists():
            continue
        shifts = _shifts_at(posts, at)
        shifts.sort(key=lambda s: (s.post.department.sector != "emergency", s.post_id))
        people = _people_of_shifts(shifts)
        if people:
            return people
    return []


def posts_for_division(division: Any) -> list[DutyPost]:
    """The duty posts of the nearest level (upwards) that has any."""
    node = division
    while node is not None:
        posts = list(DutyPost.objects.filter(division=node, is_active=True).select_related("department"))
        if posts:
            return posts
        node = node.parent
    return []


# --- the reporting bodies ---------------------------------------------------------------------

def _em_department(division: Any) -> Any:
    from pingan.org.models import Department

    return (Department.objects.filter(division=division, sector="emergency", is_active=True)
            .order_by("kind", "pk").first())


def body_for_division(division: Any) -> ReportingBody | None:
    """The county-level or city-level reporting body for a division (created on first use from the
    emergency-management department of that division)."""
    from pingan.geo.choices import Level

    if division is None:
        return None
    if division.level == Level.CITY:
        level, target = ChainLevel.CITY, division
    else:
        target = division.district
        level = ChainLevel.COUNTY
    if target is None:
        return None
    body = ReportingBody.objects.filter(level=level, division=target).select_related("department").first()
    if body is not None:
        return body
    dept = _em_department(target)
    parent = None
    if level == ChainLevel.COUNTY and target.parent is not None:
        parent = body_for_division(target.parent)
    elif level == ChainLevel.CITY:
        parent = province_body()
    name = dept.name if dept else f"{target.name}应急管理部门"
    return ReportingBody.objects.create(name=name, level=level, division=target, department=dept, parent=parent)


def province_body() -> ReportingBody:
    ministry = ReportingBody.objects.filter(level=ChainLevel.MINISTRY).first()
    if ministry is None:
        council = ReportingBody.objects.filter(level=ChainLevel.STATE_COUNCIL).first() or \
            ReportingBody.objects.create(name=STATE_COUNCIL_BODY, level=ChainLevel.STATE_COUNCIL)
        ministry = ReportingBody.objects.create(name=MINISTRY_BODY, level=ChainLevel.MINISTRY, parent=council,
                                                contact="应急管理部总值班室")
    province = ReportingBody.objects.filter(level=ChainLevel.PROVINCE).first()
    if province is None:
        province = ReportingBody.objects.create(name=PROVINCE_BODY, level=ChainLevel.PROVINCE, parent=ministry,
                                                contact="省应急管理厅总值班室")
    return province


def body_of_user(user: Any) -> ReportingBody | None:
    """The reporting body a staff member works for (by their division's county or city)."""
    if getattr(user, "division_id", None) is None:
        return None
    return body_for_division(user.division)


def bodies_up(body: ReportingBody) -> dict[str, ReportingBody]:
    out: dict[str, ReportingBody] = {}
    node: ReportingBody | None = body
    while node is not None:
        out[node.level] = node
        node = node.parent
    return out


def post_level_of(division: Any) -> str:
    from pingan.geo.choices import Level

    return {Level.CITY: PostLevel.CITY, Level.DISTRICT: PostLevel.DISTRICT}.get(division.level, PostLevel.TOWN)


# --- opening an incident from another module --------------------------------------------------

SOURCE_ALIASES = {"alarm": Source.ALARM, "hazard": Source.HAZARD, "phone": Source.PHONE, "public": Source.PUBLIC,
                  "lower_report": Source.LOWER_REPORT, "monitoring": Source.ALARM, "hazards": Source.HAZARD}


def create_incident_from_source(*, actor: Any, source: str, title: str, description: str, lat: float | None,
                                lon: float | None, occurred_at: dt.datetime, origin_obj: Any = None,
                                category: str = "accident") -> Incident:
    """Open an incident from an alarm, a hazard case or a public report, linked to its origin
    (`core.links.link(origin_obj, incident, "opened_incident")`). The division comes from the
    position, else from the origin object's division, else the actor's."""
    from pingan.core.links import link

    from .actions import do_record_incident

    division = None
    if lat is not None and lon is not None:
        from pingan.geo import lookup

        division = _locate(lookup, lat, lon)
    if division is None and origin_obj is not None:
        division = origin_obj if origin_obj._meta.label == "geo.Division" else getattr(origin_obj, "division", None)
    if division is None:
        division = getattr(actor, "division", None)
    from .choices import Category

    if category not in Category.values:
        category = Category.ACCIDENT
    data = {
        "title": title[:200], "course": description, "scene": description, "lat": lat, "lon": lon,
        "occurred_at": occurred_at, "division": division, "category": category,
        "source": SOURCE_ALIASES.get(source, Source.OTHER), "source_note": source,
        "is_production_safety": category == "accident",
    }
    if division is None:
        from pingan.core.actions import ActionError

        raise ActionError("no division for the incident", field="division", code="required")
    incident = do_record_incident(actor, data, validate_time=False, owner=body_for_division(division))
    if origin_obj is not None:
        link(origin_obj, incident, "opened_incident", by=actor)
    return incident


def _locate(lookup: Any, lat: float, lon: float) -> Any:
    return lookup.locate(lat, lon)


def grade_now(deaths: int, serious: int, loss: Any) -> rules.GradeResult:
    return rules.accident_grade(deaths, serious, loss)


def visible_incidents(user: Any) -> Any:
    return Incident.objects.visible_to(user)


__all__ = ["on_duty", "create_incident_from_source", "Q"]
