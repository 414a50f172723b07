from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.DivisionIndexView.as_view(), name="index"),
    path("import/", views.import_view, name="import"),
    path("level/<str:level>/", views.DivisionLevelView.as_view(), name="level"),
    path("d/<str:code>/", views.DivisionDetailView.as_view(), name="detail"),
]
