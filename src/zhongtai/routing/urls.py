"""The routing pages of the workspace, mounted at ``/agent/routing/``."""

from django.urls import path

from zhongtai.routing import people_views, views

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
    path("status/", people_views.status_set, name="status"),
    path("people/", people_views.board, name="people"),
    path("people/<int:user_id>/", people_views.profile_edit, name="profile"),
    path("teams/<int:team_id>/overflow/", people_views.team_overflow, name="team_overflow"),
    path("teams/<int:team_id>/surge/", people_views.team_surge, name="team_surge"),
    path("teams/<int:team_id>/surge/enrol/", people_views.surge_enrol, name="surge_enrol"),
    path(
        "teams/<int:team_id>/surge/<int:user_id>/remove/",
        people_views.surge_unenrol,
        name="surge_unenrol",
    ),
]
