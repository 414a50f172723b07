"""Public pages (mounted at /report/): report a hazard, track it by code, answer after closure.

Every page is rate-limited per real client address in the shared cache (settings.RATELIMITS,
pingan.core.middleware.limit): a flood of reports, code guessing on the tracking pages and photo
scraping get a 429."""

from django.urls import path

from pingan.core.middleware import limit

from . import public_views

WRITE = ("POST",)

app_name = "hazards-public"
urlpatterns = [
    path("", limit("report", methods=WRITE)(public_views.report), name="report"),
    path("track/", limit("track")(public_views.track_form), name="track_form"),
    path("track/<str:code>/", limit("track")(public_views.track), name="track"),
    # Photos by their random public_id (never the sequential primary key: nothing to enumerate).
    path(
        "track/<str:code>/photo/<uuid:photo_id>/",
        limit("photo")(public_views.track_photo),
        name="track_photo",
    ),
    path("photo/<uuid:photo_id>/", limit("photo")(public_views.public_photo), name="photo"),
    path("mine/", public_views.mine, name="mine"),
]
