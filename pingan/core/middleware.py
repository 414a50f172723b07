from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import origin


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def real_client_ip(meta: dict) -> str | None:
    """The client's address as the trusted proxies saw it.

    TRUSTED_PROXY_COUNT is how many reverse proxies of our own stand in front of the application
    (0 = none: the peer is the client and X-Forwarded-For, which anyone can send, is ignored). Each
    proxy appends the address it received the request from, so with N proxies the client is the
    N-th entry from the right; anything further left was written by the client and is not believed.
    """
    remote = _valid_ip(meta.get("REMOTE_ADDR", "") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [h for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    if not hops:
        return remote
    hop = hops[-count] if len(hops) >= count else hops[0]
    return _valid_ip(hop) or remote


def client_ip(request: HttpRequest) -> str | None:
    """The real client address (after ClientAddressMiddleware ran, REMOTE_ADDR already is it).
    Used by the audit log, django-axes (AXES_CLIENT_IP_CALLABLE) and the rate limits."""
    if getattr(request, "_pingan_client_ip_done", False):
        return request.META.get("REMOTE_ADDR") or None
    return real_client_ip(request.META)


class ClientAddressMiddleware:
    """First in MIDDLEWARE: replace REMOTE_ADDR with the real client address behind the trusted
    proxies, so that everything after it — lock-out, rate limits, audit — keys on the same address
    and no citizen behind nginx shares a bucket with every other. The proxy's own address is kept
    in META["PINGAN_PROXY_ADDR"]."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = real_client_ip(request.META)
        request.META["PINGAN_PROXY_ADDR"] = request.META.get("REMOTE_ADDR", "")
        request.META["REMOTE_ADDR"] = ip or ""
        request._pingan_client_ip_done = True  # type: ignore[attr-defined]
        return self.get_response(request)


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


# --- Lock-out and rate-limit answers ------------------------------------------------------------


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer once a (username, address) pair is locked: the login page again with one
    message, status 429. The same for a known and an unknown username, a right and a wrong password,
    and for every door (the console login and /admin/), so the answer tells nothing."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    form = AuthenticationForm(request)
    form.errors  # noqa: B018 - an unbound form: build its (empty) error dict before adding to it
    form.cleaned_data = {}
    form.add_error(
        None,
        _("连续登录失败次数过多,请 %(minutes)d 分钟后再试或联系管理员。")
        % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
    )
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": form.non_field_errors()[0]}, status=429)
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", "") if request.method == "POST" else ""},
        status=429,
    )


def ratelimited_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: 429 with a friendly message in the shape the caller reads (Open311 and the
    API: JSON; pages: a short HTML page), and Retry-After."""
    from django.http import JsonResponse
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    message = _("请求过于频繁,请稍后再试。")
    if request.path.startswith("/open311/"):
        response: HttpResponse = JsonResponse([{"code": 429, "description": message}], safe=False, status=429)
    elif request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(
            format_html(
                '<!doctype html><html lang="{}"><meta charset="utf-8"><title>{}</title>'
                '<main style="max-width:32em;margin:4em auto;font-family:sans-serif"><h1>{}</h1><p>{}</p>'
                '<p><a href="/">{}</a></p></main></html>',
                request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "zh-hans",
                message,
                message,
                _("请等待几分钟后重试;如有紧急险情请拨打 119 或 110。"),
                _("返回首页"),
            ),
            status=429,
        )
    response["Retry-After"] = "60"
    return response


def limit(name: str, *, methods: tuple[str, ...] | str | None = None, key: str = "ip") -> Callable:
    """Wrap a view in the named rate limit of settings.RATELIMITS, counted per real client address
    in the shared cache (django-ratelimit). `methods=None` counts every method; ("POST",) only writes.
    Read at request time, so tests and deployments can change the rate without re-importing URLs."""
    from django_ratelimit import ALL
    from django_ratelimit.decorators import ratelimit

    def rate(group: str, request: HttpRequest) -> str:
        return settings.RATELIMITS[name]

    def decorate(view: Callable) -> Callable:
        return ratelimit(
            group=f"pingan:{name}", key=key, rate=rate, method=ALL if methods is None else methods, block=True
        )(view)

    return decorate
