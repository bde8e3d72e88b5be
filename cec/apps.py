from django.apps import AppConfig


class CecConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cec"
    verbose_name = "Continuing education (CECs)"
