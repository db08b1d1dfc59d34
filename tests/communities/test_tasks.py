from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import Membership
from communities.tasks import send_daily_digests
from portal.models import OutboundEmail
from tests.communities.factories import MembershipFactory, PostFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def test_daily_digest_sends_one_email_with_the_days_posts_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    thread = ThreadFactory(title="Persistence ideas")
    reader = MembershipFactory(community=thread.community, notify=Membership.Notify.DIGEST).user
    services.follow_thread(user=reader, thread=thread)
    PostFactory(thread=thread, body="Call absent learners on day two.")
    PostFactory(thread=thread, body="Celebrate attendance streaks.")
    PostFactory(thread=thread, body="Old news", created_at=timezone.now() - timedelta(days=3))
    PostFactory(thread=thread, author=reader, body="My own post")

    with django_capture_on_commit_callbacks(execute=True):
        first = send_daily_digests.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_daily_digests.delay().get()

    assert (first, second) == (1, 0)
    assert [m.to for m in mailoutbox] == [[reader.email]]
    body = mailoutbox[0].body
    assert "Call absent learners on day two." in body
    assert "Celebrate attendance streaks." in body
    assert "Old news" not in body
    assert "My own post" not in body
    assert OutboundEmail.objects.get().milestone == timezone.localdate().isoformat()


def test_digest_skips_immediate_readers_and_people_who_follow_nothing():
    thread = ThreadFactory()
    immediate = MembershipFactory(community=thread.community).user
    services.follow_thread(user=immediate, thread=thread)
    MembershipFactory(community=thread.community, notify=Membership.Notify.DIGEST)
    PostFactory(thread=thread)

    assert services.send_daily_digests() == 0


def test_digest_leaves_out_hidden_posts():
    thread = ThreadFactory()
    reader = MembershipFactory(community=thread.community, notify=Membership.Notify.DIGEST).user
    services.follow_community(user=reader, community=thread.community)
    PostFactory(thread=thread, hidden=True)

    assert services.send_daily_digests() == 0


def test_event_reminders_run_every_ten_minutes_from_beat_and_send_each_once(
    settings, django_capture_on_commit_callbacks, mailoutbox
):
    from communities import events
    from communities.tasks import send_event_reminders
    from tests.communities.factories import event

    assert settings.CELERY_BEAT_SCHEDULE["event-reminders"] == {
        "task": "communities.send_event_reminders",
        "schedule": 600.0,
    }
    soon = event(starts=timezone.now() + timedelta(minutes=50), title="Starts soon")
    person = MembershipFactory(community=soon.community).user
    events.register(soon, person)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = send_event_reminders.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_event_reminders.delay().get()
    assert (first, second) == (1, 0)
    assert [(m.to, m.subject) for m in mailoutbox] == [([person.email], "In an hour: Starts soon")]
    assert "https://meet.example.org/zq-room-link" in mailoutbox[0].body
