from rest_framework.routers import DefaultRouter

from .views import ActivationViewSet, PlanViewSet, TaskViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-activations", ActivationViewSet, basename="plan-activation")
router.register("plan-tasks", TaskViewSet, basename="plan-task")
urlpatterns = router.urls
