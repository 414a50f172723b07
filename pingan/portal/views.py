from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pingan.core.nav import portal_entries


def home(request: HttpRequest) -> HttpResponse:
    """The public site. Modules add their public entries with `portal_items` on their AppConfig
    (label, url name, description)."""
    return render(request, "portal/home.html", {"entries": portal_entries()})
