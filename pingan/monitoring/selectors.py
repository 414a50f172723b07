"""Read queries for the console and the API (scoped, with their joins)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.choices import hex_of
from pingan.core.params import BadParameter, choice_param, date_param, int_param

from .choices import SEVERITY_COLOURS, AlarmState, DeviceState, SensorType
from .models import Alarm, Reading, ReadingAggregate, Rule, Sensor
from .rollup import DAY, HOUR, MINUTE


def alarms_for(user: Any) -> QuerySet[Alarm]:
    return Alarm.objects.visible_to(user).select_related(
        "sensor", "sensor__device", "rule", "division", "enterprise", "department", "acked_by"
    )


# --- the alarm console's filters -----------------------------------------------------------------
SHANGHAI = ZoneInfo("Asia/Shanghai")
# "open": what needs attention (active, or cleared but not yet acknowledged); "all"; or one state.
SHOW_CHOICES = ("open", "all", *AlarmState.values)
MAX_CODE = 64  # a device code's length (Device.code)


def rule_codes() -> list[tuple[str, str]]:
    """The rules by code (a type rule and its per-sensor overrides share a code), for the filter."""
    names: dict[str, str] = {}
    for code, name in Rule.objects.filter(sensor=None).order_by("code").values_list("code", "name"):
        names.setdefault(code, name)
    return sorted(names.items())


def alarm_filters(params: Mapping[str, Any], codes: list[str] | None = None) -> dict[str, Any]:
    """The console's filters read from a query string: each a valid value or a 400 naming it
    (pingan.core.params). `codes`: the rule codes that exist (None: any slug)."""
    f: dict[str, Any] = {
        "show": choice_param(params, "show", SHOW_CHOICES, default="open"),
        "severity": int_param(params, "severity", minimum=1, maximum=4),
        "type": choice_param(params, "type", SensorType.values),
        "from": date_param(params, "from"),
        "to": date_param(params, "to"),
    }
    rule = (params.get("rule") or "").strip()
    if rule and (len(rule) > 40 or (codes is not None and rule not in codes)):
        raise BadParameter("rule")
    f["rule"] = rule or None
    device = (params.get("device") or "").strip()
    if len(device) > MAX_CODE:
        raise BadParameter("device")
    f["device"] = device or None
    if f["from"] and f["to"] and f["to"] < f["from"]:
        raise BadParameter("to", str(_("结束日期不能早于开始日期")))
    return f


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI)


def filter_alarms(qs: QuerySet[Alarm], f: Mapping[str, Any]) -> QuerySet[Alarm]:
    """Apply `alarm_filters`' values; the console's order (what needs attention first)."""
    show = f.get("show") or "open"
    if show == "open":
        qs = qs.exclude(state=AlarmState.CLEARED_ACK)
    elif show != "all":
        qs = qs.filter(state=show)
    if f.get("severity"):
        qs = qs.filter(severity__gte=f["severity"])
    if f.get("type"):
        qs = qs.filter(sensor__type=f["type"])
    if f.get("rule"):
        qs = qs.filter(rule__code=f["rule"])
    if f.get("device"):
        qs = qs.filter(sensor__device__code__iexact=f["device"])
    # Dates are local (Asia/Shanghai) days: [from 00:00, to + 1 day 00:00).
    if f.get("from"):
        qs = qs.filter(raised_at__gte=_local_midnight(f["from"]))
    if f.get("to"):
        qs = qs.filter(raised_at__lt=_local_midnight(f["to"] + timedelta(days=1)))
    return qs.order_by("-is_active", "state", "-severity", "-raised_at", "-id")


def sensors_for(user: Any) -> QuerySet[Sensor]:
    return Sensor.objects.visible_to(user).select_related(
        "device", "division", "enterprise", "department", "live"
    )


def sensor_colour(sensor: Sensor) -> tuple[str, int]:
    live = getattr(sensor, "live", None)
    if sensor.device.state in (DeviceState.MAINTENANCE, DeviceState.RETIRED):
        return "purple", -1
    if sensor.device.state == DeviceState.OFFLINE:
        return "grey", -1
    level = live.level if live else 0
    return SEVERITY_COLOURS.get(level, "grey"), level


def sensors_geojson(user: Any, qs: QuerySet[Sensor] | None = None) -> dict[str, Any]:
    qs = sensors_for(user) if qs is None else qs
    features = []
    for s in qs.filter(is_active=True):
        lat = s.lat if s.lat is not None else s.device.lat
        lon = s.lon if s.lon is not None else s.device.lon
        if lat is None or lon is None:
            continue
        colour, level = sensor_colour(s)
        live = getattr(s, "live", None)
        value = "" if not live or live.last_value is None else f"{live.last_value:g} {s.unit}"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": s.pk,
                    "label": s.name,
                    "colour": hex_of(colour),
                    "level": level,
                    "type": s.type,
                    "popup": f"{s.get_type_display()} {value}\n{s.device.code}",
                    "url": reverse("monitoring:sensor", args=[s.pk]),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["level"])  # alarms drawn last, on top
    return {"type": "FeatureCollection", "features": features}


HOURS_MAX = 24 * 366 * 10  # a chart spans at most ten years (the day rollups are kept as long as hours)


def sensor_series(sensor: Sensor, hours: int = 24) -> dict[str, Any]:
    """Readings for a chart: raw points up to 6 h, minute rollups up to 3 days, hour rollups up to a
    month (≤ 744 rows), day rollups beyond (a year is 365 rows of one index range, see rollup.py).
    Where the rollup of a span is not there yet, the next finer one is read (then the raw rows)."""
    since = timezone.now() - timedelta(hours=hours)
    if hours <= 6:
        return _raw_series(sensor, since)
    periods = [MINUTE] if hours <= 72 else ([HOUR] if hours <= 24 * 31 else [DAY, HOUR])
    for period in periods:
        # Epoch milliseconds computed by the database (ECharts' time axis takes them as they are):
        # an aware datetime per row, converted and formatted, costs more than the query.
        aggs = list(
            ReadingAggregate.objects.filter(sensor=sensor, period=period, bucket__gte=since)
            .annotate(ms=_epoch_ms())
            .order_by("bucket")
            .values_list("ms", "n", "vmin", "vmax", "vsum")
        )
        if aggs:
            break
    else:  # before the first roll-up: fall back to raw readings
        return _raw_series(sensor, since)
    points, lows, highs = [], [], []
    for t, n, lo, hi, total in aggs:
        points.append([t, round(total / n, 3)])
        lows.append([t, lo])
        highs.append([t, hi])
    return {"kind": f"agg{period}", "points": points, "min": lows, "max": highs}


def _raw_series(sensor: Sensor, since: Any) -> dict[str, Any]:
    rows = list(
        Reading.objects.filter(sensor=sensor, ts__gte=since).order_by("ts").values_list("ts", "value")[:5000]
    )
    return {"kind": "raw", "points": [[ts.isoformat(), v] for ts, v in rows]}


def _epoch_ms() -> RawSQL:
    if connection.vendor == "postgresql":
        return RawSQL("(extract(epoch from bucket) * 1000)::bigint", [], output_field=BigIntegerField())
    return RawSQL("CAST(strftime('%%s', bucket) AS INTEGER) * 1000", [], output_field=BigIntegerField())


def chart_option(sensor: Sensor, series: dict[str, Any], levels: list[dict]) -> dict[str, Any]:
    mark_lines = [
        {
            "yAxis": lv["on"],
            "name": lv.get("label", ""),
            "lineStyle": {"color": hex_of(SEVERITY_COLOURS.get(lv["severity"], "grey"))},
        }
        for lv in levels
    ]
    out: dict[str, Any] = {
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "name": sensor.unit, "scale": True},
        "legend": {"top": 0},
        "series": [
            {
                "type": "line",
                "name": sensor.name,
                "showSymbol": False,
                "data": series["points"],
                "markLine": {
                    "symbol": "none",
                    "data": mark_lines,
                    "label": {"formatter": "{b}", "position": "insideEndTop"},
                },
            }
        ],
        "dataZoom": [{"type": "inside"}],
    }
    if "min" in series:
        out["series"] += [
            {
                "type": "line",
                "name": "min",
                "showSymbol": False,
                "data": series["min"],
                "lineStyle": {"opacity": 0.4},
            },
            {
                "type": "line",
                "name": "max",
                "showSymbol": False,
                "data": series["max"],
                "lineStyle": {"opacity": 0.4},
            },
        ]
    return out
