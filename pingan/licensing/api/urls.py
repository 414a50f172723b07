from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, LicenceViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("licence-applications", ApplicationViewSet, basename="licence-application")
router.register("licences", LicenceViewSet, basename="licence")
urlpatterns = router.urls
