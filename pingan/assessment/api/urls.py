from rest_framework.routers import DefaultRouter

from .views import AssessmentViewSet, ResponsibilityListViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("responsibility-lists", ResponsibilityListViewSet, basename="responsibility-list")
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
