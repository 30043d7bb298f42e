from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = "责任体系"

    def ready(self):
        from . import roles

        post_migrate.connect(roles.sync_role_groups, sender=self)
