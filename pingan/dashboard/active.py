"""The "active now" view: open alarms, active incidents, warnings in force and mobilised teams, counted
by township and drawn as one numbered marker per type (readable however many rows there are).

Five queries: one per module (grouped by division in the database) and one for the places."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from pingan.geo.models import Division

from .figures import TOWNSHIP

# Marker colour per type (palette names) and a small offset so four markers of a township do not overlap.
TYPES = {
    "alarms": ("red", (0.0, 0.0)),
    "incidents": ("purple", (0.012, 0.0)),
    "warnings": ("orange", (0.0, 0.016)),
    "teams": ("blue", (0.012, 0.016)),
}


def _grouped(qs: Any, path: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for p, n in qs.values(path).annotate(n=Count("pk")).values_list(path, "n"):
        out[(p or "")[:TOWNSHIP]] += n
    return out


def counts(user: Any) -> dict[str, Counter[str]]:
    """{type: {township path (or a shorter path for rows above township level): count}}."""
    now = timezone.now()
    out: dict[str, Counter[str]] = {k: Counter() for k in TYPES}
    if apps.is_installed("pingan.monitoring"):
        from pingan.monitoring.models import Alarm

        out["alarms"] = _grouped(Alarm.objects.visible_to(user).filter(is_active=True), "division__path")
    if apps.is_installed("pingan.emergency"):
        from pingan.emergency.choices import IncidentState
        from pingan.emergency.models import Incident

        out["incidents"] = _grouped(
            Incident.objects.visible_to(user).filter(state=IncidentState.OPEN), "division__path"
        )
    if apps.is_installed("pingan.warnings"):
        from pingan.warnings.models import EarlyWarning

        active = EarlyWarning.objects.active(now).values("pk")
        out["warnings"] = _grouped(
            EarlyWarning.objects.visible_to(user).filter(pk__in=active), "division__path"
        )
    if apps.is_installed("pingan.rescue"):
        from pingan.rescue.choices import ACTIVE_MOBILISATION
        from pingan.rescue.models import Mobilisation

        out["teams"] = _grouped(
            Mobilisation.objects.visible_to(user).filter(state__in=ACTIVE_MOBILISATION), "division__path"
        )
    return out


def labels() -> dict[str, str]:
    return {
        "alarms": _("报警中"),
        "incidents": _("处置中事件"),
        "warnings": _("生效预警"),
        "teams": _("出动队伍"),
    }


def totals(user: Any) -> list[dict[str, Any]]:
    c = counts(user)
    names = labels()
    return [{"key": k, "label": names[k], "value": sum(c[k].values()), "colour": TYPES[k][0]} for k in TYPES]


def geojson(user: Any) -> dict[str, Any]:
    c = counts(user)
    paths = {p for per in c.values() for p in per}
    places = {
        d["path"]: d
        for d in Division.objects.filter(path__in=paths, lat__isnull=False).values(
            "path", "name", "lat", "lon"
        )
    }
    names = labels()
    features = []
    for kind, per in c.items():
        colour, (dlat, dlon) = TYPES[kind]
        for path, n in sorted(per.items()):
            place = places.get(path)
            if not place or not n:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [place["lon"] + dlon, place["lat"] + dlat]},
                    "properties": {
                        "cluster": True,
                        "count": n,
                        "colour": colour,
                        "type": kind,
                        "label": f"{place['name']} · {names[kind]} {n}",
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
