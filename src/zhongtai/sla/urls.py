"""Reports of the agent workspace, mounted at ``/agent/reports/``."""

from django.urls import path

from zhongtai.sla import views

app_name = "reports"
urlpatterns = [
    path("sla/", views.sla_report, name="sla_report"),
]
