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
]
