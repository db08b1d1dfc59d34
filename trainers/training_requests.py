"""Requests from agencies: a training on a module, or an offer to host a regional CoP.

Staff of an agency (a signed-in person with an agency on their profile) ask; every step is a move
of the request's status through ``portal.states`` (one audit entry each) and an e-mail through the
ledger, once:

    new ──offer──▶ offered ──trainer accepts──▶ accepted (a draft turnkey training)
     ▲                │
     └─trainer declines┘      new / offered ──14 days without an answer──▶ flagged (once)
    host offer: new ──coordinator──▶ accepted (a regional CoP, or a follow-up note) or declined
    any open request ──coordinator──▶ closed

Suggested trainers (``suggested_trainers``, one query): people with an active certification in
the module who have not been offered this request yet, and who have no turnkey-training session
(leading it, or co-facilitating having accepted) on any of the requested dates (a request with a
window instead of dates excludes nobody: the trainer picks a free day when accepting). "In or near
the region" is the agency registry's region: trainers whose agency is in the request's region come
first, then everyone else. Within each group, trainers whose facilitation commitment is still
open (not yet fulfilled, last day not passed) come first, the soonest-ending first; then the rest,
by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from communities import services as communities
from institutes.models import Module
from portal import notifications, states
from portal.emails import absolute_url, queue_email
from portal.models import Agency, NotificationPreference, User
from trainers import planning
from trainers.models import (
    Certification,
    CoFacilitator,
    FacilitationReport,
    RequestOffer,
    TrainingRequest,
    TrainingSession,
    TurnkeyTraining,
    state_on,
)
from trainers.permissions import plannable_certifications
from trainers.services import TrainerError

Status = TrainingRequest.Status
Kind = TrainingRequest.Kind
Offer = RequestOffer.Status

FLAG_AFTER_DAYS = 14
SUGGESTIONS = 12
MAX_DATES = 6

RECEIVED_KIND = "trainers.request_received"  # to the requester: we have it
NEW_KIND = "trainers.request_new"  # to coordinators: a request came in
OFFERED_KIND = "trainers.request_offered"  # to the trainer
WITHDRAWN_KIND = "trainers.request_offer_withdrawn"  # to the trainer
ANSWERED_KIND = "trainers.request_answered"  # to coordinators: the trainer's answer
STATUS_KIND = "trainers.request_status"  # to the requester: accepted, declined, closed
FLAGGED_KIND = "trainers.request_flagged"  # to coordinators, by the daily scan


def register_email_kinds() -> None:
    # Each asks the recipient to act, or answers their own request: none can be turned off.
    for kind in (
        RECEIVED_KIND,
        NEW_KIND,
        OFFERED_KIND,
        WITHDRAWN_KIND,
        ANSWERED_KIND,
        STATUS_KIND,
        FLAGGED_KIND,
    ):
        notifications.register_kind(kind, NotificationPreference.Category.TRANSACTIONAL)


def coordinators() -> QuerySet[User]:
    return User.objects.filter(groups__name="Coordinators", is_active=True).distinct()


def _tell_coordinators(
    req: TrainingRequest, *, kind: str, subject: str, lines: list[str], milestone: str
) -> None:
    url = absolute_url(req.get_absolute_url())
    for coordinator in coordinators():
        queue_email(
            to=coordinator.email,
            kind=kind,
            template="emails/notice",
            subject=subject,
            context={"lines": lines, "action_url": url, "action_label": "Open the request"},
            about=req,
            milestone=milestone,
            user=coordinator,
        )


def _tell_requester(
    req: TrainingRequest, *, kind: str, subject: str, lines: list[str], milestone: str
) -> None:
    queue_email(
        to=req.requester.email,
        kind=kind,
        template="emails/notice",
        subject=subject,
        context={
            "lines": lines,
            "action_url": absolute_url(req.get_absolute_url()),
            "action_label": "See your request",
        },
        about=req,
        milestone=milestone,
        user=req.requester,
    )


# --- asking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dates:
    """The dates of a training request: one or more days, or a window, and the hours."""

    days: tuple[date, ...] = ()
    window_start: date | None = None
    window_end: date | None = None
    starts: time | None = None
    ends: time | None = None


def check_when(when: Dates, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if not when.days and not (when.window_start and when.window_end):
        raise TrainerError("Give at least one date, or the first and last day of a window.")
    if len(when.days) > MAX_DATES:
        raise TrainerError(f"Give at most {MAX_DATES} dates.")
    if any(day < today for day in when.days) or (when.window_start and when.window_start < today):
        raise TrainerError("The dates have to be today or later.")
    if when.window_start and when.window_end and when.window_end < when.window_start:
        raise TrainerError("The window has to end after it starts.")
    if not (when.starts and when.ends) or when.ends <= when.starts:
        raise TrainerError("Give the hours: a start, and an end after it.")


def _ask(requester: User) -> Agency:
    if not requester.is_authenticated or requester.agency_id is None:
        raise TrainerError("Add your agency to your profile first: requests come from an agency.")
    return requester.agency


def request_training(
    requester: User,
    *,
    module: Module,
    when: Dates,
    format: str,
    place: str = "",
    audience: str,
    expected_size: int,
    notes: str = "",
) -> TrainingRequest:
    """An agency asks for a training on ``module``; coordinators hear of it, the requester too."""
    agency = _ask(requester)
    check_when(when)
    if format == TrainingRequest.Format.IN_PERSON and not place.strip():
        raise TrainerError("Say where the training would take place.")
    if not 1 <= expected_size <= 1000:
        raise TrainerError("Give the expected number of participants, between 1 and 1,000.")
    with transaction.atomic():
        req = TrainingRequest.objects.create(
            kind=Kind.TRAINING,
            requester=requester,
            agency=agency,
            region=agency.region,
            module=module,
            dates=[d.isoformat() for d in sorted(set(when.days))],
            window_start=None if when.days else when.window_start,
            window_end=None if when.days else when.window_end,
            starts=when.starts,
            ends=when.ends,
            format=format,
            place=place.strip(),
            audience=audience.strip(),
            expected_size=expected_size,
            notes=notes.strip(),
            waiting_since=timezone.now(),
        )
        _submitted(req, requester)
    return req


def offer_to_host(requester: User, *, region: str, offer: str, notes: str = "") -> TrainingRequest:
    """An agency offers to host a regional CoP; a coordinator decides."""
    agency = _ask(requester)
    if not offer.strip():
        raise TrainerError("Say what your agency can offer: a room, a contact person, staff time.")
    with transaction.atomic():
        req = TrainingRequest.objects.create(
            kind=Kind.HOST,
            requester=requester,
            agency=agency,
            region=region or agency.region,
            offer=offer.strip(),
            notes=notes.strip(),
            waiting_since=timezone.now(),
        )
        _submitted(req, requester)
    return req


def _submitted(req: TrainingRequest, requester: User) -> None:
    states.record(req, action=f"status:{Status.NEW}", by=requester, to_status=Status.NEW)
    what = (
        f"a training on {req.module.title}, {req.when_text()}"
        if req.kind == Kind.TRAINING
        else f"to host a regional CoP in the {req.region or 'their'} region"
    )
    _tell_requester(
        req,
        kind=RECEIVED_KIND,
        subject="We have your request" if req.kind == Kind.TRAINING else "We have your offer to host a CoP",
        lines=[
            f"Thank you: your request for {what} is with the coordinators.",
            "We will write to you when a trainer takes it on, or when a coordinator has a question."
            if req.kind == Kind.TRAINING
            else "A coordinator will get in touch about the next steps.",
        ],
        milestone="received",
    )
    _tell_coordinators(
        req,
        kind=NEW_KIND,
        subject=f"New request from {req.agency.name}",
        lines=[f"{requester.display_name} of {req.agency.name} asks for {what}."],
        milestone="new",
    )


# --- matching -----------------------------------------------------------------------------------


def _busy_on(days: list[date]) -> Q:
    busy = Q()
    for day in days:
        busy |= Q(
            starts_at__gte=planning.day_start(day), starts_at__lt=planning.day_start(day + timedelta(days=1))
        )
    return busy


def suggested_trainers(req: TrainingRequest, *, limit: int = SUGGESTIONS) -> list[Certification]:
    """Who could take the request, best first (the rule is in the module's docstring): each an
    active certification with its ``participant`` and their agency, ``nearby`` (0: same region)
    and ``commitment`` (a CommitmentState). One query."""
    if req.kind != Kind.TRAINING or req.module_id is None:
        return []
    today = timezone.localdate()
    queryset = (
        Certification.objects.active()
        .filter(module=req.module_id, participant__is_active=True)
        .exclude(participant__in=RequestOffer.objects.filter(request=req).values("trainer_id"))
    )
    days = req.preferred_days
    if days:
        sessions = TrainingSession.objects.filter(
            _busy_on(days),
            training__status__in=(TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.PUBLISHED),
        )
        leading = sessions.filter(training__trainer=OuterRef("participant"))
        co_facilitating = sessions.filter(
            training__co_facilitations__person=OuterRef("participant"),
            training__co_facilitations__status=CoFacilitator.Status.ACCEPTED,
        )
        queryset = queryset.exclude(Exists(leading)).exclude(Exists(co_facilitating))
    nearby = (
        Case(
            When(participant__agency__region=req.region, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        if req.region
        else Value(1, output_field=IntegerField())
    )
    rows = (
        queryset.with_fulfilled_date()
        .annotate(
            nearby=nearby,
            open_commitment=Case(
                When(fulfilled_date__isnull=True, commitment_ends_on__gte=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("participant__agency")
        .order_by("nearby", "open_commitment", "commitment_ends_on", "participant__name", "pk")[: limit * 2]
    )
    seen: set[int] = set()
    suggestions = []
    for certification in rows:
        if certification.participant_id in seen:
            continue  # certified twice in the module: the first row is the better one
        seen.add(certification.participant_id)
        certification.commitment = state_on(certification.issued_on, certification.fulfilled_date, today)
        suggestions.append(certification)
    return suggestions[:limit]


def _when_line(req: TrainingRequest) -> str:
    hours = req.hours_text()
    where = "online" if req.format == TrainingRequest.Format.ONLINE else f"at {req.place}"
    size = f"about {req.expected_size} people" if req.expected_size else "a group"
    return (
        f"{req.agency.name} ({req.region or 'no region'}) asks for {req.module.title}, {where}, on"
        f" {req.when_text()}{f', {hours}' if hours else ''}, for {size}: {req.audience}."
    )


def offer_request(req: TrainingRequest, trainer: User, *, by: User, message: str = "") -> RequestOffer:
    """Offer a training request to a trainer certified in its module; they accept or decline.

    A flagged request whose offer nobody answered may be offered to someone else: the unanswered
    offer is withdrawn (and its trainer told). While an offer is simply waiting, take it back first.
    """
    if req.kind != Kind.TRAINING:
        raise TrainerError("An offer to host a CoP is decided by a coordinator, not offered to a trainer.")
    if not Certification.objects.active().filter(participant=trainer, module=req.module_id).exists():
        raise TrainerError(f"{trainer.display_name} is not certified in {req.module.title}.")
    with transaction.atomic():
        locked = states.lock(req)
        pending = locked.offers.filter(status=Offer.PENDING).select_related("trainer").first()
        if locked.status == Status.OFFERED and pending is not None:
            raise TrainerError(
                f"This request is waiting for {pending.trainer.display_name}'s answer: take the offer back first."
            )
        if locked.status not in (Status.NEW, Status.FLAGGED):
            raise TrainerError(f"This request is {locked.get_status_display().lower()}; it can't be offered.")
        if locked.offers.filter(trainer=trainer).exists():
            raise TrainerError(f"This request was offered to {trainer.display_name} already.")
        if pending is not None:
            _withdraw(pending, locked, by=by)
        offer = RequestOffer.objects.create(
            request=locked, trainer=trainer, offered_by=by, message=message.strip()
        )
        states.record(offer, action=f"status:{Offer.PENDING}", by=by, to_status=Offer.PENDING)

        def tell_trainer(entry) -> None:
            lines = [
                f"{by.display_name}, a coordinator, offers you a training request: {_when_line(locked)}",
                "Open the offer to see the details, and accept it or decline it. If you accept, it becomes a"
                " draft training in your list, with the agency's contact as host.",
            ]
            if offer.message:
                lines.insert(1, f"{by.display_name} wrote: “{offer.message}”")
            queue_email(
                to=trainer.email,
                kind=OFFERED_KIND,
                template="emails/notice",
                subject=f"Could you facilitate {locked.module.title} for {locked.agency.name}?",
                context={
                    "lines": lines,
                    "action_url": absolute_url(offer.get_absolute_url()),
                    "action_label": "Answer the offer",
                },
                about=offer,
                user=trainer,
            )

        states.move(
            locked,
            Status.OFFERED,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=f"to {trainer.display_name}",
            notify=tell_trainer,
            waiting_since=timezone.now(),
        )
    req.status = locked.status
    return offer


def _withdraw(offer: RequestOffer, req: TrainingRequest, *, by: User) -> None:
    def tell(entry) -> None:
        queue_email(
            to=offer.trainer.email,
            kind=WITHDRAWN_KIND,
            template="emails/notice",
            subject=f"The request from {req.agency.name} is no longer offered to you",
            context={
                "lines": [
                    f"The coordinators took back their offer of {req.module.title} for {req.agency.name}:"
                    " there is nothing for you to do. Thank you for your time."
                ]
            },
            about=offer,
            milestone="withdrawn",
            user=offer.trainer,
        )

    states.move(offer, Offer.WITHDRAWN, by=by, allowed=RequestOffer.MOVES, error=TrainerError, notify=tell)


def withdraw_offer(req: TrainingRequest, *, by: User) -> None:
    """Take back the offer waiting for an answer; the request is the coordinators' again."""
    with transaction.atomic():
        locked = states.lock(req)
        pending = locked.offers.filter(status=Offer.PENDING).select_related("trainer").first()
        if pending is None:
            raise TrainerError("No offer of this request is waiting for an answer.")
        _withdraw(pending, locked, by=by)
        states.move(
            locked,
            Status.NEW,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=f"offer to {pending.trainer.display_name} taken back",
            waiting_since=timezone.now(),
        )
    req.status = locked.status


# --- the trainer's answer -----------------------------------------------------------------------


def _locked_pending(offer: RequestOffer, by: User) -> tuple[RequestOffer, TrainingRequest]:
    if by.pk != offer.trainer_id:
        raise TrainerError("This offer was made to someone else.")
    # The request first, then the offer: the coordinators' writes lock them in the same order.
    req = states.lock(TrainingRequest(pk=offer.request_id), "agency", "module", "requester")
    locked = states.lock(offer)
    if locked.status == Offer.WITHDRAWN:
        raise TrainerError("The coordinators took this offer back: there is nothing to answer.")
    if locked.status != Offer.PENDING:
        raise TrainerError(f"You answered this offer already: you {locked.get_status_display().lower()} it.")
    if req.status not in (Status.OFFERED, Status.FLAGGED):
        raise TrainerError(f"This request is {req.get_status_display().lower()}.")
    return locked, req


def accept_offer(
    offer: RequestOffer, *, by: User, day: date | None = None, online_link: str = ""
) -> TurnkeyTraining:
    """The offered trainer takes the request: it becomes a draft turnkey training of theirs, on
    the requested dates (or ``day``, chosen in the requested window), with the requester as host
    contact. The requester and the coordinators hear of it."""
    with transaction.atomic():
        locked, req = _locked_pending(offer, by)
        certification = (
            plannable_certifications(by).filter(module=req.module_id).order_by("-issued_on").first()
        )
        if certification is None:
            raise TrainerError(f"You no longer hold an active certification in {req.module.title}.")
        today = timezone.localdate()
        if req.dates:
            days = req.preferred_days
            if days[0] < today:
                raise TrainerError("A requested date has passed: ask the coordinators to agree new dates.")
        else:
            if day is None:
                raise TrainerError("Choose the day of the training.")
            if not (req.window_start <= day <= req.window_end) or day < today:
                raise TrainerError(
                    f"Choose a day from {req.window_start:%B %-d} to {req.window_end:%B %-d, %Y}, today or later."
                )
            days = [day]
        host_kind = (
            FacilitationReport.HostKind.OWN_AGENCY
            if by.agency_id == req.agency_id
            else FacilitationReport.HostKind.OTHER_AGENCY
        )
        training = planning.plan_training(
            by,
            certification=certification,
            schedule=planning.Schedule.on_days(days, req.starts, req.ends),
            host_contact=req.requester,
            title=f"{req.module.title} at {req.agency.name}"[:200],
            audience=req.audience[:200] or "Staff of the host agency",
            host_kind=host_kind,
            host_agency=req.agency,
            region=req.region,
            format=req.format,
            venue=req.place[:200],
            online_link=online_link,
            capacity=req.expected_size or 20,
        )
        states.move(
            locked,
            Offer.ACCEPTED,
            by=by,
            allowed=RequestOffer.MOVES,
            error=TrainerError,
            answered_at=timezone.now(),
        )

        def tell(entry) -> None:
            _tell_requester(
                req,
                kind=STATUS_KIND,
                subject=f"{by.display_name} will facilitate {req.module.title} for you",
                lines=[
                    f"Good news: {by.display_name}, a certified trainer, will facilitate {req.module.title} for"
                    f" {req.agency.name} on {'; '.join(f'{d:%A, %B %-d, %Y}' for d in days)}.",
                    f"{by.display_name} will be in touch to prepare it with you; you can write to them at"
                    f" {by.email}.",
                ],
                milestone=Status.ACCEPTED,
            )
            _tell_coordinators(
                req,
                kind=ANSWERED_KIND,
                subject=f"{by.display_name} accepted the request from {req.agency.name}",
                lines=[
                    f"{by.display_name} accepted {req.module.title} for {req.agency.name}; it is now a draft training."
                ],
                milestone=f"offer-{locked.pk}-accepted",
            )

        states.move(
            req,
            Status.ACCEPTED,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=f"draft training {training.pk}",
            notify=tell,
            training=training,
        )
    return training


def decline_offer(offer: RequestOffer, *, by: User, reason: str) -> None:
    """The offered trainer says no, with a reason; the request goes back to the coordinators."""
    reason = reason.strip()
    if not reason:
        raise TrainerError("Say in a sentence why not: it helps the coordinators find someone else.")
    with transaction.atomic():
        locked, req = _locked_pending(offer, by)
        states.move(
            locked,
            Offer.DECLINED,
            by=by,
            allowed=RequestOffer.MOVES,
            error=TrainerError,
            note=reason,
            reason=reason,
            answered_at=timezone.now(),
        )

        def tell(entry) -> None:
            _tell_coordinators(
                req,
                kind=ANSWERED_KIND,
                subject=f"{by.display_name} declined the request from {req.agency.name}",
                lines=[
                    f"{by.display_name} can't facilitate {req.module.title} for {req.agency.name}. They wrote:"
                    f" “{reason}”",
                    "The request is back with you, to offer to someone else.",
                ],
                milestone=f"offer-{locked.pk}-declined",
            )

        states.move(
            req,
            Status.NEW,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=f"{by.display_name} declined",
            notify=tell,
            waiting_since=timezone.now(),
        )


# --- the coordinators' decisions ------------------------------------------------------------------


def decide_host_offer(
    req: TrainingRequest, *, by: User, accept: bool, note: str = "", community_title: str = ""
) -> None:
    """Accept or decline an agency's offer to host a regional CoP; on accepting, optionally open
    the community at once (``community_title``), with the requester as its first member."""
    if req.kind != Kind.HOST:
        raise TrainerError("Only an offer to host a CoP is accepted or declined by a coordinator.")
    note = note.strip()
    if not accept and not note:
        raise TrainerError("Say in a sentence why: the agency will read it.")
    with transaction.atomic():
        locked = states.lock(req, "agency", "requester")
        if locked.status not in TrainingRequest.OPEN:
            raise TrainerError(f"This offer is {locked.get_status_display().lower()} already.")
        community = None
        if accept and community_title.strip():
            community = communities.start_regional_community(
                title=community_title, region=locked.region, actor=by, host=locked.requester
            )
        to = Status.ACCEPTED if accept else Status.DECLINED

        def tell(entry) -> None:
            if accept:
                lines = [
                    f"Thank you: the coordinators accept {locked.agency.name}'s offer to host a regional CoP."
                ]
                if community is not None:
                    lines.append(f"The community “{community.title}” is open, and you are its first member.")
            else:
                lines = [
                    "Thank you for offering to host a regional CoP. This time the coordinators can't take it up."
                ]
            if note:
                lines.append(f"{by.display_name} wrote: “{note}”")
            _tell_requester(
                locked,
                kind=STATUS_KIND,
                subject="Your offer to host a regional CoP",
                lines=lines,
                milestone=to,
            )

        fields = {"community": community} if community is not None else {}
        if accept and note:
            fields["follow_up"] = note
        states.move(
            locked,
            to,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=note,
            notify=tell,
            **fields,
        )
    req.status = locked.status


def close_request(req: TrainingRequest, *, by: User, reason: str) -> None:
    """Close an open request (no trainer found, the agency no longer needs it); the requester hears why."""
    reason = reason.strip()
    if not reason:
        raise TrainerError("Say in a sentence why the request is closed: the agency will read it.")
    with transaction.atomic():
        locked = states.lock(req, "agency", "requester")
        if locked.status not in TrainingRequest.OPEN:
            raise TrainerError(f"This request is {locked.get_status_display().lower()} already.")
        pending = locked.offers.filter(status=Offer.PENDING).select_related("trainer").first()
        if pending is not None:
            _withdraw(pending, locked, by=by)

        def tell(entry) -> None:
            _tell_requester(
                locked,
                kind=STATUS_KIND,
                subject="Your request is closed",
                lines=[f"{by.display_name}, a coordinator, closed your request. They wrote: “{reason}”"],
                milestone=Status.CLOSED,
            )

        states.move(
            locked,
            Status.CLOSED,
            by=by,
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=reason,
            notify=tell,
        )
    req.status = locked.status


def note_follow_up(req: TrainingRequest, *, by: User, note: str) -> None:
    """A coordinator's note of what comes next (a call to make, a visit); kept and audited."""
    note = note.strip()
    with transaction.atomic():
        locked = states.lock(req)
        if locked.follow_up == note:
            return
        locked.follow_up = note
        locked.save(update_fields=["follow_up", "updated_at"])
        states.record(locked, action="follow-up", by=by, note=note)
    req.follow_up = note


# --- the daily scan ---------------------------------------------------------------------------------


def waiting_too_long(now=None) -> QuerySet[TrainingRequest]:
    """Requests nobody answered in 14 days: new and not offered (or back after a decline), or
    offered and not answered; never flagged before."""
    now = now or timezone.now()
    return TrainingRequest.objects.filter(
        status__in=(Status.NEW, Status.OFFERED),
        flagged_at__isnull=True,
        waiting_since__lte=now - timedelta(days=FLAG_AFTER_DAYS),
    )


def flag(req: TrainingRequest, *, now=None) -> bool:
    """Flag one request to the coordinators, once (a second scan finds it flagged already)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = states.lock(req, "agency", "module", "requester")
        if locked.flagged_at is not None or locked.status not in (Status.NEW, Status.OFFERED):
            return False
        days = (now - locked.waiting_since).days
        pending = locked.offers.filter(status=Offer.PENDING).select_related("trainer").first()
        waiting_for = (
            f"{pending.trainer.display_name} has not answered the offer"
            if pending is not None
            else "nobody has offered it to a trainer"
            if locked.kind == Kind.TRAINING
            else "nobody has decided on it"
        )

        def tell(entry) -> None:
            _tell_coordinators(
                locked,
                kind=FLAGGED_KIND,
                subject=f"Waiting {days} days: a request from {locked.agency.name}",
                lines=[
                    f"The request “{locked}” from {locked.requester.display_name} has waited {days} days:"
                    f" {waiting_for}.",
                    "Offer it to another trainer, or write to the agency about what comes next.",
                ],
                milestone="flagged",
            )

        states.move(
            locked,
            Status.FLAGGED,
            by=None,
            actor_label="daily scan",
            allowed=TrainingRequest.MOVES,
            error=TrainerError,
            note=f"waiting {days} days: {waiting_for}",
            notify=tell,
            flagged_at=now,
        )
    return True
