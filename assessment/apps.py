from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核"

    def ready(self):
        from django.db import connections
        from django.db.backends.signals import connection_created

        from assessment.results import memo

        # Every write through Django renews the data's generation (see memo).
        connection_created.connect(memo.install, dispatch_uid="assessment.results.memo.install")
        for connection in connections.all(initialized_only=True):
            memo.install(connection)
