from rest_framework.routers import DefaultRouter

from .views import (
    CheckItemViewSet,
    DrawVerifyViewSet,
    InspectionViewSet,
    InspectorViewSet,
    PermitViewSet,
    PlanViewSet,
    TargetViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("inspection-items", CheckItemViewSet, basename="inspection-item")
router.register("inspection-targets", TargetViewSet, basename="inspection-target")
router.register("inspectors", InspectorViewSet, basename="inspector")
router.register("inspection-plans", PlanViewSet, basename="inspection-plan")
router.register("inspection-draws", DrawVerifyViewSet, basename="inspection-draw")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("work-permits", PermitViewSet, basename="work-permit")
urlpatterns = router.urls
