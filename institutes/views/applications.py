"""Applying, the supervisor's endorsement, and one application: its page, withdrawal and decision."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from institutes import permissions, services
from institutes.forms import (
    ApplicationForm,
    EndorsementForm,
    EndorsementRecordForm,
    InviteForm,
    SeatOfferForm,
    SingleDecisionForm,
    StartTeamForm,
    WithdrawForm,
)
from institutes.models import Application, TeamInvitation
from institutes.views._common import Status, _visible_institute
from portal.access import login_required, signed_link


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
    if application.agency_id:
        reasons = services.eligibility_reasons(application)
    else:  # a levelled series says what it requires before anything is filled in
        reasons = services.level_reasons(request.user, institute)
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
    waitlist_position = None
    if application.status == Status.WAITLISTED:
        waitlist_position = (
            Application.objects.filter(pk=application.pk)
            .with_waitlist_position()
            .values_list("waitlist_position", flat=True)
            .get()
        )
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
            "waitlist_position": waitlist_position,
            "can_answer_offer": permissions.can_answer_seat_offer(request.user, application),
            "decision_form": SingleDecisionForm(eligible=application.is_eligible is not False)
            if permissions.can_decide_application(request.user, application)
            else None,
            "endorsement_form": EndorsementRecordForm()
            if permissions.can_record_endorsement(request.user, application)
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
def application_endorsement(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_record_endorsement(request.user, application):
        raise PermissionDenied
    form = EndorsementRecordForm(request.POST)
    if form.is_valid():
        try:
            services.record_endorsement(
                application,
                endorsed=form.cleaned_data["endorsed"],
                comment=form.cleaned_data["note"],
                by=request.user,
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The supervisor's answer is recorded.")
    else:
        messages.error(request, "Choose the supervisor's answer and say how it came.")
    return redirect(application)


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
def application_offer(request, pk):
    """The applicant accepts or declines the seat offered to them."""
    application = _application_for(request, pk)
    if not permissions.can_answer_seat_offer(request.user, application):
        if application.applicant_id == request.user.pk:
            messages.info(request, "There is no seat offer waiting for your answer any more.")
            return redirect(application)
        raise PermissionDenied
    form = SeatOfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to accept or decline the seat.")
        return redirect(application)
    try:
        if form.cleaned_data["answer"] == "accept":
            services.accept_seat_offer(application, by=request.user)
            messages.success(request, f"Welcome: your seat in {application.institute.title} is yours.")
        else:
            services.decline_seat_offer(application, by=request.user)
            messages.success(request, "Thank you for letting us know: the seat goes to the next person.")
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
    return redirect(application)


@login_required
@require_POST
def application_decide(request, pk):
    application = _application_for(request, pk)
    if not permissions.can_decide_application(request.user, application):
        raise PermissionDenied
    form = SingleDecisionForm(request.POST, eligible=application.is_eligible is not False)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        extra = (
            {"override": form.cleaned_data["override"]}
            if "override" in form.fields and decision == "accept"
            else {}
        )
        try:
            services.DECISIONS[decision](
                application, by=request.user, note=form.cleaned_data["note"], **extra
            )
            application.refresh_from_db()
            messages.success(
                request, f"{application.applicant.display_name}: {application.get_status_display()}."
            )
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose accept, waitlist or decline (a note can be up to 2,000 characters).")
    return redirect(application)
