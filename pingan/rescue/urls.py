from django.urls import path

from . import views

app_name = "rescue"
urlpatterns = [
    path("", views.TeamListView.as_view(), name="teams"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="team"),
    path("teams.geojson", views.teams_geojson, name="teams-geojson"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("dispatch/request/", views.request_mobilisation, name="request"),
    path("mobilisations/", views.MobilisationListView.as_view(), name="mobilisations"),
    path("mobilisations/<int:pk>/", views.MobilisationDetailView.as_view(), name="mobilisation"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<int:pk>/", views.coverage_run, name="coverage-run"),
    path("coverage/<int:pk>/points.geojson", views.coverage_geojson, name="coverage-geojson"),
    path("runs/<str:kind>/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("siting/", views.siting, name="siting"),
    path("siting/<int:pk>/", views.siting_run, name="siting-run"),
    path("siting/<int:pk>/sites.geojson", views.siting_geojson, name="siting-geojson"),
    path("exercises/", views.ExerciseListView.as_view(), name="exercises"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("networks/", views.networks, name="networks"),
    path("resources/", views.resources, name="resources"),
    path("shelters/", views.public_shelters, name="public-shelters"),
    path("shelters.geojson", views.public_shelters_geojson, name="public-shelters-geojson"),
    path("edit/<str:kind>/new/", views.edit_record, name="create"),
    path("edit/<str:kind>/<int:pk>/", views.edit_record, name="edit"),
    path("teams/<int:team_pk>/<str:kind>/new/", views.edit_team_part, name="team-part-create"),
    path("teams/<int:team_pk>/<str:kind>/<int:pk>/", views.edit_team_part, name="team-part-edit"),
    path("teams/<int:pk>/readiness/", views.set_readiness, name="readiness"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("warehouses/<int:warehouse_pk>/items/new/", views.edit_stock_item, name="stock-create"),
    path("warehouses/<int:warehouse_pk>/items/<int:pk>/", views.edit_stock_item, name="stock-edit"),
    path("stock/<int:pk>/move/", views.move_stock, name="stock-move"),
    path("exercises/new/", views.edit_exercise, name="exercise-create"),
    path("exercises/<int:pk>/", views.ExerciseDetailView.as_view(), name="exercise"),
    path("exercises/<int:pk>/edit/", views.edit_exercise, name="exercise-edit"),
]
