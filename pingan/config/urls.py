"""URL map. Each app owns `urls.py` (pages, mounted under its prefix) and `api/urls.py`
(mounted under /api/v1/); adding a module adds one line in each list below."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pingan.core import views as core_views
from pingan.core.middleware import limit
from pingan.org.views import LoginView

# Login POSTs per client address, whatever the username (django-axes locks a username+address pair).
login_limit = limit("login", methods=("POST",))

api_v1 = [
    path("", include(("pingan.geo.api.urls", "geo-api"))),
    path("", include(("pingan.org.api.urls", "org-api"))),
    path("", include(("pingan.notify.api.urls", "notify-api"))),
    path("", include(("pingan.hazards.api.urls", "hazards-api"))),
    path("", include(("pingan.monitoring.api.urls", "monitoring-api"))),
    path("", include(("pingan.emergency.api.urls", "emergency-api"))),
    path("", include(("pingan.rescue.api.urls", "rescue-api"))),
    path("", include(("pingan.warnings.api.urls", "warnings-api"))),
    path("", include(("pingan.risks.api.urls", "risks-api"))),
    path("", include(("pingan.inspections.api.urls", "inspections-api"))),
    path("", include(("pingan.licensing.api.urls", "licensing-api"))),
    path("", include(("pingan.field.api.urls", "field-api"))),
    path("", include(("pingan.plans.api.urls", "plans-api"))),
    path("", include(("pingan.assessment.api.urls", "assessment-api"))),
]

urlpatterns = [
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", include("pingan.portal.urls")),
    path("report/", include("pingan.hazards.public_urls")),
    path("open311/v2/", include("pingan.hazards.open311_urls")),
    path("commitments/", include("pingan.risks.public_urls")),
    path("console/", include("pingan.core.urls")),
    path("console/command/", include("pingan.dashboard.urls")),
    path("console/assessment/", include("pingan.assessment.urls")),
    path("console/inbox/", include("pingan.notify.urls")),
    path("console/geo/", include("pingan.geo.urls")),
    path("console/org/", include("pingan.org.urls")),
    path("console/hazards/", include("pingan.hazards.urls")),
    path("console/monitoring/", include("pingan.monitoring.urls")),
    path("console/emergency/", include("pingan.emergency.urls")),
    path("console/rescue/", include("pingan.rescue.urls")),
    path("console/warnings/", include("pingan.warnings.urls")),
    path("warnings/", include("pingan.warnings.public_urls")),
    path("console/culture/", include("pingan.culture.urls")),
    path("learn/", include("pingan.culture.public_urls")),
    path("console/risks/", include("pingan.risks.urls")),
    path("accounts/login/", login_limit(LoginView.as_view()), name="login"),
    path("console/inspections/", include("pingan.inspections.urls")),
    path("inspections/", include("pingan.inspections.public_urls")),
    path("console/licensing/", include("pingan.licensing.urls")),
    path("console/plans/", include("pingan.plans.urls")),
    path("licensing/", include("pingan.licensing.public_urls")),
    path("field/", include("pingan.field.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", login_limit(admin.site.login)),  # the same policy as the console's door
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# Uploaded files are never served straight from MEDIA_ROOT, not even in DEBUG: original photos keep
# their location metadata, so every file goes through a view that checks scope (and strips it
# for the public).

# A path under /api/ that matches no route answers the API's JSON error body, not the HTML page.
handler404 = "pingan.core.errors.page_not_found"
