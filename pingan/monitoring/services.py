"""What other apps may ask of the monitoring module (the one module they import).

- `provision`: a device with its sensors and their per-sensor rules, in one step (city lifelines'
  monitoring templates, a major hazard source's sensors). The caller has decided who may do it (its
  own permission, e.g. `risks.manage_lifeline`); this writes the rows and the audit event.
- `sensor_rows` / `open_alarms`: the live view of given devices for a person, inside
  `visible_to(user)` and constant in queries.
- `devices_of_enterprise`: an enterprise's devices a person may see (to attach them elsewhere).
- `hydromet`: the Django signal sent after commit when a rainstorm signal is computed from rainfall
  or a water level crosses a threshold level (see signals.py for its arguments). Connect a receiver
  in your AppConfig.ready(), behind ``apps.is_installed("pingan.monitoring")``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.core import audit
from pingan.core.actions import ActionError

from .choices import SensorType
from .models import Alarm, Device, Rule, Sensor
from .selectors import sensor_colour
from .signals import hydromet  # noqa: F401  (re-exported: the signal other apps connect to)

RULE_KINDS = ("threshold", "rate", "nodata", "event", "accumulation")


def _check_specs(sensors: Sequence[Mapping[str, Any]]) -> None:
    if not sensors:
        raise ActionError(_("模板中没有传感器"), field="template", code="empty")
    seen = set()
    for s in sensors:
        if s.get("type") not in SensorType.values:
            raise ActionError(_("无效的传感器类型"), field="type", code="invalid_choice")
        if not str(s.get("code", "")).strip() or s["code"] in seen:
            raise ActionError(_("传感器编码缺失或重复"), field="code", code="invalid")
        seen.add(s["code"])
        for r in s.get("rules", []):
            if r.get("kind") not in RULE_KINDS:
                raise ActionError(_("无效的规则类别"), field="kind", code="invalid_choice")


@transaction.atomic
def provision(
    actor: Any,
    *,
    code: str,
    name: str,
    division: Any,
    sensors: Sequence[Mapping[str, Any]],
    department: Any = None,
    enterprise: Any = None,
    lat: float | None = None,
    lon: float | None = None,
    location: str = "",
    synthetic: bool = False,
) -> Device:
    """Create a device, its sensors and each sensor's rules (overrides of the type rules with the
    same code; `enabled: False` switches a type rule off for that sensor).

    `sensors`: [{code, type, name, unit, min_value, max_value, rules: [{code, name, kind, params,
    source, is_example, enabled}]}]. The device code must be new (a conflict names the field)."""
    _check_specs(sensors)
    code = (code or "").strip()[:64]
    if not code:
        raise ActionError(_("请填写设备编码"), field="code", code="required")
    if Device.objects.filter(code=code).exists():
        raise ActionError(_("设备编码已存在"), field="code", code="duplicate")
    device = Device.objects.create(
        code=code,
        name=(name or code)[:120],
        division=division,
        department=department,
        enterprise=enterprise,
        lat=lat,
        lon=lon,
        is_synthetic=synthetic,
        last_seen_at=None,
    )
    made_sensors, made_rules = [], []
    for spec in sensors:
        sensor = Sensor(
            device=device,
            code=spec["code"],
            name=str(spec.get("name") or spec["code"])[:120],
            type=spec["type"],
            unit=str(spec.get("unit", ""))[:12],
            min_value=spec.get("min_value"),
            max_value=spec.get("max_value"),
            division=division,
            enterprise=enterprise,
            department=department,
            lat=lat,
            lon=lon,
            location=location[:200],
            is_synthetic=synthetic,
        )
        made_sensors.append((sensor, spec.get("rules", [])))
    Sensor.objects.bulk_create([s for s, _r in made_sensors])
    today = timezone.localdate()
    for sensor, rules in made_sensors:
        for r in rules:
            made_rules.append(
                Rule(
                    code=r["code"],
                    name=str(r.get("name") or r["code"])[:120],
                    sensor_type=sensor.type,
                    sensor=sensor,
                    kind=r["kind"],
                    params=dict(r.get("params") or {}),
                    source=str(r.get("source", ""))[:300],
                    is_example=bool(r.get("is_example", False)),
                    effective_from=today,
                    enabled=bool(r.get("enabled", True)),
                )
            )
    Rule.objects.bulk_create(made_rules)
    audit.record(
        "monitoring.device.provision",
        device,
        actor=actor,
        after={
            "code": device.code,
            "sensors": [s.code for s, _r in made_sensors],
            "rules": [f"{r.sensor.code}:{r.code}" for r in made_rules],
        },
    )
    return device


def devices_of_enterprise(user: Any, enterprise_id: int) -> list[Device]:
    return list(Device.objects.visible_to(user).filter(enterprise_id=enterprise_id).order_by("code")[:200])


def device_visible(user: Any, pk: Any) -> Device | None:
    try:
        return Device.objects.visible_to(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def sensor_rows(user: Any, device_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The sensors of these devices the person may see, with their latest value and level."""
    ids = [int(i) for i in device_ids]
    if not ids:
        return []
    qs = (
        Sensor.objects.visible_to(user)
        .filter(device_id__in=ids, is_active=True)
        .select_related("device", "live")
        .order_by("device__code", "code")
    )
    active = dict(_active_counts(user, ids))
    out = []
    for s in qs:
        colour, level = sensor_colour(s)
        live = getattr(s, "live", None)
        out.append(
            {
                "id": s.pk,
                "name": s.name,
                "code": f"{s.device.code}/{s.code}",
                "type": s.get_type_display(),
                "unit": s.unit,
                "value": None if not live or live.last_value is None else live.last_value,
                "at": live.last_ts if live else None,
                "level": level,
                "colour": colour,
                "open_alarms": active.get(s.pk, 0),
                "device_state": s.device.get_state_display(),
                "url": reverse("monitoring:sensor", args=[s.pk]),
            }
        )
    return out


def _active_counts(user: Any, device_ids: list[int]) -> list[tuple[int, int]]:
    from django.db.models import Count

    return list(
        Alarm.objects.visible_to(user)
        .filter(is_active=True, sensor__device_id__in=device_ids)
        .values("sensor_id")
        .annotate(n=Count("id"))
        .values_list("sensor_id", "n")
    )


def open_alarms(user: Any, device_ids: Iterable[int], limit: int = 20) -> list[Alarm]:
    """Active alarms of these devices the person may see, newest first."""
    ids = [int(i) for i in device_ids]
    if not ids:
        return []
    return list(
        Alarm.objects.visible_to(user)
        .filter(is_active=True, sensor__device_id__in=ids)
        .select_related("sensor", "rule")
        .order_by("-raised_at")[:limit]
    )


def recent_alarms(user: Any, device_ids: Iterable[int], limit: int = 20) -> list[Alarm]:
    """The latest alarms (open or cleared) of these devices the person may see."""
    ids = [int(i) for i in device_ids]
    if not ids:
        return []
    return list(
        Alarm.objects.visible_to(user)
        .filter(sensor__device_id__in=ids)
        .select_related("sensor", "rule")
        .order_by("-raised_at")[:limit]
    )


def ingest(device: Device, items: list[dict[str, Any]]) -> Any:
    """Feed readings of one device through the ingestion pipeline (demo data, tests): the same path
    as the HTTP door, so rules are evaluated and alarms raised."""
    from .ingest import Pipeline

    return Pipeline().ingest_payload(items, device=device)
