from django.urls import path

from . import config_views, triage_views, views

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
    path("sensors/<int:pk>/override/<int:rule_pk>/", config_views.rule_override, name="rule_override"),
    path("devices/<int:pk>/edit/", config_views.device_edit, name="device_edit"),
    path("rules/", config_views.rule_list, name="rules"),
    path("rules/<int:pk>/", config_views.rule_edit, name="rule_edit"),
    path("policies/", config_views.policy_list, name="policies"),
    path("policies/new/", config_views.policy_edit, name="policy_create"),
    path("policies/<int:pk>/", config_views.policy_edit, name="policy_edit"),
    path("silences/", config_views.silence_list, name="silences"),
    path("silences/new/", config_views.silence_create, name="silence_create"),
    path("silences/<int:pk>/", config_views.silence_edit, name="silence_edit"),
    path("silences/<int:pk>/end/", config_views.silence_end, name="silence_end"),
    path("dead-letters/", views.DeadLetterListView.as_view(), name="dead_letters"),
    path("triage/", triage_views.triage_queue, name="triage"),
    path("triage/<int:pk>/<slug:verb>/", triage_views.triage_act, name="triage_act"),
    path("triage/rules/<int:pk>/<slug:verb>/", triage_views.triage_rule, name="triage_rule"),
]
