from django.urls import path

from . import views

app_name = "inspections-public"
urlpatterns = [
    path("results/", views.results, name="results"),
    path("draws/", views.verify_index, name="verify_index"),
    path("draws/<int:pk>/", views.verify, name="verify"),
]
