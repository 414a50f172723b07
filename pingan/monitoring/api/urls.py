from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import AlarmViewSet, DeadLetterViewSet, DeviceViewSet, IngestReadingsView, SensorViewSet

router = DefaultRouter()
router.register("devices", DeviceViewSet, basename="device")
router.register("sensors", SensorViewSet, basename="sensor")
router.register("alarms", AlarmViewSet, basename="alarm")
router.register("dead-letters", DeadLetterViewSet, basename="deadletter")
urlpatterns = [path("ingest/readings/", IngestReadingsView.as_view(), name="ingest-readings")] + router.urls
