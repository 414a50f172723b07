from django.urls import path

from . import public_views as v
from . import views

app_name = "culture-public"
urlpatterns = [
    path("", v.home, name="home"),
    path("articles/<int:pk>/", v.article, name="article"),
    path("courses/<int:pk>/", v.course, name="course"),
    path("courses/<int:pk>/start/", v.start, name="start"),
    path("courses/<int:pk>/lessons/<int:lesson_pk>/", v.lesson, name="lesson"),
    path("courses/<int:pk>/quiz/", v.quiz, name="quiz"),
    path("certificates/<str:code>.pdf", v.certificate_pdf, name="certificate"),
    path("verify/", v.verify, name="verify"),
    path("sites.geojson", views.sites_geojson, name="sites"),
]
