"""The doors to other modules, each behind a small adapter so monitoring works before they exist.

- `people_on_duty`: the duty roster of the emergency module (`pingan.emergency.services.on_duty`)
  when it is there; None otherwise, and the escalation step falls back to its configured people.
- `open_hazard_case` / `open_incident`: the hazard platform's and the incident module's
  "create from a source" services.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime
from typing import Any

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """The other module does not offer this yet."""


def _service(module: str, name: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise Unavailable(module) from exc
    func = getattr(mod, name, None)
    if func is None:
        raise Unavailable(f"{module}.{name}")
    return func


def people_on_duty(*, department: Any, division: Any, at: datetime) -> list | None:
    """People on duty for the department (and division) at `at`, or None when no roster is available."""
    try:
        on_duty = _service("pingan.emergency.services", "on_duty")
    except Unavailable:
        return None
    try:
        return list(on_duty(department=department, division=division, at=at))
    except Exception:  # noqa: BLE001 - a roster failure must not stop an alarm from being notified
        log.exception("on_duty failed; falling back to the policy's people")
        return None


# The hazard category a sensor type's alarm most likely belongs to (the hazards module falls back to
# "other" for a code it does not know).
HAZARD_CATEGORY = {
    "gas_lel": "hazchem", "toxic_gas": "hazchem", "tank_level": "hazchem", "temperature": "hazchem",
    "pressure": "special_equipment", "smoke": "fire", "fire": "fire", "camera_event": "fire",
    "water_level": "flood_geo", "rainfall": "flood_geo", "wind": "flood_geo", "slope": "geological",
    "traffic_event": "road_traffic",
}


def open_hazard_case(*, actor: Any, alarm: Any, title: str, description: str) -> Any:
    create = _service("pingan.hazards.services", "create_case_from_source")
    lat, lon = _point(alarm)
    category = HAZARD_CATEGORY.get(alarm.sensor.type)
    if category == "hazchem" and alarm.enterprise_id and alarm.enterprise.industry == "gas":
        category = "gas"
    # The hazards module names this source "monitoring" (its choices.Source).
    return create(actor=actor, source="monitoring", title=title, description=description, category_code=category,
                  lat=lat, lon=lon, division=alarm.division, enterprise=alarm.enterprise, origin_obj=alarm, grade=None)


def open_incident(*, actor: Any, alarm: Any, title: str, description: str) -> Any:
    create = _service("pingan.emergency.services", "create_incident_from_source")
    lat, lon = _point(alarm)
    return create(actor=actor, source="alarm", title=title, description=description, lat=lat, lon=lon,
                  occurred_at=alarm.raised_at, origin_obj=alarm)


def _point(alarm: Any) -> tuple[float | None, float | None]:
    sensor = alarm.sensor
    lat = sensor.lat if sensor.lat is not None else sensor.device.lat
    lon = sensor.lon if sensor.lon is not None else sensor.device.lon
    if lat is None and alarm.division_id:
        lat, lon = alarm.division.lat, alarm.division.lon
    return lat, lon
