from django.apps import AppConfig


class CecConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cec"
    verbose_name = "Continuing education (CECs)"

    def ready(self):
        # CEC history joins the core's kinds of import (credentials.imports.registry).
        # And its records move with the holder when two records are merged.
        from cec import imports_history, merges
        from credentials.services.merges import register_merge_part

        imports_history.register()
        register_merge_part(merges.PART)
