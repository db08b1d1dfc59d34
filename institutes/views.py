"""Views: check permission -> validate form -> call a service -> message -> redirect."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from institutes import permissions, services
from institutes.forms import (
    ApplicationForm,
    AssignmentForm,
    AttendanceForm,
    BulkDecisionForm,
    CatalogFilterForm,
    DecisionForm,
    EndorsementForm,
    InviteForm,
    PracticeForm,
    QueueFilterForm,
    ReviewSubmissionForm,
    StartTeamForm,
    SubmissionForm,
    WithdrawForm,
)
from institutes.models import (
    Application,
    Assignment,
    AssignmentSubmission,
    Attendance,
    Institute,
    Session,
    Team,
    TeamInvitation,
)
from portal.access import login_required, public, signed_link
from portal.emails import absolute_url
from portal.fragments import KnownCountPaginator, render_items, url_for_pk
from portal.models import Agency
from portal.uploads import attachment_response

PAGE_SIZE = 25
Status = Application.Status


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _visible_institute(request, slug: str) -> Institute:
    institute = get_object_or_404(Institute.objects.select_related("module"), slug=slug)
    if not permissions.can_view_institute(request.user, institute):
        raise Http404
    return institute


def _reviewable_institute(request, slug: str) -> Institute:
    institute = _visible_institute(request, slug)
    if not permissions.can_review_institute(request.user, institute):
        raise PermissionDenied
    return institute


# --- Catalog ---------------------------------------------------------------------------------------


def _with_seats(queryset):
    # COUNT(*) per listed institute (index-only on application_queue_idx) rather than a join of every
    # application, which made each catalog page and its page count scan all applications (bench).
    accepted = (
        Application.objects.filter(institute=OuterRef("pk"), status=Status.ACCEPTED)
        .order_by()
        .values("institute")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(accepted_count=Coalesce(Subquery(accepted), 0))


CATALOG_CARD_FIELDS = [
    *("slug", "title", "description", "topic", "training_type", "location", "occurrence", "duration"),
    *(
        "duration_note",
        "accreditation",
        "status",
        "capacity",
        "applications_open_at",
        "applications_close_at",
    ),
]


def _catalog_card_inputs(institute) -> list:
    """Everything a catalog card shows (institutes/_catalog_card.html)."""
    return [
        *(institute.pk, institute.slug, institute.title, institute.description, institute.topic),
        # The labels, not the stored values: a relabelled choice gives new cards.
        *(institute.get_training_type_display(), institute.get_location_display()),
        *(institute.get_occurrence_display(), institute.get_duration_display(), institute.duration_note),
        *(institute.get_accreditation_display(), institute.get_status_display()),
        institute.audience_names,
        institute.open_now,
        institute.applications_close_at,
        institute.seats_left,
    ]


@public
def catalog(request):
    published = Institute.objects.published()
    topics = published.order_by("topic").values_list("topic", flat=True).distinct()
    form = CatalogFilterForm(request.GET or None, topics=list(topics))
    institutes = published
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            institutes = institutes.filter(
                Q(title__icontains=data["q"])
                | Q(description__icontains=data["q"])
                | Q(module__title__icontains=data["q"])
            )
        for facet in (
            "training_type",
            "topic",
            "accreditation",
            "occurrence",
            "duration",
            "location",
            "facilitation",
        ):
            if data[facet]:
                institutes = institutes.filter(**{facet: data[facet]})
        if data["audience"]:
            institutes = institutes.filter(audiences=data["audience"])
        if data["coaching"]:
            institutes = institutes.filter(coaching=data["coaching"] == "yes")
        if data["open"]:
            institutes = institutes.open_for_applications()
    institutes = (
        _with_seats(institutes)
        .only(*CATALOG_CARD_FIELDS)  # a card's fields, not the whole institute and its module
        .order_by("applications_close_at", "title")
    )
    page = _page(request, institutes)
    # The page's audience names in one light query (a prefetch built a manager and models per row).
    audiences = defaultdict(list)
    for institute_id, name in (
        Institute.audiences.through.objects.filter(institute__in=[i.pk for i in page])
        .order_by("audience__name")
        .values_list("institute_id", "audience__name")
    ):
        audiences[institute_id].append(name)
    now = timezone.now()
    for institute in page:
        institute.audience_names = audiences[institute.pk]
        institute.seats_left = max(institute.capacity - institute.accepted_count, 0)
        institute.open_now = institute.is_accepting_applications(now)
    render_items(page, "institutes/_catalog_card.html", name="institute", inputs=_catalog_card_inputs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutes/catalog.html",
        {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@public
def institute_detail(request, slug):
    institute = _visible_institute(request, slug)
    sessions = institute.sessions.all()
    application = None
    if request.user.is_authenticated:
        application = Application.objects.filter(applicant=request.user, institute=institute).first()
    taken = institute.applications.accepted().count()
    return render(
        request,
        "institutes/institute_detail.html",
        {
            "institute": institute,
            "sessions": sessions,
            "audiences": institute.audiences.all(),
            "seats_left": max(institute.capacity - taken, 0),
            "application": application,
            "accepting": institute.is_accepting_applications(),
            "can_review": permissions.can_review_institute(request.user, institute),
        },
    )


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    # RFC 5545: lines longer than 75 octets continue on the next line after a space.
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _ics_time(day: dt.date, at: dt.time) -> str:
    aware = timezone.make_aware(dt.datetime.combine(day, at))
    return aware.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@public
def institute_ics(request, slug):
    institute = _visible_institute(request, slug)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    url = absolute_url(institute.get_absolute_url())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ToT Portal//Institutes//EN", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_ics_escape(institute.title)}")
    for session in institute.sessions.all():
        place = session.place or session.online_link or institute.venue
        summary = f"{institute.title}: {session.title}" if session.title else institute.title
        lines += [
            "BEGIN:VEVENT",
            f"UID:institute-session-{session.pk}@tot-portal",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(session.date, session.starts_at)}",
            f"DTEND:{_ics_time(session.date, session.ends_at)}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"URL:{url}",
        ]
        if place:
            lines.append(f"LOCATION:{_ics_escape(place)}")
        if session.online_link:
            lines.append(f"DESCRIPTION:{_ics_escape('Join online: ' + session.online_link)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{institute.slug[:60]}.ics"'
    return response


# --- Applying --------------------------------------------------------------------------------------


def _team_context(application: Application | None) -> dict:
    team = application.team if application else None
    if team is None:
        return {"team": None}
    members = team.applications.select_related("applicant").order_by("pk")
    return {
        "team": team,
        "team_members": members,
        "team_invitations": team.invitations.exclude(state=TeamInvitation.State.ACCEPTED),
        "team_reasons": services.team_reasons(team) if not team.submitted_at else [],
        "is_team_lead": team.lead_id == application.applicant_id,
        "invite_form": InviteForm(),
    }


@login_required
def apply(request, slug):
    institute = _visible_institute(request, slug)
    application = (
        Application.objects.select_related("team__agency")
        .filter(applicant=request.user, institute=institute)
        .first()
    )
    if application and not application.is_editable:
        messages.info(request, "Your application is already submitted. Here is where it stands.")
        return redirect(application)
    if not permissions.can_apply(request.user, institute):
        messages.error(request, "Applications for this institute are not open.")
        return redirect(institute)
    if application is None:
        application = Application(
            applicant=request.user,
            institute=institute,
            agency=request.user.agency,
            position=request.user.position,
        )
    action = request.POST.get("action", "save")
    submitting = request.method == "POST" and action == "submit"
    form = ApplicationForm(
        request.POST or None, instance=application, submitting=submitting, team=application.team
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.save_draft(form.save(commit=False), by=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("institutes:apply", slug=institute.slug)
        if not submitting:
            messages.success(request, "Your draft is saved. You can come back and finish it at any time.")
            return redirect("institutes:apply", slug=institute.slug)
        try:
            if application.team and application.team.lead_id == request.user.pk:
                services.submit_team(application.team, by=request.user)
                messages.success(
                    request, "Your team's application is submitted. We have e-mailed each member."
                )
            elif application.team:
                services.complete_team_part(application, by=request.user)
                messages.success(request, "Your part is complete. Your team lead will submit the team.")
            else:
                services.submit_application(application, by=request.user)
                messages.success(request, "Your application is submitted. We have sent you a confirmation.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("institutes:apply", slug=institute.slug)
        return redirect(application)
    if application.agency_id or application.pk:
        reasons = services.eligibility_reasons(application) if application.agency_id else []
    else:
        reasons = []
    return render(
        request,
        "institutes/apply.html",
        {
            "institute": institute,
            "application": application,
            "form": form,
            "eligibility_reasons": reasons,
            "start_team_form": StartTeamForm(initial={"agency": request.user.agency})
            if institute.team_required and not application.team_id
            else None,
            **_team_context(application if application.pk else None),
        },
    )


@login_required
@require_POST
def team_start(request, slug):
    institute = _visible_institute(request, slug)
    if not permissions.can_apply(request.user, institute) or not institute.team_required:
        raise PermissionDenied
    form = StartTeamForm(request.POST)
    if form.is_valid():
        try:
            services.start_team(institute=institute, lead=request.user, agency=form.cleaned_data["agency"])
            messages.success(request, "Your team is started. Invite your colleagues below.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose your LEA from the list to start a team.")
    return redirect("institutes:apply", slug=institute.slug)


@login_required
@require_POST
def team_invite(request, pk):
    team = get_object_or_404(Team.objects.select_related("institute"), pk=pk)
    if team.lead_id != request.user.pk:
        raise Http404
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_to_team(team, email=form.cleaned_data["email"], by=request.user)
            messages.success(request, f"We have invited {form.cleaned_data['email']}.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Enter a valid e-mail address to invite a colleague.")
    return redirect("institutes:apply", slug=team.institute.slug)


@login_required
def team_invitation(request, token):
    invitation = get_object_or_404(
        TeamInvitation.objects.select_related("team__institute", "team__agency", "team__lead"), token=token
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "decline":
                services.decline_invitation(invitation, user=request.user)
                messages.success(request, "You have declined the invitation.")
                return redirect("dashboard")
            services.accept_invitation(invitation, user=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("institutes:team-invitation", token=token)
        messages.success(request, "You are on the team. Complete your part of the application below.")
        return redirect("institutes:apply", slug=invitation.team.institute.slug)
    return render(
        request,
        "institutes/team_invitation.html",
        {"invitation": invitation, "matches": request.user.email.lower() == invitation.email.lower()},
    )


# --- Supervisor endorsement ------------------------------------------------------------------------


@signed_link
def endorse(request, token):
    try:
        application = services.application_for_endorsement(token)
    except signing.SignatureExpired:
        return render(request, "institutes/endorse_invalid.html", {"expired": True}, status=410)
    except signing.BadSignature:
        return render(request, "institutes/endorse_invalid.html", {"expired": False}, status=404)
    form = EndorsementForm(request.POST or None)
    answered = application.endorsement != Application.Endorsement.REQUESTED
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.record_endorsement(
                application,
                endorsed=form.cleaned_data["decision"] == "endorse",
                comment=form.cleaned_data["comment"],
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Thank you: your answer is recorded.")
        return redirect("institutes:endorse", token=token)
    return render(
        request, "institutes/endorse.html", {"application": application, "form": form, "answered": answered}
    )


# --- One application -----------------------------------------------------------------------------


def _application_for(request, pk) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("institute__module", "applicant", "agency", "team__agency"), pk=pk
    )
    if not permissions.can_view_application(request.user, application):
        raise Http404
    return application


@login_required
def application_detail(request, pk):
    application = _application_for(request, pk)
    is_reviewer = permissions.can_review_institute(request.user, application.institute)
    assignments = []
    if application.status == Status.ACCEPTED:
        submissions = {s.assignment_id: s for s in application.submissions.all()}
        assignments = [(a, submissions.get(a.pk)) for a in application.institute.assignments.all()]
    if application.status == Status.DRAFT:
        reasons = services.eligibility_reasons(application)
    else:
        reasons = application.eligibility_reasons
    return render(
        request,
        "institutes/application_detail.html",
        {
            "application": application,
            "institute": application.institute,
            "events": application.events.select_related("actor"),
            "eligibility_reasons": reasons,
            "is_reviewer": is_reviewer,
            "is_applicant": application.applicant_id == request.user.pk,
            "decision_form": DecisionForm()
            if permissions.can_decide_application(request.user, application)
            else None,
            "withdraw_form": WithdrawForm()
            if permissions.can_withdraw_application(request.user, application)
            else None,
            "assignments": assignments,
            **_team_context(application),
        },
    )


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_withdraw_application(request.user, application):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_application(application, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, "Your application is withdrawn.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "The reason is too long: keep it under 1,000 characters.")
    return redirect(application)


@login_required
@require_POST
def application_decide(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_decide_application(request.user, application):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.DECISIONS[decision](application, by=request.user, note=form.cleaned_data["note"])
            application.refresh_from_db()
            messages.success(
                request, f"{application.applicant.display_name}: {application.get_status_display()}."
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose accept, waitlist or decline (a note can be up to 2,000 characters).")
    return redirect(application)


# --- Coordinators ----------------------------------------------------------------------------------


@login_required
def coordinate(request):
    institutes = (
        Institute.objects.coordinated_by(request.user)
        .select_related("module")
        .annotate(
            submitted_count=Count("applications", filter=Q(applications__status=Status.SUBMITTED)),
            accepted_count=Count("applications", filter=Q(applications__status=Status.ACCEPTED)),
            waitlisted_count=Count("applications", filter=Q(applications__status=Status.WAITLISTED)),
        )
        .order_by("-applications_close_at")
    )
    if not request.user.is_coordinator and not institutes.exists():
        raise PermissionDenied
    return render(request, "institutes/coordinate.html", {"page": _page(request, institutes)})


def _queue(institute: Institute, form: QueueFilterForm):
    applications = (
        institute.applications.exclude(status=Status.DRAFT)
        .select_related("applicant", "agency", "team__agency")
        .order_by("status", "submitted_at", "pk")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["agency"].strip():
            applications = applications.filter(agency__name__icontains=data["agency"].strip())
        if data["region"]:
            applications = applications.filter(agency__region=data["region"])
        if data["eligible"]:
            applications = applications.filter(is_eligible=data["eligible"] == "yes")
    return applications


def _queue_filter_form(request, institute):
    regions = (
        Agency.objects.filter(applications__institute=institute)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )
    return QueueFilterForm(request.GET or None, regions=list(regions))


def _queue_row_inputs(application) -> list:
    """Everything a review-queue row shows (institutes/_queue_row.html)."""
    agency, team = application.agency, application.team
    return [
        *(application.pk, application.url, application.applicant.display_name),
        team.agency.name if team else None,
        *(agency.name if agency else None, agency.region if agency else None),
        *(application.get_status_display(), application.is_eligible, application.eligibility_reasons),
        *(application.get_endorsement_display(), application.submitted_at),
    ]


# What a queue row shows (institutes/_queue_row.html): not the statements, supervisors and the
# people's whole accounts that the CSV export reads.
QUEUE_ROW_FIELDS = [
    *("institute", "status", "submitted_at", "is_eligible", "eligibility_reasons", "endorsement"),
    *("applicant__name", "applicant__email", "agency__name", "agency__region", "team__agency__name"),
]


@login_required
def review_queue(request, slug):
    institute = _reviewable_institute(request, slug)
    form = _queue_filter_form(request, institute)
    counts = dict(
        institute.applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    rows = _queue(institute, form).only(*QUEUE_ROW_FIELDS)
    if not (form.is_valid() and any(form.cleaned_data.values())):
        # Unfiltered, the queue is every application but the drafts: the counts above hold its length.
        total = sum(n for status, n in counts.items() if status != Status.DRAFT)
        page = KnownCountPaginator(rows, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    else:
        page = _page(request, rows)
    application_url = url_for_pk("institutes:application-detail")
    for application in page:
        application.url = application_url(application.pk)
    render_items(page, "institutes/_queue_row.html", name="application", inputs=_queue_row_inputs)
    seats = max(institute.capacity - counts.get(Status.ACCEPTED, 0), 0)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutes/review_queue.html",
        {
            "institute": institute,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": [(s, counts.get(s.value, 0)) for s in Status if s != Status.DRAFT],
            "seats_left": seats,
            "offer": services.first_waitlisted(institute) if seats else None,
            "bulk_form": BulkDecisionForm(institute=institute),
        },
    )


@login_required
@require_POST
def review_bulk(request, slug):
    institute = _reviewable_institute(request, slug)
    form = BulkDecisionForm(request.POST, institute=institute)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("institutes:review-queue", slug=slug)
    result = services.bulk_decide(
        list(form.cleaned_data["applications"].select_related("applicant")),
        decision=form.cleaned_data["decision"],
        by=request.user,
        note=form.cleaned_data["note"],
    )
    if result.done:
        messages.success(
            request, f"{len(result.done)} application{'s' if len(result.done) != 1 else ''} decided."
        )
    for application, reason in result.skipped:
        messages.error(request, f"{application.applicant.display_name}: {reason}")
    return redirect("institutes:review-queue", slug=slug)


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    # A cell that starts with these is a formula in a spreadsheet: keep it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def applications_csv(request, slug):
    institute = _reviewable_institute(request, slug)
    form = _queue_filter_form(request, institute)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{institute.slug[:60]}-applications.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Application",
            "Name",
            "E-mail",
            "Agency",
            "Region",
            "Position",
            "Status",
            "Submitted",
            "Eligible",
            "Eligibility notes",
            "Team",
            "Supervisor",
            "Supervisor e-mail",
            "Endorsement",
            "Attend every session",
            "Present within a year",
            "Statement",
        ]
    )
    for a in _queue(institute, form).iterator(chunk_size=500):
        writer.writerow(
            [
                _csv_safe(x)
                for x in [
                    a.pk,
                    a.applicant.display_name,
                    a.applicant.email,
                    a.agency.name if a.agency else "",
                    a.agency.region if a.agency else "",
                    a.position,
                    a.get_status_display(),
                    timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
                    {True: "yes", False: "no", None: ""}[a.is_eligible],
                    " ".join(a.eligibility_reasons),
                    a.team.agency.name if a.team else "",
                    a.supervisor_name,
                    a.supervisor_email,
                    a.get_endorsement_display(),
                    "yes" if a.commits_to_attend else "no",
                    "yes" if a.commits_to_present else "no",
                    a.statement,
                ]
            ]
        )
    return response


# --- Assignments -----------------------------------------------------------------------------------


@login_required
def assignments(request, slug):
    institute = _reviewable_institute(request, slug)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assignment = services.create_assignment(institute=institute, by=request.user, **form.cleaned_data)
        messages.success(request, f"Assignment “{assignment.title}” is added.")
        return redirect("institutes:assignments", slug=slug)
    items = institute.assignments.annotate(
        submitted_count=Count(
            "submissions", filter=Q(submissions__state=AssignmentSubmission.State.SUBMITTED)
        ),
        accepted_count=Count("submissions", filter=Q(submissions__state=AssignmentSubmission.State.ACCEPTED)),
    )
    return render(
        request,
        "institutes/assignments.html",
        {"institute": institute, "assignments": items, "form": form},
    )


@login_required
def assignment_detail(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("institute"), pk=pk)
    if not permissions.can_view_assignment(request.user, assignment):
        raise Http404
    if permissions.can_review_institute(request.user, assignment.institute):
        submissions = assignment.submissions.select_related("application__applicant", "reviewed_by").order_by(
            "state", "submitted_at"
        )
        return render(
            request,
            "institutes/assignment_review.html",
            {
                "assignment": assignment,
                "institute": assignment.institute,
                "page": _page(request, submissions),
                "review_form": ReviewSubmissionForm(),
            },
        )
    application = get_object_or_404(
        Application, applicant=request.user, institute=assignment.institute, status=Status.ACCEPTED
    )
    submission = AssignmentSubmission.objects.filter(assignment=assignment, application=application).first()
    can_submit = submission is None or submission.state != AssignmentSubmission.State.ACCEPTED
    form = SubmissionForm(request.POST or None, request.FILES or None, assignment=assignment)
    if request.method == "POST" and can_submit and form.is_valid():
        try:
            services.submit_assignment(
                assignment,
                application=application,
                by=request.user,
                text=form.cleaned_data.get("text", ""),
                file=form.cleaned_data.get("file"),
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Your work is submitted. The coordinator will review it.")
            return redirect(assignment)
    return render(
        request,
        "institutes/assignment_detail.html",
        {
            "assignment": assignment,
            "institute": assignment.institute,
            "application": application,
            "submission": submission,
            "form": form if can_submit else None,
        },
    )


def _submission_for(request, pk) -> AssignmentSubmission:
    submission = get_object_or_404(
        AssignmentSubmission.objects.select_related("assignment__institute", "application__applicant"), pk=pk
    )
    if not permissions.can_download_submission(request.user, submission):
        raise Http404
    return submission


@login_required
@require_POST
def submission_review(request, pk):
    submission = _submission_for(request, pk)
    if not permissions.can_review_submission(request.user, submission):
        raise PermissionDenied
    form = ReviewSubmissionForm(request.POST)
    if form.is_valid():
        try:
            services.review_submission(
                submission,
                by=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, f"{submission.application.applicant.display_name}: review saved.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{submission.application.applicant.display_name}: {error}")
    return redirect(submission.assignment)


@login_required
def submission_download(request, pk):
    submission = _submission_for(request, pk)
    if not submission.file:
        raise Http404
    return attachment_response(submission.file, submission.original_filename or "submission")


# --- Attendance, practice and the roster -------------------------------------------------------------


@login_required
def attendance(request, pk):
    session = get_object_or_404(Session.objects.select_related("institute"), pk=pk)
    if not permissions.can_view_institute(request.user, session.institute):
        raise Http404
    if not permissions.can_review_institute(request.user, session.institute):
        raise PermissionDenied
    participants = (
        session.institute.applications.accepted()
        .select_related("applicant", "agency")
        .order_by("applicant__name")
    )
    current = dict(Attendance.objects.filter(session=session).values_list("application_id", "status"))
    form = AttendanceForm(request.POST or None, applications=participants, current=current)
    if request.method == "POST" and form.is_valid():
        count = services.record_attendance(session, marks=form.marks(), by=request.user)
        messages.success(request, f"Attendance saved for {count} participant{'s' if count != 1 else ''}.")
        return redirect("institutes:attendance", pk=session.pk)
    return render(
        request,
        "institutes/attendance.html",
        {"session": session, "institute": session.institute, "form": form},
    )


@login_required
def roster(request, slug):
    institute = _reviewable_institute(request, slug)
    if request.method == "POST":
        form = PracticeForm(request.POST)
        if form.is_valid():
            application = institute.applications.filter(pk=form.cleaned_data["application"]).first()
            if application is None:
                raise Http404
            try:
                services.record_practice_result(
                    application,
                    result=form.cleaned_data["result"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request, f"Practice facilitation recorded for {application.applicant.display_name}."
                )
            except services.ApplicationError as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, "Choose passed or not yet (a note can be up to 500 characters).")
        return redirect("institutes:roster", slug=slug)
    rows = services.completion_roster(institute)
    return render(
        request,
        "institutes/roster.html",
        {
            "institute": institute,
            "rows": [(row, PracticeForm(initial={"application": row.application.pk})) for row in rows],
            "complete_count": sum(row.complete for row in rows),
            "sessions": institute.sessions.all(),
        },
    )
