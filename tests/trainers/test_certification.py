import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import OutboundEmail
from tests.factories import UserFactory
from tests.institutes.factories import coordinator_of
from tests.trainers.factories import completed_institute
from trainers import services
from trainers.models import Certification

pytestmark = pytest.mark.django_db


def test_certify_participant_who_completed():
    institute, (ana, _), _ = completed_institute()
    staff = coordinator_of(institute)
    certification = services.certify_participant(institute, ana, by=staff)
    assert certification.module == institute.module
    assert certification.institute == institute
    assert certification.issued_on == timezone.localdate()
    assert certification.issued_by == staff
    assert certification.status == Certification.Status.ACTIVE
    email = OutboundEmail.objects.get()
    assert email.kind == "trainers.certified"
    assert email.recipient == ana.email
    assert certification.code in email.body_text


def test_certify_participant_who_has_not_completed_is_refused_with_the_reason():
    institute, _, (ben,) = completed_institute()
    with pytest.raises(services.TrainerError) as exc:
        services.certify_participant(institute, ben, by=None)
    assert "has not completed the institute yet: Absent from the session on" in str(exc.value)
    assert Certification.objects.count() == 0


def test_certify_someone_not_on_the_roster_is_refused():
    institute, _, _ = completed_institute()
    with pytest.raises(services.TrainerError, match="not an accepted participant"):
        services.certify_participant(institute, UserFactory(), by=None)


def test_certify_completed_certifies_all_who_completed_once():
    institute, done, not_done = completed_institute(participants=3, incomplete=2)
    first = services.certify_completed(institute, by=None)
    assert sorted(c.participant.pk for c in first.certified) == sorted(u.pk for u in done)
    assert sorted(p.pk for p, _ in first.refused) == sorted(u.pk for u in not_done)
    assert all(missing for _, missing in first.refused)
    second = services.certify_completed(institute, by=None)
    assert second.certified == []
    assert len(second.already) == 3
    assert Certification.objects.count() == 3
    assert OutboundEmail.objects.filter(kind="trainers.certified").count() == 3


def test_certify_roster_page_and_actions(client_for, coordinator):
    institute, (ana, bea), (ben,) = completed_institute()
    client = client_for(coordinator_of(institute, coordinator))
    page = client.get(reverse("trainers:certify-roster", args=[institute.pk]))
    assert page.status_code == 200
    assert "Certify all 2 who completed" in page.content.decode()
    response = client.post(reverse("trainers:certify-one", args=[institute.pk, ana.pk]))
    assert response.status_code == 302
    assert Certification.objects.filter(participant=ana).count() == 1
    response = client.post(reverse("trainers:certify-one", args=[institute.pk, ben.pk]), follow=True)
    assert "has not completed the institute yet" in response.content.decode()
    response = client.post(reverse("trainers:certify-all", args=[institute.pk]), follow=True)
    assert f"Certified 1: {bea}." in response.content.decode()
    assert set(Certification.objects.values_list("participant", flat=True)) == {ana.pk, bea.pk}


def test_only_this_institutes_coordinators_certify(client_for, coordinator, user):
    institute, (ana, _), _ = completed_institute()
    for person in (coordinator, user):
        client = client_for(person)
        assert client.get(reverse("trainers:certify-roster", args=[institute.pk])).status_code == 403
        assert client.post(reverse("trainers:certify-all", args=[institute.pk])).status_code == 403
        assert client.post(reverse("trainers:certify-one", args=[institute.pk, ana.pk])).status_code == 403
    assert Certification.objects.count() == 0


def test_certify_one_with_unknown_person_is_404(client_for, coordinator):
    institute, _, _ = completed_institute()
    client = client_for(coordinator_of(institute, coordinator))
    assert client.post(reverse("trainers:certify-one", args=[institute.pk, 999999])).status_code == 404


def test_coordinator_revokes_from_the_certificate_page(client, coordinator):
    institute, (ana, _), _ = completed_institute()
    staff = coordinator_of(institute, coordinator)
    certification = services.certify_participant(institute, ana, by=staff)
    client.force_login(staff)
    url = reverse("trainers:certificate-revoke", args=[certification.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Certified by mistake."}).status_code == 302
    certification.refresh_from_db()
    assert certification.status == Certification.Status.REVOKED
    response = client.get(reverse("trainers:verify-code", args=[certification.code]))
    assert "Revoked certificate" in response.content.decode()
