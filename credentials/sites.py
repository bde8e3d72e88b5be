"""The Sites framework's one Site names the office and the portal's real address.

django-allauth greets and signs its emails with the current Site ("Hello from …"); left
at Django's default it reads "example.com", which a holder would take for phishing. The
Site is set from SITE_URL and the office's name by a data migration and kept in step
after every migrate (SITE_URL follows the port in `make run`) and whenever staff rename
the office in admin.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site

DEFAULT_OFFICE_NAME = "Apartment Association of Southern Colorado (AASC)"


def site_domain(site_url: str) -> str:
    """The host (and port, if any) of the portal's address: what the Site calls its domain."""
    return urlsplit(site_url).netloc or site_url


def office_name(office_contact_model) -> str:
    return name_of_office(office_contact_model.objects.order_by("pk").first())


def name_of_office(office) -> str:
    """The office's name from its contact details (an OfficeContact or None)."""
    return (office.name if office else "") or DEFAULT_OFFICE_NAME


def sync_site(site_model, office_contact_model) -> None:
    """Point the current Site at SITE_URL under the office's name (models passed in, so a
    migration can call it with its historical models)."""
    site_model.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={
            "domain": site_domain(settings.SITE_URL)[:100],
            "name": office_name(office_contact_model)[:50],
        },
    )


def sync_site_after_migrate(sender, using="default", apps=None, **kwargs):
    """post_migrate: the Site follows SITE_URL (which may have changed since last run)."""
    if apps is None:
        return
    try:
        site_model = apps.get_model("sites", "Site")
        office_contact_model = apps.get_model("credentials", "OfficeContact")
    except LookupError:
        return  # migrating to a state before these models exist
    sync_site(site_model, office_contact_model)
    site_model.objects.clear_cache()


def sync_site_after_office_saved(sender, instance, **kwargs):
    """post_save of OfficeContact: staff renamed the office."""
    sync_site(Site, sender)
    Site.objects.clear_cache()
