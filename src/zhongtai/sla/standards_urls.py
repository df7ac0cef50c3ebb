"""The service standards pages of the workspace, mounted at ``/agent/standards/``."""

from django.urls import path

from zhongtai.sla import standards_views as views

app_name = "standards"
urlpatterns = [
    path("", views.standards_home, name="home"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_id>/delete/", views.policy_delete, name="policy_delete"),
    path("policies/<int:policy_id>/move/", views.policy_move, name="policy_move"),
    path("calendars/new/", views.calendar_edit, name="calendar_create"),
    path("calendars/<int:calendar_id>/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:calendar_id>/dates/", views.calendar_date_set, name="calendar_date_set"),
    path(
        "calendars/<int:calendar_id>/dates/<str:day>/clear/",
        views.calendar_date_clear,
        name="calendar_date_clear",
    ),
    path(
        "calendars/<int:calendar_id>/holidays/", views.calendar_holidays, name="calendar_holidays"
    ),
]
