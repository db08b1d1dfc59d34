"""Implementation plans: one's own, shared with a community, with steps, reflections and comments."""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import CommentForm, DeliverableForm, PlanForm, PlanStepForm, ReflectionForm
from communities.models import ImplementationPlan, PlanDeliverable, PlanStep
from communities.views._common import _page, _require, _visible_community
from portal.access import login_required
from portal.pictures import bar_step
from portal.uploads import attachment_response

HISTORY_SHOWN = 30


@login_required
def plan_list(request):
    plans = (
        ImplementationPlan.objects.filter(Q(owner=request.user) | Q(members=request.user))
        .distinct()
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
    can_edit = permissions.can_edit_plan(request.user, plan)
    steps = list(plan.steps.all())
    done = sum(1 for s in steps if s.status == PlanStep.Status.DONE)
    history = list(services.plan_history(plan)[: HISTORY_SHOWN + 1])
    return render(
        request,
        "communities/plan_detail.html",
        {
            "plan": plan,
            "steps": steps,
            "steps_done": done,
            "done_step": bar_step(done, len(steps)) if steps else 0,
            "members": list(plan.members.order_by("name", "pk")) if plan.team_id else [],
            "deliverables": list(plan.deliverables.select_related("added_by", "resource__community")),
            "share_to": services.deliverable_community(plan)
            if can_edit and plan.team_id
            else plan.shared_with,
            "history": history[:HISTORY_SHOWN],
            "history_more": len(history) > HISTORY_SHOWN,
            "reviews": list(plan.reviews.select_related("author")),
            "reflections": plan.reflections.all(),
            "comments": plan.comments.select_related("author"),
            "can_edit": can_edit,
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
        services.save_plan_step(plan=plan, step=step, by=request.user, **form.cleaned_data)
        messages.success(request, "The step is saved.")
        return redirect(plan)
    return render(request, "communities/plan_step_form.html", {"plan": plan, "form": form, "step": step})


@login_required
def plan_deliverable(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_add_deliverable(request.user, plan))
    form = DeliverableForm(request.POST or None, request.FILES or None, prefix="deliverable")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.add_deliverable(
            plan=plan, by=request.user, title=data["title"], url=data["url"], file=data.get("file")
        )
        messages.success(request, "The deliverable is added to the plan. Share it when the team is ready.")
        return redirect(plan)
    return render(request, "communities/plan_deliverable_form.html", {"plan": plan, "form": form})


@login_required
def deliverable_download(request, pk):
    """A deliverable's file, for whoever may read the plan."""
    deliverable = get_object_or_404(PlanDeliverable.objects.select_related("plan"), pk=pk)
    if not permissions.can_view_plan(request.user, deliverable.plan) or not deliverable.file:
        raise Http404
    return attachment_response(deliverable.file, deliverable.filename or deliverable.title)


@login_required
@require_POST
def deliverable_share(request, pk):
    deliverable = get_object_or_404(PlanDeliverable.objects.select_related("plan"), pk=pk)
    if not permissions.can_view_plan(request.user, deliverable.plan):
        raise Http404
    _require(permissions.can_share_deliverable(request.user, deliverable))
    try:
        resource = services.share_deliverable(deliverable=deliverable, by=request.user)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{resource.title}” is now a resource of {resource.community.title}.")
    return redirect(deliverable.plan)


@login_required
def plan_reflection(request, pk):
    plan = _visible_plan(request, pk)
    _require(permissions.can_edit_plan(request.user, plan))
    form = ReflectionForm(request.POST or None, prefix="reflection")
    if request.method == "POST" and form.is_valid():
        services.add_reflection(plan=plan, body=form.cleaned_data["body"], by=request.user)
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
