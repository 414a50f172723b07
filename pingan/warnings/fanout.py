"""Who is told of a published warning: the subscribers of the townships its areas touch.

Its own module so that actions (publish) and services (what other apps import) both use it without
importing each other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from pingan.geo.models import Division

from .choices import Colour, MsgType
from .models import EarlyWarning, Subscription


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


def subscribers(warning: EarlyWarning, areas: list[Any] | None = None) -> list[Any]:
    areas = list(warning.areas.select_related("division")) if areas is None else areas
    towns = townships_in(areas)
    subs = Subscription.objects.filter(
        division__in=Division.objects.filter(towns).values("pk")
    ).select_related("user")
    return [s.user for s in subs]


def notify_subscribers(warning: EarlyWarning, areas: list[Any] | None = None) -> int:
    """Tell the subscribers of the townships in the warning's areas (one bulk insert, constant queries)."""
    from pingan.notify.services import notify

    people = subscribers(warning, areas)
    if not people:
        return 0
    if warning.msg_type == MsgType.CANCEL:
        title = _("预警解除:%(headline)s") % {"headline": warning.headline}
    else:
        title = _("%(colour)s预警:%(headline)s") % {
            "colour": Colour(warning.colour).label,
            "headline": warning.headline,
        }
    url = reverse("warnings-public:detail", args=[warning.identifier])
    messages = notify(
        people,
        event=f"warnings.{warning.msg_type.lower()}",
        title=title,
        body=warning.instruction or warning.description,
        url=url,
        urgent=warning.colour in (Colour.RED, Colour.ORANGE),
    )
    return len(messages)
