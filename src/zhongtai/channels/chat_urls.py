"""Enterprise chat: WeCom's callback (``/channels/…``, called by WeCom), the chat
sidebar and the WeCom apps page of the workspace (``/agent/…``)."""

from django.urls import path

from zhongtai.channels import chat_views

app_name = "chat"
urlpatterns = [
    path(
        "channels/wecom/<int:app_id>/callback/",
        chat_views.wecom_callback,
        name="wecom_callback",
    ),
    path("agent/sidebar/", chat_views.sidebar, name="sidebar"),
    path("agent/sidebar/ticket/", chat_views.sidebar_ticket, name="sidebar_ticket"),
    path("agent/sidebar/note/", chat_views.sidebar_note, name="sidebar_note"),
    path("agent/sidebar/link/", chat_views.sidebar_link, name="sidebar_link"),
    path("agent/wecom/", chat_views.wecom_apps, name="wecom_apps"),
]
