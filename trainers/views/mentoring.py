"""Mentoring: a trainer's offers and mentees, a mentee's progress, and the coordinator's pairing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from communities.models import ImplementationPlan
from institutes.models import (
    AssignmentSubmission,
    Institute,
    PracticeFacilitation,
    PracticeFeedback,
    PracticeResult,
)
from portal.access import login_required
from trainers import mentoring, permissions
from trainers.mentoring_forms import EndPairingForm, MeetingForm, OfferForm, PairForm
from trainers.models import MentorOffer, Mentorship


@login_required
def my_mentoring(request):
    """The trainer's offers to mentor, and the people they mentor now."""
    if not permissions.can_offer_to_mentor(request.user):
        raise PermissionDenied
    form = OfferForm(request.POST or None, trainer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            offer = mentoring.offer_to_mentor(
                request.user,
                module=form.cleaned_data["module"],
                region=form.cleaned_data["region"],
                capacity=form.cleaned_data["capacity"],
                note=form.cleaned_data["note"],
                is_open=form.cleaned_data["is_open"],
            )
        except mentoring.MentoringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Your offer to mentor {offer.module} is saved.")
            return redirect("trainers:my-mentoring")
    offers = MentorOffer.objects.filter(trainer=request.user).with_load().select_related("module")
    mentees = (
        Mentorship.objects.active()
        .filter(mentor=request.user)
        .select_related("application__applicant", "application__institute")
        .order_by("application__applicant__name")
    )
    return render(
        request, "trainers/mentoring/mine.html", {"form": form, "offers": offers, "mentees": mentees}
    )


@login_required
def mentee(request, pk):
    """A mentee's progress, read only: assignments, practice feedback, shared plans; and the
    meetings the mentor logs. Anyone but the mentor (and the institute's coordinator): 404."""
    mentorship = get_object_or_404(
        Mentorship.objects.select_related(
            "application__applicant", "application__institute__module", "mentor"
        ),
        pk=pk,
    )
    if not permissions.can_view_mentee(request.user, mentorship):
        raise Http404
    can_log = permissions.can_log_meeting(request.user, mentorship)
    form = MeetingForm(request.POST or None) if can_log else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                mentoring.log_meeting(
                    mentorship,
                    met_on=form.cleaned_data["met_on"],
                    notes=form.cleaned_data["notes"],
                    by=request.user,
                )
            except mentoring.MentoringError as exc:
                form.add_error("met_on", str(exc))
            else:
                messages.success(request, "Meeting logged.")
                return redirect("trainers:mentee", pk=mentorship.pk)
    application = mentorship.application
    institute = application.institute
    submissions = {
        s.assignment_id: s
        for s in AssignmentSubmission.objects.filter(application=application).only("assignment", "state")
    }
    assignments = [(a, submissions.get(a.pk)) for a in institute.assignments.order_by("due_on", "pk")]
    facilitations = PracticeFacilitation.objects.filter(application=application).prefetch_related(
        Prefetch("feedback", queryset=PracticeFeedback.objects.select_related("scorer"))
    )
    # Plans the mentee chose to share with a community; private ones stay private, from a mentor too.
    plans = ImplementationPlan.objects.filter(
        owner=application.applicant, shared_with__isnull=False
    ).prefetch_related("steps")
    return render(
        request,
        "trainers/mentoring/mentee.html",
        {
            "mentorship": mentorship,
            "application": application,
            "mentee_user": application.applicant,
            "institute": institute,
            "assignments": assignments,
            "facilitations": facilitations,
            "practice": PracticeResult.objects.filter(application=application).first(),
            "plans": plans,
            "meetings": mentorship.meetings.select_related("logged_by"),
            "form": form,
        },
    )


@login_required
def pairs(request, slug):
    """The coordinator pairs mentors with the institute's participants (suggested by region and load)."""
    institute = get_object_or_404(Institute.objects.select_related("module"), slug=slug)
    if not permissions.can_pair_mentors(request.user, institute):
        raise PermissionDenied
    if request.method == "POST":
        if "end" in request.POST:
            end = EndPairingForm(request.POST)
            if end.is_valid():
                mentorship = get_object_or_404(
                    Mentorship.objects.active(),
                    pk=end.cleaned_data["mentorship"],
                    application__institute=institute,
                )
                mentoring.end_pairing(mentorship, by=request.user)
                messages.success(request, f"The pairing with {mentorship.mentor.display_name} has ended.")
            else:
                messages.error(request, "Choose the pairing to end.")
        else:
            form = PairForm(request.POST)
            if form.is_valid():
                application = get_object_or_404(
                    institute.applications.select_related("applicant"), pk=form.cleaned_data["application"]
                )
                offer = get_object_or_404(
                    MentorOffer.objects.select_related("trainer"), pk=form.cleaned_data["offer"]
                )
                try:
                    mentoring.pair(offer, application, by=request.user)
                except mentoring.MentoringError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        f"{offer.trainer.display_name} now mentors {application.applicant.display_name}.",
                    )
            else:
                messages.error(request, "Choose a mentor for the participant.")
        return redirect("trainers:mentor-pairs", slug=institute.slug)
    return render(
        request,
        "trainers/mentoring/pairs.html",
        {"institute": institute, "rows": mentoring.suggestions(institute)},
    )
