"""The trainer's panel on the personal dashboard: certifications, commitment, reports, honoraria."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from portal.fragments import url_for_pk
from portal.pictures import bar_step
from trainers import permissions
from trainers.models import (
    COMMITMENT_DAYS,
    Certification,
    CoFacilitator,
    FacilitationReport,
    Honorarium,
    RequestOffer,
    TrainingRequest,
    TurnkeyTraining,
    state_on,
)


def certified_in_institute(user) -> Exists:
    """The participant tracker's last step: the person holds an active certification from the
    application's institute (registered with institutes.dashboard, an EXISTS on its query)."""
    return Exists(Certification.objects.active().filter(participant=user, institute=OuterRef("institute")))


def trainer_flag_sql() -> str:
    """The person holds a certification (any state): a column of the person's one query (see
    portal.backends), so the menu's "My reports" and "My honoraria" cost no query of their own."""
    table = Certification._meta.db_table
    return f'EXISTS (SELECT 1 FROM "{table}" c WHERE c."participant_id" = p."id")'


def holds_a_certification(user) -> bool:
    return Certification.objects.filter(participant=user).exists()


# What the panel shows of each certification, read as plain values (not a certification and its
# module as model instances).
CERTIFICATION_VALUES = (
    "pk",
    "status",
    "issued_on",
    "commitment_ends_on",
    "valid_until",
    "fulfilled_date",
    "module__title",
)


class _CertificationRow:
    def __init__(self, row: dict, url: str, today):
        self.pk, self.url, self.module_title = row["pk"], url, row["module__title"]
        self.issued_on = row["issued_on"]
        self.commitment_ends_on = row["commitment_ends_on"]
        self.valid_until = row["valid_until"]
        self.expired = self.valid_until is not None and self.valid_until < today
        self.is_active = row["status"] == Certification.Status.ACTIVE
        self.state = state_on(row["issued_on"], row["fulfilled_date"], today)
        self.left = Certification.days_left(self, today)
        self.left_step = bar_step(self.left, COMMITMENT_DAYS)


def trainer_panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    certificate_url = url_for_pk("trainers:certificate")
    certifications = [
        _CertificationRow(row, certificate_url(row["pk"]), today)
        for row in Certification.objects.filter(participant=user)
        .with_fulfilled_date()
        .order_by("-issued_on", "pk")  # the default ordering joins people to sort by name
        .values(*CERTIFICATION_VALUES)
    ]
    if not certifications:
        return None
    # In one query: the trainings planned under each certification (drafts and open ones), and
    # those a colleague invited this trainer to co-facilitate, still unanswered.
    planned: dict[int, list[TurnkeyTraining]] = {}
    invitations: list[TurnkeyTraining] = []
    invited = CoFacilitator.objects.filter(person=user, status=CoFacilitator.Status.INVITED)
    for training in (
        TurnkeyTraining.objects.filter(
            status__in=(TurnkeyTraining.Status.DRAFT, TurnkeyTraining.Status.PUBLISHED)
        )
        .filter(Q(certification__in=[c.pk for c in certifications]) | Q(pk__in=invited.values("training_id")))
        .only("pk", "title", "status", "starts_at", "certification_id", "trainer_id")
    ):
        if training.trainer_id == user.pk:
            planned.setdefault(training.certification_id, []).append(training)
        else:
            invitations.append(training)
    for c in certifications:
        c.planned = planned.get(c.pk, [])
    Status = FacilitationReport.Status
    # Own reports or co-facilitated ones, each through its index (an OR across the join to
    # co-facilitators read every report in the state), counted by status and filer: plain rows,
    # summed here (a third cheaper to build than three filtered counts).
    co_facilitated = FacilitationReport.co_facilitators.through.objects.filter(user=user)
    report_counts = (
        FacilitationReport.objects.filter(
            Q(trainer=user) | Q(pk__in=co_facilitated.values("facilitationreport_id"))
        )
        .order_by()
        .values_list("status", "trainer_id")
        .annotate(n=Count("pk"))
    )
    reports = {"total": 0, "waiting": 0, "returned": 0}
    for status, trainer, n in report_counts:
        reports["total"] += n
        reports["waiting"] += n if status == Status.SUBMITTED else 0
        reports["returned"] += n if status == Status.RETURNED and trainer == user.pk else 0
    honoraria = {"total": 0, "paid": None}
    for status, n, amount in (
        Honorarium.objects.filter(trainer=user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    ):
        honoraria["total"] += n
        if status == Honorarium.Status.PAID:
            honoraria["paid"] = amount
    return {
        "template": "trainers/dashboard_panel.html",
        "order": 30,
        "certifications": certifications,
        "report_count": reports["total"],
        "waiting_reports": reports["waiting"],
        "returned_reports": reports["returned"],
        "honorarium_count": honoraria["total"],
        "honoraria_total": honoraria["paid"],
        "can_file": any(c.is_active for c in certifications),
        "invitations": invitations,
        "year_days": COMMITMENT_DAYS,
    }


def staff_panel(request) -> dict | None:
    """For staff coordinators (the group, like the institutes' coordinator panel) who coordinate an
    institute: the reports and honoraria of those institutes' modules waiting for a decision; for
    finance staff: the approved honoraria waiting for payment."""
    user = request.user
    # The staff groups first (loaded with the person): a participant's dashboard asks nothing more.
    if not (user.is_authenticated and (user.is_coordinator or user.is_finance)):
        return None
    finance = user.is_finance
    deciding = permissions.can_decide_honorarium(user)
    if not (deciding or finance):
        return None
    counts = permissions.honoraria_visible_to(user).aggregate(
        requested=Count("pk", filter=Q(status=Honorarium.Status.REQUESTED) & ~Q(trainer=user)),
        approved=Count("pk", filter=Q(status=Honorarium.Status.APPROVED)),
    )
    if deciding:
        counts["reports"] = (
            permissions.reports_visible_to(user)
            .filter(status=FacilitationReport.Status.SUBMITTED)
            .exclude(trainer=user)
            .count()
        )
    return {
        "template": "trainers/staff_panel.html",
        "order": 6,
        "coordinator": deciding,
        "finance": finance,
        **counts,
    }


def request_panel(request) -> dict | None:
    """Agencies' requests: the requester's own (the latest five, and where each stands) and the
    offers waiting for this trainer's answer, in one query; for coordinators, the open requests
    by state in a second."""
    user = request.user
    if not user.is_authenticated:
        return None
    waiting = RequestOffer.objects.filter(
        request=OuterRef("pk"), trainer=user, status=RequestOffer.Status.PENDING
    ).values("pk")[:1]
    mine, offers = [], []
    for req in (
        TrainingRequest.objects.filter(
            Q(requester=user)
            | Q(
                pk__in=RequestOffer.objects.filter(trainer=user, status=RequestOffer.Status.PENDING).values(
                    "request_id"
                )
            )
        )
        .annotate(waiting_offer=Subquery(waiting))
        .select_related("module", "agency")
        .only("pk", "kind", "status", "created_at", "requester_id", "module__title", "agency__name")
        .order_by(F("waiting_offer").desc(nulls_last=True), "-created_at", "-pk")[:20]
    ):
        if req.waiting_offer:
            offers.append(req)
        if req.requester_id == user.pk and len(mine) < 5:
            mine.append(req)
    counts = None
    if user.is_coordinator:
        counts = TrainingRequest.objects.aggregate(
            new=Count("pk", filter=Q(status=TrainingRequest.Status.NEW)),
            flagged=Count("pk", filter=Q(status=TrainingRequest.Status.FLAGGED)),
            offered=Count("pk", filter=Q(status=TrainingRequest.Status.OFFERED)),
        )
    if not (mine or offers or counts or user.agency_id):
        return None
    return {
        "template": "trainers/requests/dashboard_panel.html",
        "order": 35,
        "mine": mine,
        "offers": offers,
        "counts": counts,
        "can_ask": user.agency_id is not None,
    }
