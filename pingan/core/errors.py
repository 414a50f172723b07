"""Error pages that answer in the caller's language: JSON under /api/, HTML elsewhere.

A URL under /api/ that matches no route (an id that is not a number, ``/api/v1/work-permits/-1.5/``)
used to get Django's HTML 404 page, which an API client cannot read and the schema does not promise.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: the API's error body for /api/ paths, the site's 404 page for the rest."""
    if request.path.startswith("/api/"):
        body: dict[str, Any] = {"errors": [{"field": None, "code": "not_found", "message": _("未找到。")}]}
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]
