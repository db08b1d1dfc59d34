"""Assignments: set by coordinators, submitted by participants, reviewed and downloaded."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from institutes import permissions, services
from institutes.forms import AssignmentForm, ReviewSubmissionForm, SubmissionForm
from institutes.models import Application, Assignment, AssignmentSubmission
from institutes.views._common import Status, _page, _reviewable_institute
from portal.access import login_required
from portal.uploads import attachment_response


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
