"""URL map: the agent workspace, the customer portal, the API and Django admin."""

from django.contrib import admin
from django.urls import include, path

from zhongtai.core.api import api
from zhongtai.core.views import healthz, home
from zhongtai.knowledge.portal_urls import public as help_public

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("zhongtai.accounts.urls")),
    path("agent/reports/", include("zhongtai.sla.urls")),
    path("agent/standards/", include("zhongtai.sla.standards_urls")),
    path("agent/routing/", include("zhongtai.routing.urls")),
    path("agent/knowledge/", include("zhongtai.knowledge.urls")),
    path("agent/macros/", include("zhongtai.macros.urls")),
    path("agent/customers/", include("zhongtai.customers.urls")),
    path("agent/webhooks/", include("zhongtai.channels.urls")),
    path("agent/mailboxes/", include("zhongtai.channels.mail_urls")),
    path("", include("zhongtai.channels.chat_urls")),
    path("agent/", include("zhongtai.tickets.urls")),
    path("portal/help/", include("zhongtai.knowledge.portal_urls")),
    path("portal/", include("zhongtai.tickets.portal_urls")),
    path("help/<slug:unit>/", include(help_public)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
