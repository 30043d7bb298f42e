from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ResponsibilityConfig(AppConfig):
    name = "responsibility"
    verbose_name = "责任体系"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import roles
        from .middleware import stamp_session_refresh

        post_migrate.connect(roles.sync_role_groups, sender=self)
        user_logged_in.connect(stamp_session_refresh)
