"""The communities panel of the personal dashboard: my communities, my plans and their next steps."""

from django.db.models import Prefetch

from communities.models import Community, ImplementationPlan, PlanStep


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    communities = list(Community.objects.filter(memberships__user=user).order_by("title")[:12])
    open_steps = PlanStep.objects.exclude(status=PlanStep.Status.DONE)
    plans = list(
        ImplementationPlan.objects.filter(owner=user).prefetch_related(
            Prefetch("steps", queryset=open_steps, to_attr="open_steps")
        )[:6]
    )
    for plan in plans:
        plan.next_steps = plan.open_steps[:2]
    return {
        "template": "communities/_dashboard_panel.html",
        "order": 30,
        "communities": communities,
        "plans": plans,
    }
