from rest_framework.routers import DefaultRouter

from .views import (
    CheckItemViewSet,
    DrawVerifyViewSet,
    EnforcementDocumentViewSet,
    InspectionViewSet,
    InspectorViewSet,
    PenaltyViewSet,
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
router.register("enforcement-documents", EnforcementDocumentViewSet, basename="enforcement-document")
router.register("penalties", PenaltyViewSet, basename="penalty")
urlpatterns = router.urls
