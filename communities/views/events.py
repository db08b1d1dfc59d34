"""Community events: the statewide list, an event's page, registering, the roster on the day,
the materials afterwards, and private calendar feeds."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from communities import events as services
from communities import permissions
from communities.forms import EventCancelForm, EventFilterForm, EventForm, EventMaterialsForm
from communities.models import (
    CalendarFeed,
    Community,
    CommunityFacilitator,
    Event,
    EventAttendance,
    EventRegistration,
    ReadScope,
)
from communities.views._common import _page, _require, _visible_community
from portal import calendar
from portal.access import login_required, public
from portal.states import DomainError

PAGE_SIZE = 20


def _visible_event(request, pk) -> Event:
    event = get_object_or_404(Event.objects.select_related("community"), pk=pk)
    if not permissions.can_view_event(request.user, event):
        raise Http404
    return event


def _managed_event(request, pk) -> Event:
    event = _visible_event(request, pk)
    _require(permissions.can_manage_event(request.user, event))
    return event


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- the statewide list ----------------------------------------------------------------------


@public
def event_list(request):
    scope = ReadScope.resolved_for(request.user)
    visible = (
        Community.objects.all() if scope.everywhere else Community.objects.filter(pk__in=scope.communities)
    )
    choices = list(visible.exclude(kind=Community.Kind.COHORT).order_by("title").values_list("pk", "title"))
    form = EventFilterForm(request.GET or None, communities=choices)
    events = Event.objects.visible_to(request.user, scope).exclude(status=Event.Status.CANCELLED)
    now = timezone.now()
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("community"):
        events = events.filter(community_id=data["community"])
    if data.get("kind"):
        events = events.filter(kind=data["kind"])
    if data.get("mode") == "online":
        events = events.filter(kind__in=[Event.Kind.WEBINAR, Event.Kind.HYBRID])
    elif data.get("mode") == "in_person":
        events = events.filter(kind__in=[Event.Kind.MEETING, Event.Kind.HYBRID])
    if data.get("date_from"):
        events = events.filter(ends_at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(starts_at__lt=_day_start(data["date_to"]) + timedelta(days=1))
    if not data.get("date_from") and not data.get("date_to"):
        events = events.filter(ends_at__gt=now)  # what is still to come, unless a range is asked for
    events = services.with_counts(events.select_related("community")).order_by("starts_at", "pk")
    page = _page(request, events, PAGE_SIZE)
    mine = set()
    if request.user.is_authenticated:
        mine = dict(
            EventRegistration.objects.filter(
                person=request.user, event_id__in=[e.pk for e in page.object_list]
            )
            .exclude(status=EventRegistration.Status.CANCELLED)
            .values_list("event_id", "status")
        )
    for event in page.object_list:
        event.seats_left = max(event.capacity - event.seats_taken, 0)
        event.my_status = mine.get(event.pk, "") if mine else ""
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communities/events/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# --- scheduling --------------------------------------------------------------------------------


@login_required
def event_create(request, slug):
    community = _visible_community(request, slug)
    _require(permissions.can_schedule_event(request.user, community))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        schedule = services.Schedule(
            first_day=data["first_day"],
            starts=data["starts"],
            ends=data["ends"],
            repeat=data["repeat"],
            count=data.get("count") or 1,
            extra_days=data.get("extra_days") or (),
        )
        try:
            event = services.schedule_event(
                community=community,
                by=request.user,
                title=data["title"],
                kind=data["kind"],
                schedule=schedule,
                capacity=data["capacity"],
                description=data["description"],
                place=data["place"],
                online_link=data["online_link"],
            )
        except DomainError as exc:
            form.add_error("first_day" if "date" in str(exc) else None, str(exc))
        else:
            messages.success(request, f"{event.title} is scheduled. Members can now register.")
            return redirect(event)
    return render(request, "communities/events/form.html", {"community": community, "form": form})


@login_required
def event_cancel(request, pk):
    event = _managed_event(request, pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event, by=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{event.title} is cancelled; everyone registered has been told.")
        return redirect(event)
    return render(request, "communities/events/cancel.html", {"event": event, "form": form})


# --- an event's page, registering ------------------------------------------------------------


@public
def event_detail(request, pk):
    event = _visible_event(request, pk)
    user = request.user
    registration = services.live_registration(event, user)
    can_manage = permissions.can_manage_event(user, event)
    dates = list(event.dates.all())
    taken = services.registered_count(event)
    context = {
        "event": event,
        "community": event.community,
        "dates": dates,
        "registration": registration,
        "position": services.waitlist_position(registration) if registration else None,
        "online_link": services.online_link_for(user, event, registration),
        "accepts": services.accepts_registrations(event),
        "can_register": permissions.can_register_for_event(user, event),
        "seats_taken": taken,
        "seats_left": max(event.capacity - taken, 0),
        "waitlist_count": event.registrations.filter(status=EventRegistration.Status.WAITLISTED).count(),
        "can_manage": can_manage,
        "can_mark_held": can_manage and services.can_be_marked_held(event),
        "started": event.starts_at is not None and event.starts_at <= timezone.now(),
    }
    return render(request, "communities/events/detail.html", context)


@login_required
@require_POST
def event_register(request, pk):
    event = _visible_event(request, pk)
    _require(permissions.can_register_for_event(request.user, event))
    try:
        registration = services.register(event, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if registration.status == EventRegistration.Status.REGISTERED:
            messages.success(
                request, "You are registered. A confirmation with a calendar file is on its way."
            )
        else:
            messages.info(
                request,
                "The event is full, so you are on the waitlist. We will e-mail you if a place opens up.",
            )
    return redirect(event)


@login_required
@require_POST
def event_unregister(request, pk):
    event = _visible_event(request, pk)
    registration = services.live_registration(event, request.user)
    if registration is None:
        messages.error(request, "You are not registered for this event.")
        return redirect(event)
    _require(permissions.can_cancel_event_registration(request.user, registration))
    was = registration.status
    try:
        services.cancel_registration(registration, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "You gave your place back. Thank you for letting someone else come."
            if was == EventRegistration.Status.REGISTERED
            else "You left the waitlist.",
        )
    return redirect(event)


@public
def event_ics(request, pk):
    """The event's dates as a calendar file; the online link only for those holding a place."""
    event = _visible_event(request, pk)
    with_link = bool(services.online_link_for(request.user, event))
    return calendar.response(services.calendar_text(event, with_link=with_link), f"event-{event.pk}.ics")


# --- on the day and after ----------------------------------------------------------------------


@login_required
def event_attendance(request, pk):
    """The roster of one date: a phone-sized list where a tap marks someone present (or not)."""
    event = _visible_event(request, pk)
    _require(permissions.can_take_event_attendance(request.user, event))
    dates = list(event.dates.all())
    if not dates:
        raise Http404
    chosen = request.POST.get("date") or request.GET.get("date")
    date = next((d for d in dates if str(d.pk) == chosen), None)
    if date is None:
        now = timezone.now()
        started = [d for d in dates if d.starts_at <= now]
        date = started[-1] if started else dates[0]
    if request.method == "POST":
        registration = EventRegistration.objects.filter(
            event=event, pk=request.POST.get("registration") or 0
        ).first()
        if registration is None:
            messages.error(request, "That person is not on this event's roster.")
        else:
            try:
                services.set_present(
                    date, registration, present=request.POST.get("present") == "true", by=request.user
                )
            except DomainError as exc:
                messages.error(request, str(exc))
        return redirect(f"{request.path}?date={date.pk}")
    present = EventAttendance.objects.filter(date=date, registration=OuterRef("pk"))
    rows = list(
        event.registrations.exclude(status=EventRegistration.Status.CANCELLED)
        .select_related("person")
        .annotate(present=Exists(present))
        .order_by("person__name", "pk")
    )
    return render(
        request,
        "communities/events/attendance.html",
        {
            "event": event,
            "dates": dates,
            "date": date,
            "rows": rows,
            "present_count": sum(1 for r in rows if r.present),
            "not_yet": date.starts_at > timezone.now(),
            "can_mark_held": services.can_be_marked_held(event),
        },
    )


@login_required
@require_POST
def event_held(request, pk):
    event = _visible_event(request, pk)
    _require(permissions.can_manage_event(request.user, event))
    try:
        services.mark_held(event, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{event.title} is marked held. Those who came are asked for their thoughts."
        )
    return redirect(event)


@login_required
def event_materials(request, pk):
    event = _managed_event(request, pk)
    form = EventMaterialsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.share_materials(event, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Shared in {event.community.title}'s resources: {', '.join(r.title for r in made)}."
            )
            return redirect("communities:resources", slug=event.community.slug)
    return render(request, "communities/events/materials.html", {"event": event, "form": form})


# --- calendar feeds ------------------------------------------------------------------------------


@login_required
def calendar_feeds(request):
    """The person's private feed addresses: their own events, and each community they belong to."""
    user = request.user
    communities = list(
        Community.objects.filter(
            Q(memberships__user=user)
            | Q(pk__in=CommunityFacilitator.objects.active().filter(user=user).values("community"))
        )
        .distinct()
        .order_by("title")
    )
    if request.method == "POST":
        raw = request.POST.get("community") or ""
        community = next((c for c in communities if str(c.pk) == raw), None)
        if raw and community is None:
            raise Http404
        try:
            if request.POST.get("action") == "revoke":
                services.revoke_feed(user, community)
                messages.success(request, "That calendar address no longer works.")
            else:
                services.regenerate_feed(user, community)
                messages.success(request, "Here is your new calendar address; any old one no longer works.")
        except DomainError as exc:
            messages.error(request, str(exc))
        return redirect("events:calendars")
    feeds = {f.community_id: f for f in CalendarFeed.objects.filter(user=user)}
    rows = [(c, feeds.get(c.pk)) for c in communities]
    personal = feeds.get(None)
    return render(
        request,
        "communities/events/calendars.html",
        {
            "personal": personal,
            "personal_url": services.feed_url(personal) if personal else "",
            "rows": [(c, f, services.feed_url(f) if f else "") for c, f in rows],
        },
    )


@public
def calendar_feed(request, token):
    """A private feed: the token is the key; a guessed or revoked one answers 404. The person's
    right to the community's calendar is checked again on every request."""
    feed = CalendarFeed.objects.select_related("user", "community").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    if feed.community is not None and not permissions.can_subscribe_to_community_calendar(
        feed.user, feed.community
    ):
        raise Http404
    return calendar.feed_response(services.feed_text(feed))


def upcoming_for_community(community: Community, limit: int = 5):
    return list(
        services.with_counts(Event.objects.upcoming().filter(community=community)).order_by(
            "starts_at", "pk"
        )[:limit]
    )
