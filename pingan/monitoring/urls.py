from django.urls import path

from . import triage_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.console, name="console"),
    path("rows/", views.console_rows, name="console_rows"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm"),
    path("alarms/<int:pk>/<slug:verb>/", views.alarm_act, name="alarm_act"),
    path("map/", views.sensor_map, name="map"),
    path("sensors/", views.SensorListView.as_view(), name="sensors"),
    path("sensors/<int:pk>/", views.sensor_detail, name="sensor"),
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/import/", views.import_page, name="import"),
    path("dead-letters/", views.DeadLetterListView.as_view(), name="dead_letters"),
    path("triage/", triage_views.triage_queue, name="triage"),
    path("triage/<int:pk>/<slug:verb>/", triage_views.triage_act, name="triage_act"),
    path("triage/rules/<int:pk>/<slug:verb>/", triage_views.triage_rule, name="triage_rule"),
]
