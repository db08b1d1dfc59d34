"""Mentoring: certified trainers offer, coordinators pair, mentors follow and log their meetings.

Each write with a rule is here. A pairing takes a place of the offer's capacity under row locks on
the participant's application and the offer, so two coordinators pairing the last place (or the
same participant) at once are served one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from institutes.models import Application, Institute, Module
from portal import notifications, states
from portal.emails import absolute_url, queue_email
from portal.models import NotificationPreference, User
from portal.states import DomainError
from trainers.models import Certification, MentoringMeeting, MentorOffer, Mentorship

PAIRED_KIND = "trainers.mentor_paired"


class MentoringError(DomainError):
    """A mentoring rule said no; the message is shown as it is."""


def register_email_kinds() -> None:
    notifications.register_kind(PAIRED_KIND, NotificationPreference.Category.TRANSACTIONAL)


def offer_to_mentor(
    trainer: User, *, module: Module, region: str, capacity: int, note: str = "", is_open: bool = True
) -> MentorOffer:
    """Offer (or change the offer) to mentor the next cohorts of ``module``."""
    if not Certification.objects.active().filter(participant=trainer, module=module).exists():
        raise MentoringError(
            f"Mentoring is offered for a module you hold an active certification for; {module} is not one."
        )
    if not 1 <= capacity <= 6:
        raise MentoringError("Offer to mentor from 1 to 6 people at a time.")
    offer, _ = MentorOffer.objects.update_or_create(
        trainer=trainer,
        module=module,
        defaults={"region": region.strip(), "capacity": capacity, "note": note, "is_open": is_open},
    )
    return offer


def pair(offer: MentorOffer, application: Application, *, by: User) -> Mentorship:
    """Pair the offer's trainer with a participant of the module's next cohort."""
    institute = application.institute
    if application.status != Application.Status.ACCEPTED:
        raise MentoringError("Mentors are paired with accepted participants only.")
    if institute.module_id != offer.module_id:
        raise MentoringError(f"{offer.trainer.display_name} mentors {offer.module}, not {institute.module}.")
    if institute.status == Institute.Status.COMPLETED:
        raise MentoringError(
            "This institute is completed: mentors are paired with a cohort still to come or under way."
        )
    if offer.trainer_id == application.applicant_id:
        raise MentoringError("Nobody mentors themselves.")
    with transaction.atomic():
        # The participant's row, then the offer's, always in that order: two coordinators pairing
        # the same participant, or the offer's last place, are served one after the other.
        Application.objects.select_for_update().only("pk").get(pk=application.pk)
        offer = MentorOffer.objects.select_for_update(of=("self",)).select_related("trainer").get(pk=offer.pk)
        if not offer.is_open:
            raise MentoringError(f"{offer.trainer.display_name} is not taking new mentees at the moment.")
        if Mentorship.objects.active().filter(application=application).exists():
            raise MentoringError(
                f"{application.applicant.display_name} already has a mentor: end that pairing first."
            )
        load = offer.mentorships.active().count()
        if load >= offer.capacity:
            raise MentoringError(
                f"{offer.trainer.display_name} already mentors {load} of the {offer.capacity} people they offered to."
            )
        mentorship = Mentorship.objects.create(
            offer=offer, mentor_id=offer.trainer_id, application=application, paired_by=by
        )
        states.record(
            application,
            action="mentor:paired",
            by=by,
            note=f"{offer.trainer.display_name} mentors this participant.",
        )
        _tell_both(mentorship, offer.trainer, application)
    return mentorship


def _tell_both(mentorship: Mentorship, mentor: User, application: Application) -> None:
    """The mentor and the mentee each hear of the pairing, once."""
    mentee = application.applicant
    institute = application.institute
    queue_email(
        to=mentor.email,
        kind=PAIRED_KIND,
        template="emails/notice",
        subject=f"You now mentor {mentee.display_name}",
        context={
            "recipient": mentor,
            "lines": [
                f"Thank you for offering to mentor. The coordinator has paired you with {mentee.display_name}"
                f" of {institute.title}.",
                "Their page shows their assignments and practice feedback; score their practice facilitations"
                " there and keep notes of your meetings.",
            ],
            "action_url": absolute_url(reverse("trainers:mentee", kwargs={"pk": mentorship.pk})),
            "action_label": f"Open {mentee.display_name}'s page",
        },
        about=mentorship,
        user=mentor,
    )
    queue_email(
        to=mentee.email,
        kind=PAIRED_KIND,
        template="emails/notice",
        subject=f"{mentor.display_name} is your mentor",
        context={
            "recipient": mentee,
            "lines": [
                f"{mentor.display_name}, a certified trainer of {institute.module}, will mentor you during"
                f" {institute.title}: they follow your progress, give feedback on your practice"
                " facilitations and meet with you.",
                f"You can write to them at {mentor.email}.",
            ],
            "action_url": absolute_url(
                reverse("institutes:application-practice", kwargs={"pk": application.pk})
            ),
            "action_label": "Your practice facilitations",
        },
        about=mentorship,
        user=mentee,
    )


def end_pairing(mentorship: Mentorship, *, by: User) -> Mentorship:
    with transaction.atomic():
        mentorship = states.lock(mentorship)
        if mentorship.ended_at is not None:
            return mentorship
        mentorship.ended_at = timezone.now()
        mentorship.save(update_fields=["ended_at", "updated_at"])
        states.record(mentorship.application, action="mentor:ended", by=by)
    return mentorship


def log_meeting(mentorship: Mentorship, *, met_on: date, notes: str, by: User) -> MentoringMeeting:
    if not mentorship.is_active:
        raise MentoringError("This pairing has ended; meetings are logged while it lasts.")
    if met_on > timezone.localdate():
        raise MentoringError("Log a meeting once it has taken place.")
    return MentoringMeeting.objects.create(mentorship=mentorship, met_on=met_on, notes=notes, logged_by=by)


@dataclass
class Suggestion:
    application: Application
    current: Mentorship | None
    offers: list  # MentorOffer with .load, best first: same region, then fewest mentees


def suggestions(institute: Institute) -> list[Suggestion]:
    """For each accepted participant: their mentor, or the open offers with room, best first.

    The offers and their loads come in one query; matching them to participants is done here.
    """
    offers = list(
        MentorOffer.objects.filter(module_id=institute.module_id, is_open=True)
        .with_load()
        .select_related("trainer__agency")
        .order_by("trainer__name")
    )
    participants = list(
        institute.applications.accepted().select_related("applicant", "agency").order_by("applicant__name")
    )
    current = {
        m.application_id: m
        for m in Mentorship.objects.active().filter(application__institute=institute).select_related("mentor")
    }
    out = []
    for application in participants:
        region = application.agency.region if application.agency else ""
        room = [o for o in offers if o.load < o.capacity and o.trainer_id != application.applicant_id]
        room.sort(key=lambda o: (not (region and o.region == region), o.load, o.trainer.display_name))
        out.append(Suggestion(application=application, current=current.get(application.pk), offers=room))
    return out
