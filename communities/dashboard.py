"""The communities panel of the personal dashboard: my communities, my plans and their next steps."""

from django.db.models import Prefetch

from communities.models import Community, ImplementationPlan, PlanStep
from portal.fragments import url_for_slug


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    community_url = url_for_slug("communities:community-detail")
    communities = [
        {"title": title, "kind": kind, "url": community_url(slug)}
        for title, slug, kind in Community.objects.filter(memberships__user=user)
        .order_by("title")
        .values_list("title", "slug", "kind")[:12]
    ]
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
