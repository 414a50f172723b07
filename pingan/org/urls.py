from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise-list"),
    path("enterprises/geojson/", views.EnterpriseGeoJSONView.as_view(), name="enterprise-geojson"),
    path("enterprises/import/", views.EnterpriseImportView.as_view(), name="enterprise-import"),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise-detail"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
]
