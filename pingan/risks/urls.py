from django.urls import path

from . import lifeline_views, views

app_name = "risks"
urlpatterns = [
    path("", views.object_list, name="list"),
    path("new/", views.object_create, name="create"),
    path("<int:pk>/", views.object_detail, name="detail"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("records/<int:pk>/photo/", views.record_photo, name="record_photo"),
    path("map/", views.map_view, name="map"),
    path("major-hazards/", views.mhs_list, name="mhs_list"),
    path("major-hazards/new/", views.mhs_create, name="mhs_create"),
    path("major-hazards/<int:pk>/", views.mhs_detail, name="mhs_detail"),
    path("calculator/", views.calculator, name="calculator"),
    path("commitments/", views.commitments, name="commitments"),
    path("major-hazards/<int:pk>/live/", lifeline_views.mhs_live, name="mhs_live"),
    path("major-hazards/<int:pk>/monitor/", lifeline_views.mhs_monitor, name="mhs_monitor"),
    path("lifelines/", lifeline_views.lifeline_list, name="lifelines"),
    path("lifelines/new/", lifeline_views.lifeline_create, name="lifeline_create"),
    path("lifelines/map.geojson", lifeline_views.lifeline_geojson, name="lifeline_geojson"),
    path("lifelines/<int:pk>/", lifeline_views.lifeline_detail, name="lifeline"),
    path("lifelines/<int:pk>/live/", lifeline_views.lifeline_live, name="lifeline_live"),
]
