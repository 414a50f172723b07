from django.urls import path

from . import views

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
]
