from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    verbose_name = "Holders and credentials"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import roles

        # Keep each role's permissions in step with roles.py after every migrate.
        post_migrate.connect(roles.sync_roles_after_migrate)
