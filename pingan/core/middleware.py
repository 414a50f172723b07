from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import origin


def client_ip(request: HttpRequest) -> str | None:
    # Behind the deployment's reverse proxy the first X-Forwarded-For hop is the client; the
    # proxy is trusted to overwrite it (docs/operations.md).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") or request.path.startswith("/open311/") else "web"
        request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex[:16]
        with origin(channel, client_ip(request), request_id[:64]):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id[:64]
        return response
