from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .nav import home_for, nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        from pingan.notify.models import Message

        unread = Message.objects.filter(recipient=user, read_at=None).count()
    return {
        "nav_items": nav_for(user),
        "home": home_for(user),
        "unread_count": unread,
        "map_settings": {
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": list(settings.MAP_CENTER),
            "zoom": settings.MAP_ZOOM,
            # Without tiles every map draws the division boundaries and names (geo.basemap).
            "basemapUrl": "" if settings.MAP_TILE_URL else _basemap_url(),
            "texts": {
                "basemap": _("行政区划"),
                "layers": _("图层"),
                "counties": _("区县界"),
                "towns": _("乡镇街道界"),
                "approximate": _("乡镇边界为示意(合成),不是官方边界"),
                "details": _("详情"),
            },
        },
    }


def _basemap_url() -> str:
    try:
        return reverse("geo-api:division-basemap")
    except NoReverseMatch:
        return ""
