"""The help centre: for signed-in customers at ``/portal/help/`` (``help``), and for
anyone at ``/help/<unit>/`` (``public_help``, public articles only)."""

from django.urls import path

from zhongtai.knowledge import portal_views

app_name = "help"
urlpatterns = [
    path("", portal_views.help_home, name="home"),
    path("suggest/", portal_views.help_suggest, name="suggest"),
    path("<int:article_id>/", portal_views.help_article, name="article"),
    path("<int:article_id>/feedback/", portal_views.help_feedback, name="feedback"),
]

public_urlpatterns = [
    path("", portal_views.help_home, name="home"),
    path("<int:article_id>/", portal_views.help_article, name="article"),
    path("<int:article_id>/feedback/", portal_views.help_feedback, name="feedback"),
]
public = (public_urlpatterns, "public_help")
