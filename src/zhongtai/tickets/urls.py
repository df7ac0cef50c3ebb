"""The agent workspace, mounted at ``/agent/``; tickets are addressed by their number."""

from django.urls import path

from zhongtai.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("sla/badges/", views.queue_sla, name="queue_sla"),
    path("tickets/bulk-assign/", views.ticket_bulk_assign, name="ticket_bulk_assign"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:number>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/update/", views.ticket_update, name="ticket_update"),
    path("tickets/<int:number>/status/", views.ticket_transition, name="ticket_transition"),
    path("tickets/<int:number>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:number>/take/", views.ticket_take, name="ticket_take"),
    path("tickets/<int:number>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("tickets/<int:number>/handback/", views.ticket_handback, name="ticket_handback"),
    path("tickets/<int:number>/merge/", views.ticket_merge, name="ticket_merge"),
    path("tickets/<int:number>/children/", views.ticket_child_create, name="ticket_child_create"),
    path("tickets/<int:number>/presence/", views.ticket_presence, name="ticket_presence"),
    path("tickets/<int:number>/sla/", views.ticket_sla, name="ticket_sla"),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/view/",
        views.attachment_view,
        name="attachment_view",
    ),
]
