from django.db import migrations

GROUP = "State office"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    """The state office: program leadership who read reach, impact and survey results."""

    dependencies = [("portal", "0006_outbound_email_template")]
    operations = [migrations.RunPython(create_group, remove_group)]
