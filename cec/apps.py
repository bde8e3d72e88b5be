from django.apps import AppConfig


class CecConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cec"
    verbose_name = "Continuing education (CECs)"

    def ready(self):
        # CEC history joins the core's kinds of import (credentials.imports.registry),
        # and its records move with the holder when two records are merged.
        from cec import imports_history, merges

        imports_history.register()
        merges.register()

        # Which content version counters its tables move (issue 19).
        from . import content_versions

        content_versions.declare()
