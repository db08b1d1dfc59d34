"""The communities panel of the personal dashboard: my communities, my plans and their next steps."""

from django.db.models import OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from communities.models import Community, Event, EventRegistration, ImplementationPlan, Membership, PlanStep
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
        # One's own plans and one's team's (a planning network's team plan).
        ImplementationPlan.objects.filter(
            pk__in=ImplementationPlan.objects.filter(Q(owner=user) | Q(members=user)).values("pk")
        ).prefetch_related(Prefetch("steps", queryset=open_steps, to_attr="open_steps"))[:6]
    )
    for plan in plans:
        plan.next_steps = plan.open_steps[:2]
    events = _upcoming_events(user)
    staff_only = user.is_coordinator or user.is_finance or user.is_state_office
    if staff_only and not communities and not plans and not events:
        return None  # "join a community, start a plan" is for educators, not the program's staff
    return {
        "template": "communities/_dashboard_panel.html",
        "order": 40,  # after what waits for the person: applications, certifications, reviews
        "communities": communities,
        "plans": plans,
        "events": events,
    }


def _upcoming_events(user) -> list[Event]:
    """The next events of my communities and those I registered for, with my place (one query)."""
    live = [EventRegistration.Status.REGISTERED, EventRegistration.Status.WAITLISTED]
    mine = EventRegistration.objects.filter(person=user, status__in=live)
    return list(
        Event.objects.upcoming()
        .filter(
            Q(community__in=Membership.objects.filter(user=user).values("community_id"))
            | Q(pk__in=mine.values("event_id"))
        )
        .annotate(
            my_status=Coalesce(Subquery(mine.filter(event=OuterRef("pk")).values("status")[:1]), Value(""))
        )
        .select_related("community")
        .order_by("starts_at", "pk")[:5]
    )
