"""Public pages (mounted at /report/): report a hazard, track it by code, answer after closure."""

from django.urls import path

from . import public_views

app_name = "hazards-public"
urlpatterns = [
    path("", public_views.report, name="report"),
    path("track/", public_views.track_form, name="track_form"),
    path("track/<str:code>/", public_views.track, name="track"),
    path("track/<str:code>/photo/<int:photo_id>/", public_views.track_photo, name="track_photo"),
    path("photo/<int:photo_id>/", public_views.public_photo, name="photo"),
    path("mine/", public_views.mine, name="mine"),
]
