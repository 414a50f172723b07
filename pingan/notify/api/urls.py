from rest_framework.routers import DefaultRouter

from .views import InboxViewSet, PreferenceViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("inbox", InboxViewSet, basename="inbox")
router.register("notification-preferences", PreferenceViewSet, basename="notification-preference")
urlpatterns = router.urls
