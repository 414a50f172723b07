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
    path("organisations/new/", views.new_organisation, name="new_organisation"),
    path("organisations/<int:pk>/", views.edit_organisation, name="edit_organisation"),
    path("organisations/<int:pk>/team/", views.organisation_team, name="organisation_team"),
    path("lessons/new/", views.new_lesson, name="new_lesson"),
    path("lessons/<int:pk>/", views.edit_lesson, name="edit_lesson"),
]
