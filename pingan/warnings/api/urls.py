from rest_framework.routers import DefaultRouter

from .views import SubscriptionViewSet, WarningViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("warnings", WarningViewSet, basename="warning")
router.register("warning-subscriptions", SubscriptionViewSet, basename="warning-subscription")
urlpatterns = router.urls
