"""The project's URLs plus the hazard public pages and Open311, for tests run before (or without)
their mounting in config/urls.py."""

from django.urls import include, path

from pingan.config.urls import urlpatterns as project

mounted = {getattr(p, "namespace", None) for p in project}
urlpatterns = list(project)
if "hazards-public" not in mounted:
    urlpatterns.append(path("report/", include("pingan.hazards.public_urls")))
if "open311" not in mounted:
    urlpatterns.append(path("open311/v2/", include("pingan.hazards.open311_urls")))
