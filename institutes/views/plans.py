"""A planning network's follow-up: the coordinator reviews each team's plan and writes a note."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities import services as communities
from communities.models import ImplementationPlan, PlanReview, PlanStep
from institutes import permissions
from institutes.views._common import _page, _visible_institute
from portal.access import login_required
from portal.pictures import bar_step


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Your note for the team",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        help_text="What the team has done well, and what to take on before the next follow-up.",
    )


def _reviewable(request, slug):
    institute = _visible_institute(request, slug)
    if not permissions.can_review_team_plans(request.user, institute):
        raise PermissionDenied
    return institute


@login_required
def team_plans(request, slug):
    institute = _reviewable(request, slug)
    plans = (
        ImplementationPlan.objects.filter(institute=institute, team__isnull=False)
        .select_related("team__agency")
        .prefetch_related("steps")
        .annotate(
            steps_total=Count("steps", distinct=True),
            steps_done=Count("steps", filter=Q(steps__status=PlanStep.Status.DONE), distinct=True),
            deliverable_count=Count("deliverables", distinct=True),
        )
        .order_by("team__agency__name", "pk")
    )
    page = _page(request, plans)
    rows = list(page)
    latest = {}
    for review in PlanReview.objects.filter(plan__in=[p.pk for p in rows]).select_related("author"):
        latest.setdefault(review.plan_id, review)  # newest first
    page.object_list = [
        {
            "plan": plan,
            "step": bar_step(plan.steps_done, plan.steps_total),
            "review": latest.get(plan.pk),
            "form": ReviewForm(prefix=f"plan-{plan.pk}"),
        }
        for plan in rows
    ]
    follow_ups = institute.sessions.filter(follow_up=True)
    return render(
        request,
        "institutes/team_plans.html",
        {"institute": institute, "page": page, "follow_ups": follow_ups},
    )


@login_required
@require_POST
def team_plan_review(request, slug, plan_pk):
    institute = _reviewable(request, slug)
    plan = get_object_or_404(ImplementationPlan, pk=plan_pk, institute=institute, team__isnull=False)
    form = ReviewForm(request.POST, prefix=f"plan-{plan.pk}")
    if form.is_valid():
        try:
            communities.review_plan(plan=plan, by=request.user, note=form.cleaned_data["note"])
        except communities.CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Your note for {plan.title} is saved; the team sees it on its plan.")
    else:
        messages.error(request, "Write a note for the team (up to 5,000 characters).")
    return redirect("institutes:team-plans", slug=institute.slug)
