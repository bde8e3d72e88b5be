# Issue 20: each credential's opaque badge identifier and its status list index.

import uuid

from django.db import migrations, models


def give_badge_ids(apps, schema_editor):
    Credential = apps.get_model("credentials", "Credential")
    batch = []
    for credential in Credential.objects.filter(badge_id__isnull=True).only("pk").iterator():
        credential.badge_id = uuid.uuid4()
        batch.append(credential)
        if len(batch) >= 1000:
            Credential.objects.bulk_update(batch, ["badge_id"])
            batch = []
    if batch:
        Credential.objects.bulk_update(batch, ["badge_id"])


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0011_merge_20261204_1055'),
    ]

    operations = [
        migrations.AddField(
            model_name='credential',
            name='badge_id',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_badge_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='credential',
            name='badge_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name='credential',
            name='status_index',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='historicalcredential',
            name='badge_id',
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
        migrations.AddField(
            model_name='historicalcredential',
            name='status_index',
            field=models.PositiveIntegerField(blank=True, db_index=True, editable=False, null=True),
        ),
    ]
