from rest_framework.routers import DefaultRouter

from .views import CategoryViewSet, HazardCaseViewSet, RoutingRuleViewSet, TrackingViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("hazards", HazardCaseViewSet, basename="hazard")
router.register("hazard-categories", CategoryViewSet, basename="hazard-category")
router.register("hazard-routes", RoutingRuleViewSet, basename="hazard-route")
router.register("hazard-tracking", TrackingViewSet, basename="hazard-tracking")
urlpatterns = router.urls
