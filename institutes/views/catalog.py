"""The public catalog, an institute's page and its calendar file."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from institutes import permissions
from institutes.forms import CatalogFilterForm
from institutes.models import Application, Institute
from institutes.views._common import Status, _page, _visible_institute
from portal.access import public
from portal.emails import absolute_url
from portal.fragments import render_items


def _with_seats(queryset):
    # COUNT(*) per listed institute (index-only on application_queue_idx) rather than a join of every
    # application, which made each catalog page and its page count scan all applications (bench).
    accepted = (
        Application.objects.filter(institute=OuterRef("pk"), status=Status.ACCEPTED)
        .order_by()
        .values("institute")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(accepted_count=Coalesce(Subquery(accepted), 0))


CATALOG_CARD_FIELDS = [
    *("slug", "title", "description", "topic", "training_type", "location", "occurrence", "duration"),
    *(
        "duration_note",
        "accreditation",
        "status",
        "capacity",
        "applications_open_at",
        "applications_close_at",
    ),
]


# The catalog card's choice fields and the labels they show, looked up once: get_FOO_display()
# flattens and hashes the field's choices on every call (150 calls, 5,400 function calls a page).
CARD_LABELS = ("training_type", "location", "occurrence", "duration", "accreditation", "status")


@functools.cache
def _choice_labels(field_name: str) -> dict:
    return {value: str(label) for value, label in Institute._meta.get_field(field_name).flatchoices}


def _add_card_labels(institute) -> None:
    """``institute.<field>_label`` for each of CARD_LABELS, as get_<field>_display() gives it."""
    for field_name in CARD_LABELS:
        value = getattr(institute, field_name)
        setattr(institute, f"{field_name}_label", _choice_labels(field_name).get(value, str(value)))


def _catalog_card_inputs(institute) -> list:
    """Everything a catalog card shows (institutes/_catalog_card.html)."""
    return [
        *(institute.pk, institute.slug, institute.title, institute.description, institute.topic),
        # The labels, not the stored values: a relabelled choice gives new cards.
        *(institute.training_type_label, institute.location_label, institute.occurrence_label),
        *(institute.duration_label, institute.duration_note, institute.accreditation_label),
        institute.status_label,
        institute.audience_names,
        institute.open_now,
        institute.applications_close_at,
        institute.seats_left,
    ]


@public
def catalog(request):
    published = Institute.objects.published()
    topics = published.order_by("topic").values_list("topic", flat=True).distinct()
    form = CatalogFilterForm(request.GET or None, topics=list(topics))
    institutes = published
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            institutes = institutes.filter(
                Q(title__icontains=data["q"])
                | Q(description__icontains=data["q"])
                | Q(module__title__icontains=data["q"])
            )
        for facet in (
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
    institutes = (
        _with_seats(institutes)
        .only(*CATALOG_CARD_FIELDS)  # a card's fields, not the whole institute and its module
        .order_by("applications_close_at", "title")
    )
    page = _page(request, institutes)
    # The page's audience names in one light query (a prefetch built a manager and models per row).
    audiences = defaultdict(list)
    for institute_id, name in (
        Institute.audiences.through.objects.filter(institute__in=[i.pk for i in page])
        .order_by("audience__name")
        .values_list("institute_id", "audience__name")
    ):
        audiences[institute_id].append(name)
    now = timezone.now()
    for institute in page:
        institute.audience_names = audiences[institute.pk]
        institute.seats_left = max(institute.capacity - institute.accepted_count, 0)
        institute.open_now = institute.is_accepting_applications(now)
        _add_card_labels(institute)
    render_items(page, "institutes/_catalog_card.html", name="institute", inputs=_catalog_card_inputs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "institutes/catalog.html",
        {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@public
def institute_detail(request, slug):
    institute = _visible_institute(request, slug)
    sessions = institute.sessions.all()
    application = None
    if request.user.is_authenticated:
        application = Application.objects.filter(applicant=request.user, institute=institute).first()
    taken = institute.applications.accepted().count()
    return render(
        request,
        "institutes/institute_detail.html",
        {
            "institute": institute,
            "sessions": sessions,
            "audiences": institute.audiences.all(),
            "seats_left": max(institute.capacity - taken, 0),
            "application": application,
            "accepting": institute.is_accepting_applications(),
            "can_review": permissions.can_review_institute(request.user, institute),
        },
    )


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    # RFC 5545: lines longer than 75 octets continue on the next line after a space.
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _ics_time(day: dt.date, at: dt.time) -> str:
    aware = timezone.make_aware(dt.datetime.combine(day, at))
    return aware.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


@public
def institute_ics(request, slug):
    institute = _visible_institute(request, slug)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    url = absolute_url(institute.get_absolute_url())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ToT Portal//Institutes//EN", "CALSCALE:GREGORIAN"]
    lines.append(f"X-WR-CALNAME:{_ics_escape(institute.title)}")
    for session in institute.sessions.all():
        place = session.place or session.online_link or institute.venue
        summary = f"{institute.title}: {session.title}" if session.title else institute.title
        lines += [
            "BEGIN:VEVENT",
            f"UID:institute-session-{session.pk}@tot-portal",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(session.date, session.starts_at)}",
            f"DTEND:{_ics_time(session.date, session.ends_at)}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"URL:{url}",
        ]
        if place:
            lines.append(f"LOCATION:{_ics_escape(place)}")
        if session.online_link:
            lines.append(f"DESCRIPTION:{_ics_escape('Join online: ' + session.online_link)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{institute.slug[:60]}.ics"'
    return response
