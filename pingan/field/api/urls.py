from rest_framework.routers import DefaultRouter

from .views import FieldViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("field", FieldViewSet, basename="field")
urlpatterns = router.urls
