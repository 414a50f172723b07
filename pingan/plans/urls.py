from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_edit, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/retire/", views.plan_retire, name="retire"),
    path("<int:pk>/filing/", views.plan_filing, name="filing"),
    path("<int:pk>/evaluate/", views.plan_evaluate, name="evaluate"),
    path("<int:pk>/attach/", views.plan_attach, name="attach"),
    path("<int:pk>/drill/", views.plan_drill, name="drill"),
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("drills/from-exercise/", views.exercise_drill, name="exercise_drill"),
    path("match/", views.match, name="match"),
    path("activations/", views.activation_list, name="activations"),
    path("activations/<int:pk>/", views.board, name="board"),
    path("activations/<int:pk>/rows/", views.board_rows, name="board_rows"),
    path("activations/<int:pk>/stand-down/", views.stand_down, name="stand_down"),
    path("activations/<int:pk>/review/", views.review, name="review"),
    path("tasks/<int:pk>/", views.task_update, name="task_update"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
