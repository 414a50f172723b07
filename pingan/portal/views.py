from __future__ import annotations

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The public site. Modules add their public entries with `portal_items` on their AppConfig
    (label, url name, description)."""
    from django.urls import NoReverseMatch, reverse

    entries = []
    for config in apps.get_app_configs():
        for label, url_name, description in getattr(config, "portal_items", ()):
            try:
                entries.append({"label": label, "url": reverse(url_name), "description": description})
            except NoReverseMatch:
                continue
    return render(request, "portal/home.html", {"entries": entries})
