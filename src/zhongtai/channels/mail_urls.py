"""The mailbox pages of the workspace, mounted at ``/agent/mailboxes/``."""

from django.urls import path

from zhongtai.channels import mail_views

app_name = "mail"
urlpatterns = [
    path("", mail_views.mailbox_list, name="mailbox_list"),
    path("<int:mailbox_id>/", mail_views.mailbox_detail, name="mailbox_detail"),
    path("<int:mailbox_id>/delete/", mail_views.mailbox_delete, name="mailbox_delete"),
    path("mail/<int:inbound_id>/again/", mail_views.inbound_reprocess, name="inbound_reprocess"),
    path("mail/<int:inbound_id>/raw/", mail_views.inbound_raw, name="inbound_raw"),
]
