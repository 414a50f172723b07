from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_year, name="open"),
    path("<int:year>/weights/", views.weights, name="weights"),
    path("<int:year>/score/", views.score, name="score"),
    path("<int:year>/publish/", views.publish, name="publish"),
    path("<int:year>/report.pdf", views.report, name="report"),
    path("<int:year>/<str:kind>/<str:code>.pdf", views.unit_report, name="unit_report"),
    path("lists/", views.lists, name="lists"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/sign/", views.list_sign, name="sign"),
]
