from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "credentials.badges"
    label = "badges"
    verbose_name = "Open Badges"

    def ready(self):
        from credentials.signals import credential_standing_changed

        from . import receivers

        credential_standing_changed.connect(
            receivers.standing_changed, dispatch_uid="badges.standing_changed"
        )
