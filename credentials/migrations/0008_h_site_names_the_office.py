"""Issue 17.7: the Site names the office and the portal's address, not example.com."""

from django.db import migrations

from credentials.sites import sync_site


def name_the_site(apps, schema_editor):
    sync_site(apps.get_model("sites", "Site"), apps.get_model("credentials", "OfficeContact"))


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0007_audit_packets"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
