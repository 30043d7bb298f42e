from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核"

    def ready(self):
        from assessment.kept import changes

        # responsibility's services tell the kept assessment of their changes (see kept.changes).
        changes.listen()
