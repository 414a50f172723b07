"""The field app's pages: the shell (one page; the phone keeps it and its data for offline use), the
service worker and the web manifest — all from the platform's own origin, under /field/."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pingan.core.permissions import console_view, may

ASSETS = ("field/app.js", "field/app.css", "field/icon.svg", "field/icon-192.png")


@cache
def version() -> str:
    """Changes whenever an asset changes, so a new service worker replaces the cached shell."""
    digest = hashlib.sha256()
    for name in ASSETS:
        found = finders.find(name)
        if found:
            digest.update(Path(str(found)).read_bytes())
    digest.update((Path(__file__).parent / "templates/field/app.html").read_bytes())
    return digest.hexdigest()[:12]


@never_cache
@console_view("field.use")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "field/app.html",
        {
            "version": version(),
            "may": {
                "inspect": may(user, "field.inspect"),
                "report": may(user, "field.report_hazard"),
                "check": may(user, "field.check"),
            },
        },
    )


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render(
        request,
        "field/sw.js",
        {"version": version(), "assets": [static(a) for a in ASSETS], "shell": reverse("field:home")},
        content_type="text/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = reverse("field:home")
    return body


def manifest(request: HttpRequest) -> JsonResponse:
    home_url = reverse("field:home")
    data = {
        "name": _("平安 · 移动端"),
        "short_name": _("平安移动"),
        "description": _("执法检查、隐患上报和风险排查,无网络时也能记录,联网后同步"),
        "start_url": home_url,
        "scope": home_url,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b71c1c",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
