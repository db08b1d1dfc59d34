"""The default instruments, version 1 of each key, published (portal/surveys/defaults.py)."""

from django.db import migrations

from portal.surveys.defaults import create_defaults


def create(apps, schema_editor):
    create_defaults(apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "Question"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_instruments_invitations_responses")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
