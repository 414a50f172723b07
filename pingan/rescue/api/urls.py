from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("rescue/teams", views.TeamViewSet, basename="rescue-team")
router.register("rescue/members", views.MemberViewSet, basename="rescue-member")
router.register("rescue/experts", views.ExpertViewSet, basename="rescue-expert")
router.register("rescue/shelters", views.ShelterViewSet, basename="rescue-shelter")
router.register("rescue/warehouses", views.WarehouseViewSet, basename="rescue-warehouse")
router.register("rescue/networks", views.RoadNetworkViewSet, basename="rescue-network")
router.register("rescue/exercises", views.ExerciseViewSet, basename="rescue-exercise")
router.register("rescue/mobilisations", views.MobilisationViewSet, basename="rescue-mobilisation")
router.register("rescue/coverage-runs", views.CoverageRunViewSet, basename="rescue-coverage-run")
router.register("rescue/siting-runs", views.SitingRunViewSet, basename="rescue-siting-run")

urlpatterns = [path("rescue/dispatch/", views.DispatchView.as_view(), name="rescue-dispatch"), *router.urls]
