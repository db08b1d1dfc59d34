"""Implementation plans: one's own, shared with a community, with steps, reflections and comments."""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from communities import permissions, services
from communities.forms import CommentForm, PlanForm, PlanStepForm, ReflectionForm
from communities.models import ImplementationPlan, PlanStep
from communities.views._common import _page, _require, _visible_community
from portal.access import login_required


@login_required
def plan_list(request):
    plans = (
        ImplementationPlan.objects.filter(owner=request.user)
        .select_related("shared_with")
        .annotate(step_count=Count("steps", distinct=True))
        .order_by("-updated_at", "-pk")
    )
    return render(request, "communities/plan_list.html", {"page": _page(request, plans)})


@login_required
def plan_create(request):
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = services.save_plan(plan=form.instance, owner=request.user, **form.cleaned_data)
        messages.success(request, "Your plan is saved. Add the steps you will take.")
        return redirect(plan)
    return render(request, "communities/plan_form.html", {"form": form})


def _visible_plan(request, pk) -> ImplementationPlan:
    plan = get_object_or_404(ImplementationPlan.objects.select_related("owner", "shared_with"), pk=pk)
    if not permissions.can_view_plan(request.user, plan):
        raise Http404
    return plan


@login_required
def plan_detail(request, pk):
    plan = _visible_plan(request, pk)
    return render(
        request,
        "communities/plan_detail.html",
        {
            "plan": plan,
            "steps": plan.steps.all(),
            "reflections": plan.reflections.all(),
            "comments": plan.comments.select_related("author"),
            "can_edit": permissions.can_edit_plan(request.user, plan),
            "can_comment": permissions.can_comment_on_plan(request.user, plan),
            "step_form": PlanStepForm(prefix="step"),
            "reflection_form": ReflectionForm(prefix="reflection"),
            "comment_form": CommentForm(prefix="comment"),
        },
    )


@login_required
def plan_edit(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_plan(plan=plan, owner=request.user, **form.cleaned_data)
        messages.success(request, "Your plan is saved.")
        return redirect(plan)
    return render(request, "communities/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_step(request, pk, step_pk=None):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    step = get_object_or_404(PlanStep, pk=step_pk, plan=plan) if step_pk else None
    form = PlanStepForm(request.POST or None, instance=step, prefix="step")
    if request.method == "POST" and form.is_valid():
        services.save_plan_step(plan=plan, step=step, **form.cleaned_data)
        messages.success(request, "The step is saved.")
        return redirect(plan)
    return render(request, "communities/plan_step_form.html", {"plan": plan, "form": form, "step": step})


@login_required
def plan_reflection(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    form = ReflectionForm(request.POST or None, prefix="reflection")
    if request.method == "POST" and form.is_valid():
        services.add_reflection(plan=plan, body=form.cleaned_data["body"])
        messages.success(request, "Your reflection is saved.")
        return redirect(plan)
    return render(
        request, "communities/plan_text_form.html", {"plan": plan, "form": form, "what": "reflection"}
    )


@login_required
def plan_comment(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_comment_on_plan(request.user, plan))
    form = CommentForm(request.POST or None, prefix="comment")
    if request.method == "POST" and form.is_valid():
        services.comment_on_plan(plan=plan, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Your comment is posted.")
        return redirect(plan)
    return render(request, "communities/plan_text_form.html", {"plan": plan, "form": form, "what": "comment"})


@login_required
def community_plans(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_view_community_plans(request.user, community))
    plans = (
        ImplementationPlan.objects.filter(shared_with=community)
        .select_related("owner")
        .annotate(
            step_count=Count("steps", distinct=True),
            comment_count=Count("comments", distinct=True),
            has_done=Exists(PlanStep.objects.filter(plan=OuterRef("pk"), status=PlanStep.Status.DONE)),
        )
        .order_by("-updated_at", "-pk")
    )
    return render(
        request, "communities/community_plans.html", {"community": community, "page": _page(request, plans)}
    )
