"""Copy every ApplicationEvent into the portal's one audit trail (same who, when, from, to, note).

Data only; the next migration removes the old table. Reversible: going back copies the entries
about applications into ApplicationEvent again and removes them from the trail.
"""

from django.db import migrations

BATCH = 2000


def _content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="institutes", model="application")[0]


def forward(apps, schema_editor):
    ApplicationEvent = apps.get_model("institutes", "ApplicationEvent")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    content_type = _content_type(apps)
    batch = []
    for event in ApplicationEvent.objects.order_by("created_at", "pk").iterator(chunk_size=BATCH):
        batch.append(
            AuditEntry(
                content_type_id=content_type.pk,
                object_id=event.application_id,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                at=event.created_at,
                action=event.action,
                from_status=event.from_status,
                to_status=event.to_status,
                note=event.note,
                details={},
            )
        )
        if len(batch) >= BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


def backward(apps, schema_editor):
    ApplicationEvent = apps.get_model("institutes", "ApplicationEvent")
    Application = apps.get_model("institutes", "Application")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    entries = AuditEntry.objects.filter(content_type=_content_type(apps))
    existing = set(Application.objects.values_list("pk", flat=True))
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application_id=entry.object_id,
                actor_id=entry.actor_id,
                actor_label=entry.actor_label,
                created_at=entry.at,
                action=entry.action[:40],
                from_status=entry.from_status[:12],
                to_status=entry.to_status[:12],
                note=entry.note,
            )
            for entry in entries.order_by("at", "pk").iterator(chunk_size=BATCH)
            if entry.object_id in existing
        ],
        batch_size=BATCH,
    )
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("institutes", "0002_application_applicationevent_assignment_and_more"),
        ("portal", "0005_audit_trail"),
    ]

    operations = [migrations.RunPython(forward, backward)]
