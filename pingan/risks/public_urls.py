from django.urls import path

from . import public_views

app_name = "risks-public"
urlpatterns = [
    path("", public_views.commitments, name="commitments"),
]
