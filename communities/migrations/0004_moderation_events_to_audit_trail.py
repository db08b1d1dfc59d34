"""Copy every ModerationEvent into the portal's one audit trail.

Each entry is about the community (the moderation log is the community's); the thread, post and
member the event named go into ``details`` by id, so the entry outlives them. Data only; the next
migration removes the old table. Reversible: going back rebuilds ModerationEvent rows from the
entries about communities (a thread, post or member that no longer exists is left empty) and
removes them from the trail.
"""

from django.db import migrations

BATCH = 2000


def _content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="communities", model="community")[0]


def forward(apps, schema_editor):
    ModerationEvent = apps.get_model("communities", "ModerationEvent")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    content_type = _content_type(apps)
    batch = []
    for event in ModerationEvent.objects.order_by("created_at", "pk").iterator(chunk_size=BATCH):
        details = {"thread": event.thread_id, "post": event.post_id, "member": event.subject_user_id}
        batch.append(
            AuditEntry(
                content_type_id=content_type.pk,
                object_id=event.community_id,
                actor_id=event.actor_id,
                at=event.created_at,
                action=event.action,
                note=event.note,
                details={key: pk for key, pk in details.items() if pk is not None},
            )
        )
        if len(batch) >= BATCH:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


def backward(apps, schema_editor):
    ModerationEvent = apps.get_model("communities", "ModerationEvent")
    Community = apps.get_model("communities", "Community")
    Thread = apps.get_model("communities", "Thread")
    Post = apps.get_model("communities", "Post")
    User = apps.get_model("portal", "User")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    entries = AuditEntry.objects.filter(content_type=_content_type(apps))
    communities = set(Community.objects.values_list("pk", flat=True))
    threads = set(Thread.objects.values_list("pk", flat=True))
    posts = set(Post.objects.values_list("pk", flat=True))
    users = set(User.objects.values_list("pk", flat=True))

    def existing(pk, among):
        return pk if pk in among else None

    ModerationEvent.objects.bulk_create(
        [
            ModerationEvent(
                community_id=entry.object_id,
                actor_id=entry.actor_id,
                action=entry.action[:40],
                thread_id=existing(entry.details.get("thread"), threads),
                post_id=existing(entry.details.get("post"), posts),
                subject_user_id=existing(entry.details.get("member"), users),
                note=entry.note[:300],
                created_at=entry.at,
            )
            for entry in entries.order_by("at", "pk").iterator(chunk_size=BATCH)
            if entry.object_id in communities
        ],
        batch_size=BATCH,
    )
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("communities", "0003_search_vector"),
        ("portal", "0005_audit_trail"),
    ]

    operations = [migrations.RunPython(forward, backward)]
