from django.urls import path

from . import views

app_name = "licensing-public"
urlpatterns = [path("track/", views.track, name="track")]
