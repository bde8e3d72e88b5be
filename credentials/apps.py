from django.apps import AppConfig
from django.core import checks

from renewal_portal.infra import admin_dates, autocomplete, ids


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    verbose_name = "Holders and credentials"

    def ready(self):
        from allauth.account.signals import password_reset
        from django.db.models.signals import post_migrate, post_save, pre_migrate

        from . import account_email, content_versions, roles, sites
        from .models import OfficeContact

        # Content versions (issue 19): the triggers that keep them, after every migrate.
        content_versions.declare()
        pre_migrate.connect(content_versions.drop_before_migrate, sender=self)
        post_migrate.connect(content_versions.install_after_migrate, sender=self)
        checks.register(content_versions.triggers_check, checks.Tags.database, deploy=True)
        # Keep each role's permissions in step with roles.py after every migrate.
        post_migrate.connect(roles.sync_roles_after_migrate)
        # The Site (allauth's emails) names the office and SITE_URL, after every migrate.
        post_migrate.connect(sites.sync_site_after_migrate, sender=self)
        post_save.connect(sites.sync_site_after_office_saved, sender=OfficeContact)
        # Ids from outside never overflow an `in` query (issue 15 item 15).
        ids.register_lookups()
        # People in admin pickers are named with their email (issue 17 item 19).
        autocomplete.install()
        # A holder who chose a password through the emailed link has proven the address.
        password_reset.connect(account_email.address_proven_by_password_reset)
        # A hostile drill-down year in an admin list is a notice, not a 500.
        admin_dates.install()
