"""Interfaces other apps call — and the only module of this app they import:

    on_duty(department=..., division=..., at=..., viewer=None) -> list[User]
    create_incident_from_source(actor=..., source=..., title=..., ...) -> Incident

`on_duty` without `viewer` is the unscoped roster for notifications (monitoring's escalation);
pass `viewer=` whenever the people are shown to someone. Inside the app, import from `duty`,
`bodies` and `actions` directly (this module imports them, never the other way round).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from . import rules
from .bodies import bodies_up, body_for_division, body_of_user, province_body
from .choices import Category, Source, SubType
from .duty import on_duty, post_level_of, posts_for_division
from .models import Incident

# The incident types (2006 national plan sub-types) other modules name, e.g. emergency plans.
SUBTYPE_CHOICES = SubType.choices
SUBTYPE_VALUES = frozenset(SubType.values)

SOURCE_ALIASES = {
    "alarm": Source.ALARM,
    "hazard": Source.HAZARD,
    "phone": Source.PHONE,
    "public": Source.PUBLIC,
    "lower_report": Source.LOWER_REPORT,
    "monitoring": Source.ALARM,
    "hazards": Source.HAZARD,
}


def create_incident_from_source(
    *,
    actor: Any,
    source: str,
    title: str,
    description: str,
    lat: float | None,
    lon: float | None,
    occurred_at: dt.datetime,
    origin_obj: Any = None,
    category: str = Category.ACCIDENT,
) -> Incident:
    """Open an incident from an alarm, a hazard case or a public report, linked to its origin
    (`core.links.link(origin_obj, incident, "opened_incident")`). The division comes from the
    position, else from the origin object's division, else the actor's."""
    from pingan.core.actions import ActionError
    from pingan.core.links import link

    from .actions import do_record_incident

    division = None
    if lat is not None and lon is not None:
        from pingan.geo import lookup

        division = _locate(lookup, lat, lon)
    if division is None and origin_obj is not None:
        division = (
            origin_obj if origin_obj._meta.label == "geo.Division" else getattr(origin_obj, "division", None)
        )
    if division is None:
        division = getattr(actor, "division", None)
    if category not in Category.values:
        category = Category.ACCIDENT
    data = {
        "title": title[:200],
        "course": description,
        "scene": description,
        "lat": lat,
        "lon": lon,
        "occurred_at": occurred_at,
        "division": division,
        "category": category,
        "source": SOURCE_ALIASES.get(source, Source.OTHER),
        "source_note": source,
        "is_production_safety": category == Category.ACCIDENT,
    }
    if division is None:
        raise ActionError(_("无法确定事件所在区划"), field="division", code="required")
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


def closed_incident_facts(user: Any, pk: int) -> dict[str, Any] | None:
    """What a case study (事故案例, the education module) may take from a closed incident: the facts
    without the people — no caller, phone, unit name or exact place; the township, not the address.
    `personal` lists strings (caller, unit) the writer must not repeat, for the caller to redact from
    the narrative. None when the incident is not visible to `user` or not closed."""
    from .choices import IncidentState

    inc = (
        Incident.objects.visible_to(user)
        .filter(pk=pk, state=IncidentState.CLOSED)
        .select_related("division")
        .first()
    )
    if inc is None:
        return None
    return {
        "number": inc.number,
        "title": inc.title,
        "category": inc.get_category_display(),
        "kind": inc.get_accident_kind_display() if inc.accident_kind else "",
        "occurred": inc.occurred_at.strftime("%Y-%m"),
        "division": inc.division.name if inc.division_id else "",
        "deaths": inc.deaths,
        "serious_injuries": inc.serious_injuries,
        "minor_injuries": inc.minor_injuries,
        "course": inc.course,
        "personal": [s for s in (inc.caller_name, inc.caller_phone, inc.unit_name, inc.place) if s],
    }


__all__ = [
    "closed_incident_facts",
    "Source",
    "SUBTYPE_CHOICES",
    "SUBTYPE_VALUES",
    "on_duty",
    "create_incident_from_source",
    "grade_now",
    "visible_incidents",
    "body_for_division",
    "body_of_user",
    "bodies_up",
    "province_body",
    "posts_for_division",
    "post_level_of",
]
