"""The knowledge pages of the workspace, mounted at ``/agent/knowledge/``."""

from django.urls import path

from zhongtai.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_edit, name="article_create"),
    path("settings/", views.knowledge_settings, name="settings"),
    path("report/", views.knowledge_report, name="report"),
    path("<int:article_id>/", views.article_detail, name="article_detail"),
    path("<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("<int:article_id>/transition/", views.article_transition, name="article_transition"),
    path("<int:article_id>/diff/", views.article_diff, name="article_diff"),
    path("tickets/<int:number>/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<int:number>/case/", views.case_from_ticket, name="case_from_ticket"),
    path("tickets/<int:number>/use/<int:article_id>/", views.ticket_use, name="ticket_use"),
    path("tickets/<int:number>/vote/<int:article_id>/", views.ticket_vote, name="ticket_vote"),
]
