"""Open311 GeoReport v2 (mounted at /open311/v2/): services, requests (GET, POST), request by id;
JSON and XML.

Rate-limited per real client address, with or without api_key: a personal token identifies who
submits, it does not lift the public limit (settings.RATELIMITS "open311_read" / "open311_write")."""

from django.urls import path, re_path

from pingan.core.middleware import limit

from . import open311

read = limit("open311_read", methods=("GET", "HEAD"))
write = limit("open311_write", methods=("POST",))

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", read(open311.services), name="services"),
    re_path(
        r"^services/(?P<code>[-\w]+)\.(?P<fmt>json|xml)$", read(open311.service_definition), name="service"
    ),
    re_path(r"^requests\.(?P<fmt>json|xml)$", write(read(open311.requests_view)), name="requests"),
    re_path(
        r"^requests/(?P<request_id>[-\w]+)\.(?P<fmt>json|xml)$", read(open311.request_detail), name="request"
    ),
    re_path(r"^tokens/(?P<token>[-\w]+)\.(?P<fmt>json|xml)$", read(open311.token_view), name="token"),
    path("discovery.json", read(open311.discovery), name="discovery"),
]
