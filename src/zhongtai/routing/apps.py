from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "zhongtai.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from zhongtai.routing import signals  # noqa: F401  (cache invalidation)
