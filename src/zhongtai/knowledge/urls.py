"""The knowledge pages of the workspace, mounted at ``/agent/knowledge/``."""

from django.urls import path

from zhongtai.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_edit, name="article_create"),
    path("<int:article_id>/", views.article_detail, name="article_detail"),
    path("<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("<int:article_id>/transition/", views.article_transition, name="article_transition"),
    path("<int:article_id>/diff/", views.article_diff, name="article_diff"),
]
