from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    CalculatorView,
    CheckTaskViewSet,
    CommitmentViewSet,
    MajorHazardSourceViewSet,
    RiskObjectViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.register("risk-objects", RiskObjectViewSet, basename="risk-object")
router.register("risk-tasks", CheckTaskViewSet, basename="risk-task")
router.register("major-hazard-sources", MajorHazardSourceViewSet, basename="major-hazard-source")
router.register("safety-commitments", CommitmentViewSet, basename="safety-commitment")
urlpatterns = router.urls + [
    path("major-hazard-calculator/", CalculatorView.as_view(), name="major-hazard-calculator"),
]
