from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.create, name="create"),
    path("map/", views.map_view, name="map"),
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    path("routes/", views.routes, name="routes"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.act, name="act"),
    path("<int:pk>/plan/", views.plan, name="plan"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/task/", views.task, name="task"),
    path("<int:pk>/supervision/", views.supervision, name="supervision"),
    path("<int:pk>/cotask/", views.finish_cotask, name="finish_cotask"),
    path("<int:pk>/attachments/", views.attachments, name="attachments"),
    path("<int:pk>/attachments/<uuid:public_id>/", views.attachment, name="attachment"),
    path("<int:pk>/notices/", views.issue_notice, name="issue_notice"),
    path("<int:pk>/notices/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo, name="photo"),
]
