"""A database restored from a backup starts a new content epoch (issue 19): its counters
are the backup's, lower than those the page cache and the workers' catalog reads have
already seen, so without a new epoch the restored timeline would meet page entries
rendered from the lost one under the same version numbers."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from credentials import content_versions
from credentials.models import ContentVersion, OfficeContact
from renewal_portal.composition import backups
from tests.factories.renewal_states import renewal_due

pytestmark = [pytest.mark.django_db, pytest.mark.clock(2026, 11, 25), pytest.mark.postgres]

RENEWAL = reverse("credentials:renewal")


def _signed_in(holder):
    client = Client()
    client.force_login(holder)
    return client


def _lost_timeline_written_without_counting(holder):
    """What a restore amounts to for the counters: data the cache has seen is replaced
    while the counters go back to the backup's values. Here the holder's first name
    changes and the holder's counter is put back where it was, with the triggers off."""
    before = dict(ContentVersion.objects.values_list("pk", "version"))
    content_versions.REGISTRY.drop_for_migrate(connection)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE credentials_user DISABLE TRIGGER USER")
                cursor.execute(
                    "UPDATE credentials_user SET first_name = %s WHERE id = %s",
                    ["Restored", holder.pk],
                )
                cursor.execute("ALTER TABLE credentials_user ENABLE TRIGGER USER")
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE credentials_user SET first_name = %s WHERE id = %s",
                    ["Restored", holder.pk],
                )
        for pk, version in before.items():
            ContentVersion.objects.filter(pk=pk).update(version=version)
    finally:
        content_versions.REGISTRY.install(connection)


def test_a_new_epoch_moves_every_version_the_signed_in_user_carries(holder):
    renewal_due(holder)
    client = _signed_in(holder)

    def versions():
        user = client.get(RENEWAL).wsgi_request.user
        return (user.holder_version, user.catalog_version, user.review_version)

    before = versions()
    content_versions.start_new_epoch()
    after = versions()
    assert all(old != new for old, new in zip(before, after, strict=True))


def test_after_a_restore_a_page_of_the_lost_timeline_is_not_served(holder):
    renewal_due(holder)
    client = _signed_in(holder)
    client.get(RENEWAL)
    assert "Restored" not in client.get(RENEWAL).content.decode()

    _lost_timeline_written_without_counting(holder)
    content_versions.start_new_epoch()

    response = client.get(RENEWAL)
    assert response.templates, "the page of the lost timeline was served from the cache"
    assert "Restored" in response.content.decode()


def test_restoring_a_backup_starts_a_new_epoch(tmp_path, monkeypatch):
    OfficeContact.objects.get_or_create(pk=1)
    started = []
    monkeypatch.setattr(backups, "load_database", lambda folder, alias: None)
    monkeypatch.setattr(backups, "load_media", lambda folder: None)
    monkeypatch.setattr(
        backups,
        "read_manifest",
        lambda archive: {
            "format": backups.FORMAT_VERSION,
            "database": connection.vendor,
            "counts": {},
        },
    )
    monkeypatch.setattr(backups.tarfile, "open", _EmptyTar)
    monkeypatch.setattr(
        content_versions, "start_new_epoch", lambda using="default": started.append(using)
    )
    backups.restore_backup(tmp_path / "archive.tar")
    assert started == ["default"]


class _EmptyTar:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def extractall(self, *args, **kwargs):
        pass
