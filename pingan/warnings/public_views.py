"""Public publication: the Atom feed of CAP messages, each CAP message, GeoJSON of active warnings,
and the portal's list + map page (with township subscriptions for people signed in)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pingan.core.actions import ActionError
from pingan.core.permissions import may
from pingan.geo.models import Division

from . import actions, cap, selectors
from .choices import PUBLIC_STATES, Colour, MsgType, State
from .models import EarlyWarning

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 100


def _feature_geometries(w: EarlyWarning) -> list[dict[str, Any]]:
    from shapely.geometry import Point, mapping

    out = []
    for a in w.areas.all():
        if a.polygon:
            out.append({"type": "Polygon", "coordinates": [a.polygon]})
        if a.circle_lat is not None and a.circle_radius_km:
            out.append(mapping(Point(a.circle_lon, a.circle_lat).buffer(a.circle_radius_km / 111.0, 24)))
        if a.division_id and a.division.geometry and not a.polygon:
            out.append(a.division.geometry)
    return out


def geojson_of(warnings: Any) -> dict[str, Any]:
    features = []
    for w in warnings:
        props = {
            "identifier": w.identifier,
            "colour": w.colour if w.colour != Colour.UNKNOWN else "grey",
            "fill": w.colour if w.colour != Colour.UNKNOWN else "grey",
            "fill_opacity": 0.25,
            "label": w.headline,
            "event": w.event,
            "msg_type": w.msg_type,
            "popup": _("%(event)s · %(colour)s · 至 %(expires)s")
            % {
                "event": w.event,
                "colour": Colour(w.colour).label,
                "expires": timezone.localtime(w.expires).strftime("%Y-%m-%d %H:%M"),
            },
            "url": reverse("warnings-public:detail", args=[w.identifier]),
        }
        for geometry in _feature_geometries(w):
            features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def active_geojson(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the warnings in force now (open to everyone)."""
    response = JsonResponse(geojson_of(selectors.active_warnings()))
    response["Cache-Control"] = "public, max-age=60"
    return response


def cap_message(request: HttpRequest, identifier: str) -> HttpResponse:
    """The CAP 1.2 message exactly as published (or as imported)."""
    xml = (
        EarlyWarning.objects.filter(state__in=PUBLIC_STATES, identifier=identifier)
        .values_list("cap_xml", flat=True)
        .first()
    )
    if not xml:
        raise Http404
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + xml, content_type="application/cap+xml; charset=utf-8"
    )


def atom_feed(request: HttpRequest) -> HttpResponse:
    """An Atom feed of the latest public CAP messages, each carried inline and linked (the form the
    importer reads, so other platforms can subscribe to ours).

    Read as plain tuples (no model instances, no areas: the stored CAP XML carries them) and the two
    links built from one reversed pattern each: the feed stays fast however long the history is."""
    # Two steps: the latest ids first (the sort touches small columns only, never the stored XML of
    # the whole history), then those rows.
    latest = list(
        selectors.public_warnings()
        .select_related(None)
        .prefetch_related(None)
        .values_list("pk", flat=True)[:FEED_SIZE]
    )
    rows = {
        r[0]: r[1:]
        for r in EarlyWarning.objects.filter(pk__in=latest).values_list(
            "pk", "identifier", "msg_type", "headline", "sent", "cap_xml"
        )
    }
    items = [rows[pk] for pk in latest if pk in rows]
    me = request.build_absolute_uri(reverse("warnings-public:feed"))
    updated = items[0][3] if items else timezone.now()
    html_base = request.build_absolute_uri(reverse("warnings-public:detail", args=["ID"]))
    xml_base = request.build_absolute_uri(reverse("warnings-public:cap", args=["ID"]))
    labels = dict(MsgType.choices)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<feed xmlns="{ATOM}"><id>{escape(me)}</id><title>{escape(_("清远市突发事件预警信息"))}</title>',
        f'<updated>{cap.cap_time(updated)}</updated><link rel="self" href={quoteattr(me)}/>',
        f"<author><name>{escape(getattr(settings, 'WARNINGS_SENDER', 'pingan'))}</name></author>",
    ]
    for identifier, msg_type, headline, sent, cap_xml in items:
        quoted = quote(identifier, safe="")
        html = html_base.replace("/ID/", f"/{quoted}/")
        xml = xml_base.replace("/ID.xml", f"/{quoted}.xml")
        title = f"[{labels.get(msg_type, msg_type)}] {headline}"
        parts.append(
            f"<entry><id>urn:cap:{escape(identifier)}</id><title>{escape(title)}</title>"
            f"<updated>{cap.cap_time(sent)}</updated>"
            f'<link rel="alternate" type="text/html" href={quoteattr(html)}/>'
            f'<link rel="related" type="application/cap+xml" href={quoteattr(xml)}/>'
            # The stored message is a complete XML element with its own namespace declaration.
            f'<content type="application/cap+xml">{cap_xml}</content></entry>'
        )
    parts.append("</feed>")
    return HttpResponse("".join(parts), content_type="application/atom+xml; charset=utf-8")


def warning_list(request: HttpRequest) -> HttpResponse:
    """The portal page: the map and list of warnings in force, the recently ended ones, subscriptions."""
    active = list(selectors.active_warnings()[:200])
    ended = list(
        selectors.public_warnings()
        .exclude(pk__in=[w.pk for w in active])
        .exclude(msg_type=MsgType.CANCEL)[:20]
    )
    user = request.user
    subs = list(selectors.subscriptions_for(user).filter(user=user.pk)) if user.is_authenticated else []
    ctx = {
        "active": active,
        "ended": ended,
        "subscriptions": subs,
        "may_subscribe": may(user, "warnings.subscribe"),
        "towns": (
            list(Division.objects.filter(level="town").select_related("parent").order_by("code"))
            if may(user, "warnings.subscribe")
            else []
        ),
        "layers": [
            {
                "url": reverse("warnings-public:geojson"),
                "name": _("生效预警"),
                "kind": "areas",
                "fillOpacity": 0.25,
                "weight": 2,
            }
        ],
        "legend": [(c.label, c.value) for c in Colour if c != Colour.UNKNOWN],
        "Colour": Colour,
        "State": State,
    }
    return render(request, "warnings/public/list.html", ctx)


def warning_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    w = selectors.public_warnings().filter(identifier=identifier).select_related("original").first()
    if w is None:
        raise Http404
    followups = list(
        EarlyWarning.objects.filter(
            original=w, state__in=[State.PUBLISHED, State.SUPERSEDED, State.CANCELLED, State.EXPIRED]
        ).order_by("sent")
    )
    return render(
        request,
        "warnings/public/detail.html",
        {"w": w, "followups": followups, "areas": list(w.areas.all()), "Colour": Colour, "State": State},
    )


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("login") + "?next=" + reverse("warnings-public:list"))
    division = Division.objects.filter(code=request.POST.get("division", "")).first()
    try:
        if division is None:
            raise ActionError(_("请选择乡镇或街道"), field="division")
        actions.do_subscribe(request.user, division)
        messages.success(request, _("已订阅%(town)s的预警") % {"town": division.name})
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("warnings-public:list")


@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    sub = selectors.subscriptions_for(request.user).filter(pk=pk, user=request.user.pk).first()
    if sub is None:
        raise Http404
    actions.do_unsubscribe(request.user, sub)
    messages.success(request, _("已取消订阅"))
    return redirect("warnings-public:list")
