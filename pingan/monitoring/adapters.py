"""The doors to other modules: direct imports of their `services`, behind `apps.is_installed`, so
monitoring still works in a deployment without them (a city may run monitoring alone).

- `people_on_duty`: the duty roster of the emergency module (`pingan.emergency.services.on_duty`)
  when it is installed; None otherwise, and the escalation step falls back to its configured people.
- `open_hazard_case` / `open_incident`: the hazard platform's and the incident module's
  "create from a source" services.

Only `services` modules are imported (the one surface other apps offer); the imports sit inside the
functions because a module that is not installed has no models to import.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.apps import apps

from pingan.org.choices import Industry

log = logging.getLogger(__name__)

HAZARDS = "pingan.hazards"
EMERGENCY = "pingan.emergency"
WARNINGS = "pingan.warnings"


class Unavailable(Exception):
    """The other module is not installed."""


def installed(app: str) -> bool:
    return apps.is_installed(app)


def people_on_duty(*, department: Any, division: Any, at: datetime) -> list | None:
    """People on duty for the department (and division) at `at`, or None when no roster is available."""
    if not installed(EMERGENCY):
        return None
    from pingan.emergency import services as emergency

    try:
        return list(emergency.on_duty(department=department, division=division, at=at))
    except Exception:  # noqa: BLE001 - a roster failure must not stop an alarm from being notified
        log.exception("on_duty failed; falling back to the policy's people")
        return None


# The hazard category (a code of the hazards module's category table) a sensor type's alarm most
# likely belongs to; the hazards module falls back to "other" for a code it does not know.
HAZARD_CATEGORY = {
    "gas_lel": "hazchem",
    "toxic_gas": "hazchem",
    "tank_level": "hazchem",
    "temperature": "hazchem",
    "pressure": "special_equipment",
    "smoke": "fire",
    "fire": "fire",
    "camera_event": "fire",
    "water_level": "flood_geo",
    "rainfall": "flood_geo",
    "wind": "flood_geo",
    "slope": "geological",
    "strain": "road_damage",  # a bridge's or tunnel's structure: 道路设施损坏
    "deflection": "road_damage",
    "traffic_event": "road_traffic",
}


def open_hazard_case(*, actor: Any, alarm: Any, title: str, description: str) -> Any:
    if not installed(HAZARDS):
        raise Unavailable(HAZARDS)
    from pingan.hazards import services as hazards

    lat, lon = _point(alarm)
    category = HAZARD_CATEGORY.get(alarm.sensor.type)
    if category == "hazchem" and alarm.enterprise_id and alarm.enterprise.industry == Industry.GAS:
        category = "gas"
    return hazards.create_case_from_source(
        actor=actor,
        source=hazards.Source.MONITORING,
        title=title,
        description=description,
        category_code=category,
        lat=lat,
        lon=lon,
        division=alarm.division,
        enterprise=alarm.enterprise,
        origin_obj=alarm,
        grade=None,
    )


def open_incident(*, actor: Any, alarm: Any, title: str, description: str) -> Any:
    if not installed(EMERGENCY):
        raise Unavailable(EMERGENCY)
    from pingan.emergency import services as emergency

    lat, lon = _point(alarm)
    return emergency.create_incident_from_source(
        actor=actor,
        source=emergency.Source.ALARM,
        title=title,
        description=description,
        lat=lat,
        lon=lon,
        occurred_at=alarm.raised_at,
        origin_obj=alarm,
    )


def warning_event(sensor_type: str) -> str | None:
    """The public warning event a real alarm of this sensor type can become (None: none, or no warnings
    module)."""
    if not installed(WARNINGS):
        return None
    from pingan.warnings import services as warnings

    return warnings.event_for_sensor(sensor_type)


def open_warning_draft(*, actor: Any, alarm: Any, description: str, note: str = "") -> Any:
    if not installed(WARNINGS):
        raise Unavailable(WARNINGS)
    from pingan.warnings import services as warnings

    return warnings.draft_from_alarm(
        actor,
        alarm.division,
        sensor_type=alarm.sensor.type,
        level=alarm.level or alarm.severity,
        description=description,
        observed_at=alarm.raised_at,
        note=note,
    )


def _point(alarm: Any) -> tuple[float | None, float | None]:
    sensor = alarm.sensor
    lat = sensor.lat if sensor.lat is not None else sensor.device.lat
    lon = sensor.lon if sensor.lon is not None else sensor.device.lon
    if lat is None and alarm.division_id:
        lat, lon = alarm.division.lat, alarm.division.lon
    return lat, lon
