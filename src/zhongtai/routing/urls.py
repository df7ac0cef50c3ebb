"""The routing pages of the workspace, mounted at ``/agent/routing/``."""

from django.urls import path

from zhongtai.routing import views

app_name = "routing"
urlpatterns = [
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("rules/<int:rule_id>/move/", views.rule_move, name="rule_move"),
    path("classifier/", views.classifier_page, name="classifier"),
    path("classifier/settings/", views.classifier_settings, name="classifier_settings"),
    path("classifier/train/", views.classifier_train, name="classifier_train"),
]
