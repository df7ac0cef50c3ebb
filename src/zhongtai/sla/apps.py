from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "zhongtai.sla"
    label = "sla"
    verbose_name = _("Service standards")

    def ready(self) -> None:
        from zhongtai.sla import signals  # noqa: F401  (connects the cache invalidation)
