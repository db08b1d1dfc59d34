"""Copy every StatusChange into the portal's one audit trail (same object, who, when, from, to, note).

Data only; the next migration removes the old table. Reversible: going back copies the status
moves of certifications, reports and honoraria into StatusChange again and removes them from
the trail.
"""

from django.db import migrations

BATCH = 2000
MODELS = ["certification", "facilitationreport", "honorarium"]


def forward(apps, schema_editor):
    StatusChange = apps.get_model("trainers", "StatusChange")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    batch = []
    for change in StatusChange.objects.order_by("at", "pk").iterator(chunk_size=BATCH):
        batch.append(
            AuditEntry(
                content_type_id=change.content_type_id,
                object_id=change.object_id,
                actor_id=change.by_id,
                at=change.at,
                action=f"status:{change.to_status}",
                from_status=change.from_status,
                to_status=change.to_status,
                note=change.note,
                details={},
            )
        )
        if len(batch) >= BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StatusChange = apps.get_model("trainers", "StatusChange")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    entries = AuditEntry.objects.filter(
        content_type__in=ContentType.objects.filter(app_label="trainers", model__in=MODELS)
    ).exclude(to_status="")
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                content_type_id=entry.content_type_id,
                object_id=entry.object_id,
                by_id=entry.actor_id,
                at=entry.at,
                from_status=entry.from_status,
                to_status=entry.to_status,
                note=entry.note,
            )
            for entry in entries.order_by("at", "pk").iterator(chunk_size=BATCH)
        ],
        batch_size=BATCH,
    )
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("trainers", "0001_initial"),
        ("portal", "0005_audit_trail"),
    ]

    operations = [migrations.RunPython(forward, backward)]
