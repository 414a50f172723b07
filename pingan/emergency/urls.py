from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("", views.console, name="console"),
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/geojson/", views.incidents_geojson, name="incidents_geojson"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/supplement/", views.incident_supplement, name="incident_supplement"),
    path("incidents/<int:pk>/response/", views.incident_response, name="incident_response"),
    path("incidents/<int:pk>/grade/", views.incident_grade, name="incident_grade"),
    path("incidents/<int:pk>/finding/", views.incident_finding, name="incident_finding"),
    path("incidents/<int:pk>/close/", views.incident_close, name="incident_close"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/docx/", views.report_docx, name="report_docx"),
    path("reports/<int:pk>/send/", views.report_send, name="report_send"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("grade/", views.calculator, name="calculator"),
    path("posts/", views.PostListView.as_view(), name="posts"),
    path("posts/<int:pk>/", views.roster, name="roster"),
    path("posts/<int:pk>/month/", views.roster_month, name="roster_month"),
    path("posts/<int:pk>/handover/", views.handover, name="handover"),
    path("rotations/<int:pk>/generate/", views.rotation_generate, name="rotation_generate"),
    path("shifts/<int:pk>/swap/", views.swap_request, name="swap_request"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap_decide"),
    path("duty.ics", views.my_ical, name="my_ical"),
    path("people/<int:user_pk>/duty.ics", views.my_ical, name="person_ical"),
    path("sanfang/", views.sanfang_list, name="sanfang_list"),
    path("sanfang/<int:pk>/", views.sanfang_detail, name="sanfang"),
    path("sanfang/<int:pk>/change/", views.sanfang_change, name="sanfang_change"),
    path("sanfang/reports/<int:pk>/submit/", views.sanfang_submit, name="sanfang_submit"),
]
