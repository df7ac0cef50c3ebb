from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "zhongtai.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # (they register how articles, cases and tickets show as search hits)
        from zhongtai.knowledge import selectors, ticket_docs  # noqa: F401
