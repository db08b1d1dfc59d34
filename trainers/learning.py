"""Turnkey trainings credit professional-learning hours (the engine: portal.learning).

A participant present at a training session earns that session's hours; the credit's source is
the session, so a two-day training is two credits, each on its own date. Credits follow the
roster: marking someone present, taking the mark back, a walk-in or a check-in with the room's
code each recompute the session's credits (``credit_session``, a fixed handful of queries).

Credits go to an account, found from the registration: the account it was made with
(``Registration.person``), else the account with that e-mail address verified. A registrant
without an account earns nothing yet, but nothing is lost either: the attendance stays on the
registration, and when they create an account and confirm that e-mail address (allauth's
``email_confirmed``), every session they attended under it is credited (``credit_email``). A
session still to come earns nothing; attendance for a day still to come is refused
(``attendance._present``).
"""

from __future__ import annotations

from decimal import Decimal

from allauth.account.models import EmailAddress
from django.utils import timezone

from portal.learning import services as learning
from portal.learning.models import Kind
from trainers.models import SessionAttendance, TrainingSession


def accounts_for(emails: set[str]) -> dict[str, int]:
    """Verified e-mail address -> account id (one query)."""
    if not emails:
        return {}
    rows = EmailAddress.objects.filter(email__in=emails, verified=True).values_list("email", "user_id")
    return {email.lower(): user_id for email, user_id in rows}


def credit_session(session: TrainingSession) -> None:
    """Make the session's credits match who was present (four queries, whoever came)."""
    session = TrainingSession.objects.select_related("training__module").get(pk=session.pk)
    on = timezone.localdate(session.starts_at)
    if on > timezone.localdate():
        learning.withdraw_source(session)
        return
    # Someone who was there and cancelled later (the second date of two) keeps the hours earned.
    rows = list(
        SessionAttendance.objects.filter(session=session).values_list(
            "registration__person_id", "registration__email"
        )
    )
    by_email = accounts_for({email for person_id, email in rows if person_id is None})
    people = {person_id or by_email.get(email) for person_id, email in rows} - {None}
    hours: Decimal = session.hours
    training = session.training
    learning.sync_source(
        session,
        dict.fromkeys(people, hours),
        on=on,
        title=training.title,
        kind=Kind.TURNKEY_TRAINING,
        topic=training.module.title,
    )


def credit_email(email: str) -> int:
    """Credit every session attended under this e-mail address (called once it is verified)."""
    sessions = TrainingSession.objects.filter(
        attendance__registration__email=email.strip().lower(), starts_at__lte=timezone.now()
    ).distinct()
    count = 0
    for session in sessions:
        credit_session(session)
        count += 1
    return count


def credit_all() -> int:
    """Backfill: credit every session that has started and has someone marked present."""
    sessions = (
        TrainingSession.objects.filter(starts_at__lte=timezone.now(), attendance__isnull=False)
        .distinct()
        .order_by("pk")
    )
    count = 0
    for session in sessions.iterator():
        credit_session(session)
        count += 1
    return count


def on_email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    if email_address is not None:
        credit_email(email_address.email)


def forget_session(sender, instance: TrainingSession, **kwargs) -> None:
    learning.withdraw_source(instance)


def connect() -> None:
    """From TrainersConfig.ready()."""
    from allauth.account.signals import email_confirmed
    from django.db.models.signals import post_delete

    email_confirmed.connect(on_email_confirmed, dispatch_uid="trainers.learning.email_confirmed")
    post_delete.connect(
        forget_session, sender=TrainingSession, dispatch_uid="trainers.learning.forget_session"
    )
    learning.register_backfill("turnkey training sessions", credit_all)
