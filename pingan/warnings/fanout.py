"""Who is told of a published warning: the subscribers of the townships its areas touch.

Its own module so that actions (publish) and services (what other apps import) both use it without
importing each other.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.geo.models import Division

from .choices import BroadcastChannel, BroadcastStatus, Colour, MsgType
from .models import Broadcast, EarlyWarning


# --- Who is told ----------------------------------------------------------------------------------
def townships_in(areas: list[Any]) -> Q:
    """The townships a warning's areas touch, as a filter on Division: inside an area's division,
    above it (a township-wide warning reaches that township's subscribers), or with its centre inside
    a polygon or circle."""
    from shapely.geometry import Point, Polygon

    q = Q(pk__in=[])
    shapes = []
    for a in areas:
        if a.division_id:
            q |= Q(path__startswith=a.division.path)
        if a.polygon:
            shapes.append(Polygon(a.polygon))
        if a.circle_lat is not None and a.circle_radius_km:
            # Degrees of latitude are ~111 km; good enough to pick township centres.
            shapes.append(Point(a.circle_lon, a.circle_lat).buffer(a.circle_radius_km / 111.0))
    if shapes:
        towns = Division.objects.filter(level="town", lat__isnull=False, lon__isnull=False).values_list(
            "pk", "lon", "lat"
        )
        inside = [pk for pk, lon, lat in towns if any(s.covers(Point(lon, lat)) for s in shapes)]
        q |= Q(pk__in=inside)
    return q


def subscribers(warning: EarlyWarning, areas: list[Any] | None = None) -> Any:
    """The subscribed people (a queryset: the database selects them, nothing is loaded here)."""
    from django.contrib.auth import get_user_model

    areas = list(warning.areas.select_related("division")) if areas is None else areas
    towns = Division.objects.filter(townships_in(areas)).values("pk")
    return (
        get_user_model().objects.filter(is_active=True, warning_subscriptions__division__in=towns).distinct()
    )


def _title(warning: EarlyWarning) -> str:
    if warning.msg_type == MsgType.CANCEL:
        return _("预警解除:%(headline)s") % {"headline": warning.headline}
    return _("%(colour)s预警:%(headline)s") % {
        "colour": Colour(warning.colour).label,
        "headline": warning.headline,
    }


def notify_subscribers(warning: EarlyWarning, areas: list[Any] | None = None) -> int:
    """Tell the subscribers of the townships in the warning's areas: notify's bulk door (one INSERT …
    SELECT for the inbox rows, the outside channels read back in one query), constant in queries."""
    from pingan.notify.services import notify_bulk

    return notify_bulk(
        subscribers(warning, areas),
        event=f"warnings.{warning.msg_type.lower()}",
        title=_title(warning),
        body=warning.instruction or warning.description,
        url=reverse("warnings-public:detail", args=[warning.identifier]),
        urgent=warning.colour in (Colour.RED, Colour.ORANGE),
    )


def departments_reached(areas: list[Any]) -> Q:
    """Departments whose jurisdiction meets an area's division: inside it (a township's office under a
    district warning) or above it (the district's emergency bureau hears of a township's warning)."""
    q = Q(pk__in=[])
    for a in areas:
        if a.division_id:
            path = a.division.path
            q |= Q(division__path__startswith=path)
            q |= Q(division__path__in=[path[:i] for i in range(1, len(path))])
    return q


def notify_departments(warning: EarlyWarning, areas: list[Any]) -> list[Broadcast]:
    """Queue the message to the WeCom and DingTalk robots of the departments reached (notify sends them
    after commit, with its destination checks and retries) and record who got what."""
    from pingan.notify.services import notify_robots, robots_of

    robots = list(robots_of(departments_reached(areas)))
    if not robots:
        return []
    deliveries = notify_robots(
        robots,
        event=f"warnings.{warning.msg_type.lower()}",
        title=_title(warning),
        body=warning.instruction or warning.description,
        url=reverse("warnings-public:detail", args=[warning.identifier]),
        urgent=warning.colour in (Colour.RED, Colour.ORANGE),
    )
    by_url = {(d.channel, d.target): d for d in deliveries}
    rows = [
        Broadcast(
            warning=warning,
            channel=r.kind,
            target=r.name,
            department_id=r.department_id,
            delivery=by_url.get((r.kind, r.url[:300])),
            recipients=1,
        )
        for r in robots
    ]
    return Broadcast.objects.bulk_create(rows)


def publish_fanout(warning: EarlyWarning, areas: list[Any]) -> int:
    """Everything a publication sends, inside the publishing transaction (rows only; the network
    after commit): subscribers, department robots, the MQTT topics for screens and sirens."""
    from django.db import transaction

    count = notify_subscribers(warning, areas)
    rows = [
        Broadcast(
            warning=warning,
            channel=BroadcastChannel.INBOX,
            target=_("订阅乡镇的群众"),
            recipients=count,
            status=BroadcastStatus.SENT,
        )
    ]
    from .broadcast import mqtt_topics

    mqtt_on = bool(getattr(settings, "MQTT_URL", ""))
    rows += [
        Broadcast(
            warning=warning,
            channel=BroadcastChannel.MQTT,
            target=topic,
            status=BroadcastStatus.QUEUED if mqtt_on else BroadcastStatus.OFF,
        )
        for topic in mqtt_topics(warning, areas)
    ]
    Broadcast.objects.bulk_create(rows)
    notify_departments(warning, areas)
    if mqtt_on:
        from .broadcast import broadcast_mqtt

        pk = warning.pk
        transaction.on_commit(lambda: broadcast_mqtt(pk))
    return count
