from django.urls import path

from . import views

app_name = "culture"
urlpatterns = [
    path("", views.home, name="home"),
    path("articles/new/", views.new_article, name="new_article"),
    path("cases/new/", views.case_from_incident, name="new_case"),
    path("training/new/", views.new_training, name="new_training"),
    path("activities/new/", views.new_activity, name="new_activity"),
    path("sites/new/", views.new_site, name="new_site"),
    path("sites/<int:pk>/assess/", views.assess_site, name="assess_site"),
    path("volunteers/new/", views.new_volunteer, name="new_volunteer"),
]
