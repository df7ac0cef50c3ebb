"""The outbound webhook pages of the workspace, mounted at ``/agent/webhooks/``."""

from django.urls import path

from zhongtai.channels import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="webhook_list"),
    path("new/", views.webhook_edit, name="webhook_create"),
    path("<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
    path("<int:webhook_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path("<int:webhook_id>/rotate-secret/", views.webhook_rotate, name="webhook_rotate"),
    path("<int:webhook_id>/ping/", views.webhook_ping, name="webhook_ping"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="delivery_replay"),
]
