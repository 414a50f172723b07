"""Open311 GeoReport v2 (mounted at /open311/v2/): services, requests (GET, POST), request by id;
JSON and XML."""

from django.urls import path, re_path

from . import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(r"^requests/(?P<request_id>[-\w]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[-\w]+)\.(?P<fmt>json|xml)$", open311.token_view, name="token"),
    path("discovery.json", open311.discovery, name="discovery"),
]
