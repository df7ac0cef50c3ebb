"""URLs of the customer portal, mounted at /portal/; requests go by their per-tenant number."""

from django.urls import path

from zhongtai.sla import portal_views as sla_portal_views
from zhongtai.tickets import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.ticket_list, name="ticket_list"),
    path("new/", portal_views.ticket_create, name="ticket_create"),
    path("commitments/", sla_portal_views.commitments, name="commitments"),
    path("<int:number>/", portal_views.ticket_detail, name="ticket_detail"),
    path("<int:number>/reply/", portal_views.ticket_reply, name="ticket_reply"),
    path("<int:number>/solve/", portal_views.ticket_solve, name="ticket_solve"),
    path(
        "<int:number>/files/<int:attachment_id>/",
        portal_views.attachment_download,
        name="attachment_download",
    ),
]
