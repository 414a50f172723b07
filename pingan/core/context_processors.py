from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

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
        },
    }
