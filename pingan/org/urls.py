from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise-list"),
    path("enterprises/geojson/", views.EnterpriseGeoJSONView.as_view(), name="enterprise-geojson"),
    path("enterprises/import/", views.EnterpriseImportView.as_view(), name="enterprise-import"),
    path("enterprises/new/", views.EnterpriseEditView.as_view(), name="enterprise-create"),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise-edit"),
    path("departments/", views.DepartmentListView.as_view(), name="department-list"),
    path("workspace/", views.workspace_view, name="workspace"),
]
