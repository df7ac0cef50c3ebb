"""The macro pages of the workspace, mounted at ``/agent/macros/``."""

from django.urls import path

from zhongtai.macros import views

app_name = "macros"
urlpatterns = [
    path("", views.macro_list, name="macro_list"),
    path("new/", views.macro_edit, name="macro_create"),
    path("<int:macro_id>/edit/", views.macro_edit, name="macro_edit"),
    path("<int:macro_id>/used/", views.macro_used, name="macro_used"),
]
