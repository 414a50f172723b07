from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.inspection_act, name="act"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/draw/", views.plan_draw, name="draw"),
    path("registers/", views.registers, name="registers"),
    path("permits/", views.permit_list, name="permits"),
    path("permits/now.geojson", views.permits_geojson, name="permits_geojson"),
    path("documents/<int:pk>.<slug:fmt>", views.document_file, name="document"),
    path("penalties/", views.penalty_list, name="penalties"),
    path("penalties/<int:pk>/<slug:verb>/", views.penalty_act, name="penalty_act"),
    path("statistics/", views.statistics, name="stats"),
    path("statistics/export.xlsx", views.statistics_export, name="stats_export"),
]
