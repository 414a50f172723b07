from django.urls import path

from . import views

app_name = "warnings"
urlpatterns = [
    path("", views.WarningListView.as_view(), name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
    path("<int:pk>/<str:verb>/", views.step, name="step"),
]
