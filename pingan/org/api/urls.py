from rest_framework.routers import DefaultRouter

from .views import DepartmentViewSet, EnterpriseViewSet, PersonViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("people", PersonViewSet, basename="person")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
urlpatterns = router.urls
