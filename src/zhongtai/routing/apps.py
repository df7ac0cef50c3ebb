from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "zhongtai.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from zhongtai.routing import loads, signals  # noqa: F401  (cache invalidation)

        post_migrate.connect(loads.migrated, sender=self, dispatch_uid="routing_loads")
