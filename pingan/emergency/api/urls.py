from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("emergency/incidents", views.IncidentViewSet, basename="incident")
router.register("emergency/reports", views.ReportViewSet, basename="report")
router.register("emergency/duty-posts", views.DutyPostViewSet, basename="dutypost")
router.register("emergency/shifts", views.ShiftViewSet, basename="shift")
router.register("emergency/sanfang-responses", views.SanfangResponseViewSet, basename="sanfangresponse")
router.register("emergency/sanfang-reports", views.SanfangReportViewSet, basename="sanfangreport")
urlpatterns = [
    path("emergency/on-duty/", views.OnDutyView.as_view(), name="on-duty"),
    path("emergency/grade/", views.GradeView.as_view(), name="grade"),
    *router.urls,
]
