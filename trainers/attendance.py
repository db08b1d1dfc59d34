"""The day of a turnkey training, and what follows from it: attendance, walk-ins, check-in with
the room's code, hours, marking the training held, and the facilitation report made from it.

Attendance is kept per session (``SessionAttendance``). Facilitators (the lead trainer and the
co-facilitators who accepted, ``permissions.can_run_training``) mark people present on the
roster and add walk-ins; participants may instead check themselves in with the six-digit code
shown in the room, which works only inside the session's check-in window
(``TrainingSession.check_in_open``).

Self check-in finds the registration by e-mail. Someone with no registration (a colleague who
came along) may still check in by giving their name, agency and role: they become a walk-in,
exactly as if a facilitator had added them, since only people in the room see the code. A
waitlisted registrant who checks in, or whom a facilitator adds as a walk-in, takes a place:
they are in the room, and capacity is about planning, not about turning people away at the
door. Attendance can be taken while the training is open for registration and corrected after
it is held; never on a draft or a cancelled one, and never for a session on a day still to
come. Each mark moves the participants' professional-learning hours (trainers/learning.py).

A participant's hours are the sum of the hours of the sessions they attended. Once its last
session has started, the lead trainer marks the training held; the facilitation report is then
prefilled from it (``report_initial``) and, once filed (``submit_training_report``), goes to the
coordinators' verification like any other report. Its attendance is the evidence, so the agenda
and sign-in sheet that a training held outside the portal needs are optional for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from portal import states
from portal.models import Agency, User
from portal.surveys import services as surveys
from portal.surveys.models import Response
from trainers import learning, permissions, services
from trainers.models import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_OPENS_BEFORE,
    CoFacilitator,
    FacilitationReport,
    Registration,
    SessionAttendance,
    TrainingSession,
    TurnkeyTraining,
)
from trainers.services import TrainerError

# The survey engine's instruments (portal/surveys/defaults.py) asked after a turnkey training.
POST_SURVEY = "turnkey-post"
FOLLOW_UP_SURVEY = "follow-up-90"

# Attendance is taken while the training is open, and may be corrected once it is held.
TAKES_ATTENDANCE = (TurnkeyTraining.Status.PUBLISHED, TurnkeyTraining.Status.HELD)


class CodeRefused(TrainerError):
    """The check-in code is not this training's, or not valid at this time."""


class NeedsDetails(TrainerError):
    """Self check-in found no registration for the e-mail and has no name, agency or role to
    add the person as a walk-in."""


@dataclass(frozen=True)
class Newcomer:
    """Who a walk-in is: what the registration form asks, without an account."""

    name: str
    email: str
    role: str
    agency: Agency | None = None
    other_agency: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.name.strip() and self.role and (self.agency or self.other_agency.strip()))


# --- who may ------------------------------------------------------------------------------


def _check_runs(user: User, training: TurnkeyTraining) -> None:
    if not permissions.can_run_training(user, training):
        raise TrainerError("Only the facilitators of this training can take its attendance.")


def _check_on_roster(session: TrainingSession, registration: Registration) -> None:
    if registration.training_id != session.training_id:
        raise TrainerError("This person is registered for another training.")


def _check_takes_attendance(training: TurnkeyTraining) -> None:
    if training.status not in TAKES_ATTENDANCE:
        raise TrainerError(
            f"This training is {training.get_status_display().lower()}: it takes no attendance."
        )


# --- attendance ---------------------------------------------------------------------------


def _present(
    session: TrainingSession, registration: Registration, *, method: str, by: User | None
) -> SessionAttendance:
    """Record ``registration`` present at ``session`` (once: a second mark returns the first),
    and credit the session's hours (trainers/learning.py)."""
    day = timezone.localdate(session.starts_at)
    if day > timezone.localdate():
        raise TrainerError(
            f"Attendance is taken on the day of the session: {day:%B %-d, %Y} is still to come."
        )
    if registration.status != Registration.Status.REGISTERED:
        raise TrainerError(
            f"{registration.name}'s registration is {registration.get_status_display().lower()}."
        )
    try:
        with transaction.atomic():
            attendance, _ = SessionAttendance.objects.get_or_create(
                session=session, registration=registration, defaults={"method": method, "marked_by": by}
            )
    except IntegrityError:  # two phones marked the same person at once: the first mark stands
        attendance = SessionAttendance.objects.get(session=session, registration=registration)
    learning.credit_session(session)
    return attendance


def mark_present(session: TrainingSession, registration: Registration, *, by: User) -> SessionAttendance:
    """A facilitator marks a registrant present on the roster (one from the waitlist takes a place)."""
    training = session.training
    _check_runs(by, training)
    _check_takes_attendance(training)
    _check_on_roster(session, registration)
    with transaction.atomic():
        _promote(registration, by=by, note="Came on the day: marked present")
        return _present(session, registration, method=SessionAttendance.Method.ROSTER, by=by)


def unmark_present(session: TrainingSession, registration: Registration, *, by: User) -> None:
    """A facilitator takes a mark back (a tap on the wrong row)."""
    training = session.training
    _check_runs(by, training)
    _check_takes_attendance(training)
    _check_on_roster(session, registration)
    with transaction.atomic():
        SessionAttendance.objects.filter(session=session, registration=registration).delete()
        learning.credit_session(session)


def _promote(registration: Registration, *, by: User | None, note: str) -> Registration:
    """A waitlisted registrant who is in the room takes a place."""
    if registration.status == Registration.Status.WAITLISTED:
        states.move(
            registration,
            Registration.Status.REGISTERED,
            by=by,
            allowed=Registration.MOVES,
            error=TrainerError,
            note=note,
        )
    return registration


def _walk_in(training: TurnkeyTraining, person: Newcomer, *, by: User | None, note: str) -> Registration:
    """The registration of someone who came on the day: registered, even over capacity."""
    email = person.email.strip().lower()
    existing = (
        training.registrations.exclude(status=Registration.Status.CANCELLED).filter(email=email).first()
    )
    if existing is not None:
        return _promote(existing, by=by, note=note)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                training=training,
                name=person.name.strip(),
                email=email,
                agency=person.agency,
                other_agency="" if person.agency else person.other_agency.strip(),
                role=person.role,
                status=Registration.Status.REGISTERED,
                walk_in=True,
            )
    except IntegrityError:  # the same person added from two phones at once
        return training.registrations.exclude(status=Registration.Status.CANCELLED).get(email=email)
    states.record(
        registration,
        action=f"status:{registration.status}",
        by=by,
        to_status=registration.status,
        note=note,
    )
    return registration


def add_walk_in(
    training: TurnkeyTraining, person: Newcomer, *, by: User, session: TrainingSession | None = None
) -> Registration:
    """A facilitator adds someone who came without registering, and marks them present at
    ``session`` when one is given. Someone already registered (or waitlisted) is not added twice."""
    _check_runs(by, training)
    _check_takes_attendance(training)
    if not person.complete:
        raise TrainerError("Give the walk-in's name, agency and role.")
    if session is not None and session.training_id != training.pk:
        raise TrainerError("That session belongs to another training.")
    with transaction.atomic():
        registration = _walk_in(training, person, by=by, note="Walk-in added by a facilitator")
        if session is not None:
            _present(session, registration, method=SessionAttendance.Method.ROSTER, by=by)
    return registration


def check_in_window() -> str:
    """When a session's code works, in words."""
    before = int(CHECK_IN_OPENS_BEFORE.total_seconds() // 60)
    after = int(CHECK_IN_CLOSES_AFTER.total_seconds() // 60)
    return f"check-in opens {before} minutes before it starts and closes {after} minutes after it ends"


def session_for_code(training: TurnkeyTraining, code: str) -> TrainingSession | None:
    """The session of ``training`` whose check-in code is ``code``, if any."""
    code = code.strip()
    if not code:
        return None
    return training.sessions.filter(check_in_code=code).first()


def check_in(
    training: TurnkeyTraining,
    code: str,
    person: Newcomer,
    *,
    now: datetime | None = None,
) -> SessionAttendance:
    """A participant checks in with the code shown in the room.

    The code must be a session's of this training and its window open at ``now``. The e-mail
    finds the registration; without one, the name, agency and role make the person a walk-in.
    """
    now = now or timezone.now()
    _check_takes_attendance(training)
    session = session_for_code(training, code)
    if session is None:
        raise CodeRefused("This is not the code of this training. Check the code shown in the room.")
    if not session.check_in_open(now):
        raise CodeRefused(f"This code works only during its session: {check_in_window()}.")
    email = person.email.strip().lower()
    with transaction.atomic():
        registration = (
            training.registrations.exclude(status=Registration.Status.CANCELLED).filter(email=email).first()
        )
        if registration is None:
            if not person.complete:
                raise NeedsDetails(
                    "We found no registration with this e-mail. Check it, or give your name, agency "
                    "and role to check in as a walk-in."
                )
            registration = _walk_in(training, person, by=None, note="Walk-in checked in with the room's code")
        else:
            _promote(registration, by=None, note="Checked in with the room's code")
        return _present(session, registration, method=SessionAttendance.Method.CODE, by=None)


# --- what the attendance adds up to -------------------------------------------------------


def current_session(sessions: list[TrainingSession], now: datetime | None = None) -> TrainingSession | None:
    """Of a training's ``sessions`` (in order), the one the day is about: the one checking in
    now, else the next, else the last."""
    now = now or timezone.now()
    for session in sessions:
        if session.check_in_open(now):
            return session
    upcoming = [s for s in sessions if s.starts_at > now]
    if upcoming:
        return upcoming[0]
    return sessions[-1] if sessions else None


def hours_by_registration(training: TurnkeyTraining) -> dict[int, Decimal]:
    """Each attendee's hours: the sum of the hours of the sessions they attended (one query)."""
    hours: dict[int, Decimal] = defaultdict(Decimal)
    rows = SessionAttendance.objects.filter(session__training=training).select_related("session")
    for row in rows.only("registration_id", "session__starts_at", "session__ends_at"):
        hours[row.registration_id] += row.session.hours
    return dict(hours)


def attendance_counts(training: TurnkeyTraining) -> dict[int, int]:
    """How many were present at each session, by session id (one query)."""
    rows = training.sessions.annotate(present=Count("attendance")).values_list("pk", "present")
    return dict(rows)


def attendees(training: TurnkeyTraining) -> QuerySet[Registration]:
    """The distinct people present at one session of ``training`` or more."""
    return training.registrations.filter(attendance__isnull=False).distinct()


def agencies_reached(training: TurnkeyTraining) -> list[tuple[str, int]]:
    """(agency name, attendees) for the report, most attendees first."""
    counts: dict[str, int] = defaultdict(int)
    for registration in attendees(training).select_related("agency").only("agency__name", "other_agency"):
        counts[registration.agency_name] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def total_hours(sessions: list[TrainingSession]) -> Decimal:
    """A training's hours: the sum of its sessions' hours."""
    return sum((s.hours for s in sessions), Decimal("0"))


# --- held, and the report ----------------------------------------------------------------


def mark_held(training: TurnkeyTraining, *, by: User, now: datetime | None = None) -> TurnkeyTraining:
    """The lead trainer marks the training held once its last session has started and someone
    was marked present."""
    now = now or timezone.now()
    if not permissions.can_plan_training(by, training):
        raise TrainerError("Only the lead trainer can mark the training held.")
    with transaction.atomic():
        training = states.lock(training)
        if training.status == TurnkeyTraining.Status.HELD:
            return training
        last = training.sessions.order_by("-starts_at").first()
        if last is None or last.starts_at > now:
            raise TrainerError("A training is held once its last session has started.")
        if not SessionAttendance.objects.filter(session__training=training).exists():
            raise TrainerError("Mark who came first: nobody is marked present yet.")
        states.move(
            training,
            TurnkeyTraining.Status.HELD,
            by=by,
            allowed=TurnkeyTraining.MOVES,
            error=TrainerError,
            held_at=now,
        )
    return training


def report_initial(training: TurnkeyTraining) -> dict:
    """The facilitation report's fields as the training says them."""
    sessions = list(training.sessions.all())
    first, last = timezone.localdate(sessions[0].starts_at), timezone.localdate(sessions[-1].starts_at)
    co_facilitators = training.co_facilitations.filter(status=CoFacilitator.Status.ACCEPTED)
    return {
        "module": training.module_id,
        "starts_on": first,
        "ends_on": last if last != first else None,
        "hours": total_hours(sessions),
        "host_kind": training.host_kind,
        "host_agency": training.host_agency_id,
        "audience": training.audience,
        "participants_count": attendees(training).count(),
        "co_facilitators": list(co_facilitators.values_list("person_id", flat=True)),
    }


def submit_training_report(
    training: TurnkeyTraining, report: FacilitationReport, *, by: User, co_facilitators=()
) -> FacilitationReport:
    """File the report made from a held training and link it to the training."""
    with transaction.atomic():
        training = states.lock(training)
        if not permissions.can_report_training(by, training):
            raise TrainerError("Only the lead trainer reports a held training, once.")
        services.submit_report(report, by=by, co_facilitators=co_facilitators, from_training=True)
        training.report = report
        training.save(update_fields=["report", "updated_at"])
    return report


# --- what participants said ----------------------------------------------------------------


@dataclass
class TrainingResults:
    """The post-training survey's results as one reader may see them.

    ``summaries`` is empty while they are withheld; ``together_with`` names the reader's other
    trainings whose answers were folded in with this one's (each had fewer than five).
    """

    answers: int
    summaries: list = field(default_factory=list)
    together_with: list[str] = field(default_factory=list)
    withheld: bool = False


def survey_results(training: TurnkeyTraining, user: User, *, unfolded: bool) -> TrainingResults:
    """The post-training survey of ``training`` for ``user``.

    Coordinators and the state office (``unfolded``) see every answer. A facilitator sees their
    results through the engine's ``fold``: this training alone from five answers up; below
    that, folded together with their other held trainings that each have fewer than five, once
    those add up to five; otherwise nothing but the count.
    """
    post = Response.objects.filter(instrument__key=POST_SURVEY).only("pk", "object_id", "instrument_id")
    if unfolded:
        responses = list(post.about(training))
        return TrainingResults(len(responses), surveys.summarize(responses))
    trainings = dict(TurnkeyTraining.objects.facilitated_by(user).held().values_list("pk", "title"))
    trainings[training.pk] = training.title
    by_training: dict[int, list] = {pk: [] for pk in trainings}
    for response in post.about(TurnkeyTraining.objects.filter(pk__in=list(trainings))):
        by_training[response.object_id].append(response)
    answers = len(by_training[training.pk])
    for group in surveys.fold(by_training).shown:
        if group.label == training.pk or training.pk in group.folded_from:
            others = [trainings[pk] for pk in group.folded_from if pk != training.pk]
            return TrainingResults(answers, surveys.summarize(group.items), together_with=others)
    return TrainingResults(answers, withheld=True)
