from django.urls import path

from . import views

app_name = "licensing"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.application_act, name="act"),
    path("licences/", views.licence_list, name="licences"),
    path("licences/<int:pk>/sanction/", views.licence_act, name="sanction"),
]
