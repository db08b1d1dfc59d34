"""Institute sessions credit professional-learning hours (the engine: portal.learning).

Each session's credits follow its attendance, recomputed as a whole whenever attendance is
saved (``credit_session``): present earns the session's hours (its end minus its start), partly
present earns half of them, rounded to the quarter hour (a participant who left at the break
or came late learnt something, but not a full session; the register keeps no minutes), and
absent earns nothing, so a mark changed from present to absent withdraws the credit. Credits
go to the applicant; the topic is the institute's module, and the community is the institute's
cohort community when it has one. A session still to come earns nothing: attendance is refused
before a session starts (``services.record_attendance``), and a session moved into the future
in the admin loses its credits.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from communities.models import Community
from institutes.models import Attendance, Session
from portal.learning import services as learning
from portal.learning.models import Kind

QUARTER = Decimal("0.25")


def session_hours(session: Session) -> Decimal:
    minutes = (session.ends_at.hour * 60 + session.ends_at.minute) - (
        session.starts_at.hour * 60 + session.starts_at.minute
    )
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def partial_hours(full: Decimal) -> Decimal:
    """Half the session, to the nearest quarter hour (never nothing for a real session)."""
    half = (full / 2 / QUARTER).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * QUARTER
    return max(half, min(full, QUARTER))


def hours_for(status: str, full: Decimal) -> Decimal:
    if status == Attendance.Status.PRESENT:
        return full
    if status == Attendance.Status.PARTIAL:
        return partial_hours(full)
    return Decimal("0")


def title_of(session: Session) -> str:
    return f"{session.institute.title}: {session.title}" if session.title else session.institute.title


def credit_session(session: Session) -> None:
    """Make the session's credits match its attendance (three or four queries)."""
    if session.date > timezone.localdate():
        learning.withdraw_source(session)
        return
    session = Session.objects.select_related("institute__module").get(pk=session.pk)
    institute = session.institute
    full = session_hours(session)
    rows = Attendance.objects.filter(session=session).values_list("application__applicant_id", "status")
    hours = {person_id: hours_for(status, full) for person_id, status in rows}
    community_id = (
        Community.objects.filter(kind=Community.Kind.COHORT, institute=institute)
        .values_list("pk", flat=True)
        .first()
    )
    learning.sync_source(
        session,
        hours,
        on=session.date,
        title=title_of(session),
        kind=Kind.INSTITUTE_SESSION,
        topic=institute.module.title,
        community_id=community_id,
    )


def credit_all() -> int:
    """Backfill: credit every started session with attendance. Returns how many sessions."""
    today = timezone.localdate()
    sessions = Session.objects.filter(date__lte=today, attendance__isnull=False).distinct().order_by("pk")
    count = 0
    for session in sessions.iterator():
        credit_session(session)
        count += 1
    return count


def forget_session(sender, instance: Session, **kwargs) -> None:
    """A deleted session (or its institute) takes its credits with it."""
    learning.withdraw_source(instance)


def connect() -> None:
    from django.db.models.signals import post_delete

    post_delete.connect(forget_session, sender=Session, dispatch_uid="institutes.learning.forget_session")
    learning.register_backfill("institute sessions", credit_all)
