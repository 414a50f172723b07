from django.urls import path

from . import public_views as v

app_name = "warnings-public"
urlpatterns = [
    path("", v.warning_list, name="list"),
    path("feed.atom", v.atom_feed, name="feed"),
    path("active.geojson", v.active_geojson, name="geojson"),
    path("cap/<str:identifier>.xml", v.cap_message, name="cap"),
    path("subscribe/", v.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/delete/", v.unsubscribe, name="unsubscribe"),
    path("<str:identifier>/", v.warning_detail, name="detail"),
]
