"""The Customer 360 pages of the workspace, mounted at ``/agent/customers/``."""

from django.urls import path

from zhongtai.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("new/", views.customer_edit, name="customer_create"),
    path("settings/", views.customer_settings, name="settings"),
    path("<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:customer_id>/history/", views.customer_history, name="customer_history"),
    path("<int:customer_id>/notes/", views.note_add, name="note_add"),
    path("<int:customer_id>/tier/", views.tier_override, name="tier_override"),
    path("<int:customer_id>/contacts/", views.contact_add, name="contact_add"),
    path("<int:customer_id>/identities/", views.identity_add, name="identity_add"),
    path("<int:customer_id>/assets/", views.customer_assets, name="customer_assets"),
    path(
        "<int:customer_id>/identities/<int:identity_id>/remove/",
        views.identity_remove,
        name="identity_remove",
    ),
    path("<int:customer_id>/contracts/", views.contract_add, name="contract_add"),
    path(
        "<int:customer_id>/contracts/<int:contract_id>/remove/",
        views.contract_delete,
        name="contract_delete",
    ),
]
