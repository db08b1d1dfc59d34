"""The public catalog, an institute's page and its calendar file."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import formats, timezone

from institutes import permissions
from institutes.forms import CatalogFilterForm
from institutes.models import Application, Institute
from institutes.views._common import PAGE_SIZE, _page, _visible_institute
from portal import calendar
from portal.access import public
from portal.emails import absolute_url
from portal.fragments import KnownCountPaginator, render_form, render_items, url_for_slug
from portal.pictures import bar_step


def _with_seats(queryset):
    # COUNT(*) per listed institute (index-only on application_queue_idx) rather than a join of every
    # application, which made each catalog page and its page count scan all applications (bench).
    accepted = (
        Application.objects.filter(institute=OuterRef("pk"), status__in=Application.SEAT_HOLDING)
        .order_by()
        .values("institute")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(accepted_count=Coalesce(Subquery(accepted), 0))


# What a catalog card shows (institutes/_catalog_card.html), read as plain values: not the whole
# institute and its module, nor a model instance per card.
CATALOG_CARD_VALUES = [
    *("pk", "slug", "title", "description", "topic", "training_type", "location", "occurrence", "kind"),
    *("duration", "duration_note", "accreditation", "status", "capacity", "accepted_count"),
    *("applications_open_at", "applications_close_at"),
]


@functools.cache
def _choice_labels(field_name: str) -> dict:
    return {value: str(label) for value, label in Institute._meta.get_field(field_name).flatchoices}


def _label(field_name: str, value) -> str:
    """What get_<field_name>_display() gives, from a dict built once (it flattens and hashes the
    field's choices on each call: 150 calls, 5,400 function calls a catalog page)."""
    return _choice_labels(field_name).get(value, str(value))


class CatalogCard:
    """One institute as its catalog card shows it."""

    Status = Institute.Status  # for Institute.is_accepting_applications, the one rule

    def __init__(self, row: dict, url: str, audience_names: list[str], now):
        self.pk, self.url, self.title = row["pk"], url, row["title"]
        self.description, self.topic, self.duration_note = (
            row["description"],
            row["topic"],
            row["duration_note"],
        )
        self.training_type_label = _label("training_type", row["training_type"])
        self.kind, self.kind_label = row["kind"], _label("kind", row["kind"])
        self.location_label = _label("location", row["location"])
        self.occurrence_label = _label("occurrence", row["occurrence"])
        self.duration_label = _label("duration", row["duration"])
        self.accreditation_label = _label("accreditation", row["accreditation"])
        self.status, self.status_label = row["status"], _label("status", row["status"])
        self.applications_open_at = row["applications_open_at"]
        self.applications_close_at = row["applications_close_at"]
        self.audience_names = audience_names
        self.seats_left = max(row["capacity"] - row["accepted_count"], 0)
        self.capacity = row["capacity"]
        self.seats_taken = self.capacity - self.seats_left
        self.seats_step = bar_step(self.seats_taken, self.capacity)
        self.open_now = Institute.is_accepting_applications(self, now)


def _catalog_card_inputs(card: CatalogCard) -> list:
    """Everything a catalog card shows (institutes/_catalog_card.html)."""
    return [
        *(card.pk, card.url, card.title, card.description, card.topic, card.kind, card.kind_label),
        # The labels, not the stored values: a relabelled choice gives new cards.
        *(card.training_type_label, card.location_label, card.occurrence_label),
        *(card.duration_label, card.duration_note, card.accreditation_label, card.status_label),
        *(card.audience_names, card.open_now, card.applications_close_at, card.seats_left),
        *(card.capacity, card.seats_step),
    ]


FILTER_TEMPLATES = ("portal/_filter_fields.html", "portal/_field.html")


@public
def catalog(request):
    published = Institute.objects.published()
    # Each topic with its number of institutes: the topic choices, and their sum the length of
    # the unfiltered catalog (no COUNT(*) of its own).
    per_topic = dict(published.order_by("topic").values_list("topic").annotate(n=Count("pk")))
    form = CatalogFilterForm(request.GET or None, topics=list(per_topic))
    institutes = published
    filtered = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    if filtered:
        data = form.cleaned_data
        if data["q"]:
            institutes = institutes.filter(
                Q(title__icontains=data["q"])
                | Q(description__icontains=data["q"])
                | Q(module__title__icontains=data["q"])
            )
        for facet in (
            "kind",
            "training_type",
            "topic",
            "accreditation",
            "occurrence",
            "duration",
            "location",
            "facilitation",
        ):
            if data[facet]:
                institutes = institutes.filter(**{facet: data[facet]})
        if data["audience"]:
            institutes = institutes.filter(audiences=data["audience"])
        if data["coaching"]:
            institutes = institutes.filter(coaching=data["coaching"] == "yes")
        if data["open"]:
            institutes = institutes.open_for_applications()
    # Open for applications first, then those under way, the completed ones last.
    stage = Case(
        When(status=Institute.Status.OPEN, then=Value(0)),
        When(status=Institute.Status.COMPLETED, then=Value(2)),
        default=Value(1),
    )
    institutes = (
        _with_seats(institutes).order_by(stage, "applications_close_at", "title").values(*CATALOG_CARD_VALUES)
    )
    if filtered:
        page = _page(request, institutes)
    else:
        total = sum(per_topic.values())
        page = KnownCountPaginator(institutes, PAGE_SIZE, count=total).get_page(request.GET.get("page"))
    rows = list(page)
    # The page's audience names in one light query (a prefetch built a manager and models per row).
    audiences = defaultdict(list)
    for institute_id, name in (
        Institute.audiences.through.objects.filter(institute__in=[row["pk"] for row in rows])
        .order_by("audience__name")
        .values_list("institute_id", "audience__name")
    ):
        audiences[institute_id].append(name)
    now = timezone.now()
    institute_url = url_for_slug("institutes:institute-detail")
    page.object_list = [
        CatalogCard(row, institute_url(row["slug"]), audiences[row["pk"]], now) for row in rows
    ]
    render_items(page, "institutes/_catalog_card.html", name="institute", inputs=_catalog_card_inputs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutes/catalog.html",
        {
            "form": form,
            "filter_fields": render_form(form, FILTER_TEMPLATES, {"col": "w-100"}),
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
        },
    )


def _session_rows(institute) -> list[dict]:
    """The sessions as the page's table shows them: plain values, the date and times formatted
    here as the template's date and time filters would, rather than through them in the loop."""
    return [
        {
            "date": formats.date_format(date, "l, F j, Y"),
            "title": title,
            "starts": formats.time_format(starts_at, "P"),
            "ends": formats.time_format(ends_at, "P"),
            "place": place,
            "online_link": online_link,
            "follow_up": follow_up,
        }
        for date, title, starts_at, ends_at, place, online_link, follow_up in institute.sessions.values_list(
            "date", "title", "starts_at", "ends_at", "place", "online_link", "follow_up"
        )
    ]


@public
def institute_detail(request, slug):
    institute = _visible_institute(request, slug)
    sessions = _session_rows(institute)
    application = None
    if request.user.is_authenticated:
        application = Application.objects.filter(applicant=request.user, institute=institute).first()
    taken = institute.applications.holding_seats().count()
    return render(
        request,
        "institutes/institute_detail.html",
        {
            "institute": institute,
            "sessions": sessions,
            "audiences": institute.audiences.all(),
            "level_below": institute.module.level_below()
            if institute.kind == Institute.Kind.SERIES
            else None,
            "seats_left": max(institute.capacity - taken, 0),
            "application": application,
            "accepting": institute.is_accepting_applications(),
            "can_review": permissions.can_review_institute(request.user, institute),
            "can_view_results": permissions.can_view_survey_results(request.user, institute),
        },
    )


def _session_times(session) -> tuple[dt.datetime, dt.datetime]:
    return (
        timezone.make_aware(dt.datetime.combine(session.date, session.starts_at)),
        timezone.make_aware(dt.datetime.combine(session.date, session.ends_at)),
    )


@public
def institute_ics(request, slug):
    institute = _visible_institute(request, slug)
    url = absolute_url(institute.get_absolute_url())
    events = []
    for session in institute.sessions.all():
        starts, ends = _session_times(session)
        events.append(
            calendar.CalendarEvent(
                # The UID the hand-written file used, so calendars that imported it update in place.
                uid=f"institute-session-{session.pk}@tot-portal",
                starts=starts,
                ends=ends,
                summary=f"{institute.title}: {session.title}" if session.title else institute.title,
                location=session.place or session.online_link or institute.venue,
                description=f"Join online: {session.online_link}" if session.online_link else "",
                url=url,
            )
        )
    text = calendar.build(events, name=institute.title, product="Institutes")
    return calendar.response(text, f"{institute.slug[:60]}.ics")
