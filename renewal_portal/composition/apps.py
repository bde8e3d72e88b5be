from django.apps import AppConfig


class CompositionConfig(AppConfig):
    """The top layer as an app, so its admin, tasks and management commands are found.
    It has no models: the records it composes belong to the apps below."""

    name = "renewal_portal.composition"
    label = "composition"
    verbose_name = "AASC renewal portal: pages and reports"
