"""The community-event survey, version 1, published (portal/surveys/defaults.py: create_defaults
only adds the instruments that do not exist yet)."""

from django.db import migrations

from portal.surveys.defaults import create_defaults


def create(apps, schema_editor):
    create_defaults(apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "Question"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_default_instruments")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
