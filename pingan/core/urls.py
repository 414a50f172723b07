from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("palette.css", views.palette_css, name="palette-css"),
    path("audit/", views.AuditListView.as_view(), name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit-export"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/calendar/", views.calendar, name="calendar"),
    path("settings/calendar/<int:pk>/delete/", views.calendar_delete, name="calendar-delete"),
]
