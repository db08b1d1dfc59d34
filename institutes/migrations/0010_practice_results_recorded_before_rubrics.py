"""Every practice result there is so far was set by hand by a coordinator: say so, so that it keeps
its meaning (it stands until a scored facilitation decides anew under the rubric's rule)."""

from django.db import migrations



def mark_recorded(apps, schema_editor):
    PracticeResult = apps.get_model("institutes", "PracticeResult")
    PracticeResult.objects.filter(rubric__isnull=True).update(basis="recorded")


def unmark(apps, schema_editor):
    PracticeResult = apps.get_model("institutes", "PracticeResult")
    PracticeResult.objects.filter(basis="recorded").update(basis="rubric")


class Migration(migrations.Migration):
    dependencies = [("institutes", "0009_practice_rubrics")]

    operations = [migrations.RunPython(mark_recorded, unmark)]
