"""The public directory of certified trainers and a trainer's own listing."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render

from portal.access import login_required, public
from portal.fragments import CachedCountPaginator, render_form, render_items
from trainers import services
from trainers.forms import DirectoryFilterForm, ListingForm
from trainers.models import Certification, MentorOffer, Recognition, TrainerProfile
from trainers.views._common import PER_PAGE, _apply_people_filters, _query_without_page

FILTER_TEMPLATES = ("portal/_filter_fields.html", "portal/_field.html")

# What a card shows (trainers/_directory_card.html), read as plain values: not three model
# instances (profile, person, agency) a card.
DIRECTORY_CARD_VALUES = (
    *("pk", "user_id", "bio", "show_email"),
    *("user__name", "user__email", "user__agency__name", "user__agency__region"),
)


class DirectoryCard:
    """One listed trainer, as their card shows them."""

    __slots__ = (
        "agency_name",
        "agency_region",
        "bio",
        "card",
        "certified_in",
        "email",
        "mentoring",
        "name",
        "pk",
        "recognitions",
        "user_id",
    )

    def __init__(self, row: dict):
        self.pk, self.user_id, self.bio = row["pk"], row["user_id"], row["bio"]
        # User.display_name, from the two columns it reads.
        self.name = row["user__name"] or row["user__email"].split("@")[0]
        self.agency_name, self.agency_region = row["user__agency__name"], row["user__agency__region"]
        self.email = row["user__email"] if row["show_email"] else None
        self.certified_in = []
        self.recognitions = []
        self.mentoring = []


def _add_certified_in(cards: list[DirectoryCard], active) -> None:
    """``card.certified_in``: the titles of the modules each trainer holds an active
    certification in, by title, read as plain values in one query for the page."""
    if not cards:
        return
    by_person = {card.user_id: card for card in cards}
    rows = (
        active.filter(participant__in=list(by_person))
        .order_by("module__title", "pk")
        .values_list("participant_id", "module__title")
    )
    for participant, title in rows:
        by_person[participant].certified_in.append(title)


def _add_recognitions(cards: list[DirectoryCard]) -> None:
    """``card.recognitions``: the awards and stories coordinators chose to show, newest first,
    as (kind, title, year), in one query for the page."""
    if not cards:
        return
    shown = defaultdict(list)
    rows = Recognition.objects.filter(public=True, trainer__in=[card.user_id for card in cards]).values_list(
        "trainer_id", "kind", "title", "awarded_on"
    )
    kinds = dict(Recognition.Kind.choices)
    for trainer, kind, title, awarded_on in rows:
        shown[trainer].append((kinds[kind], title, awarded_on.year))
    for card in cards:
        card.recognitions = shown[card.user_id]


def _add_mentoring(cards: list[DirectoryCard]) -> None:
    """``card.mentoring``: (module title, mentees now) for each module a trainer offers to mentor
    or mentors in, in one query for the page. Mentees are counted, never named."""
    if not cards:
        return
    by_person = {card.user_id: card for card in cards}
    rows = (
        MentorOffer.objects.filter(trainer__in=list(by_person))
        .with_load()
        .order_by("module__title")
        .values_list("trainer_id", "module__title", "load")
    )
    for trainer, title, load in rows:
        by_person[trainer].mentoring.append((title, load))


def _directory_card_inputs(card: DirectoryCard) -> list:
    """Everything a directory card shows (trainers/_directory_card.html)."""
    return [
        *(card.pk, card.name, card.agency_name, card.agency_region),
        *(card.certified_in, card.recognitions, card.bio, card.email, card.mentoring),
    ]


@public
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    active = Certification.objects.active()
    # EXISTS rather than a join to certifications + DISTINCT (for the page and again for the count).
    certified = active.filter(participant=OuterRef("user"))
    if form.is_valid() and form.cleaned_data.get("module"):
        certified = certified.filter(module=form.cleaned_data["module"])
    queryset = TrainerProfile.objects.filter(Exists(certified), listed=True, user__is_active=True).order_by(
        "user__name"
    )
    queryset = _apply_people_filters(queryset, form, person="user")
    # The total joins profiles, people and certifications across the state: kept for a minute.
    filters = form.cleaned_data if form.is_valid() else {}
    key = repr(sorted((name, str(getattr(value, "pk", value))) for name, value in filters.items()))
    paginator = CachedCountPaginator(queryset, PER_PAGE, key=f"trainers:directory:{key}")
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = [DirectoryCard(row) for row in page.object_list.values(*DIRECTORY_CARD_VALUES)]
    _add_certified_in(page.object_list, active)
    _add_recognitions(page.object_list)
    _add_mentoring(page.object_list)
    render_items(page, "trainers/_directory_card.html", name="profile", inputs=_directory_card_inputs)
    return render(
        request,
        "trainers/directory.html",
        {
            "form": form,
            "filter_fields": render_form(form, FILTER_TEMPLATES, {"col": "col-md-3"}),
            "page": page,
            "query": _query_without_page(request),
        },
    )


@login_required
def my_listing(request):
    profile = TrainerProfile.objects.filter(user=request.user).first() or TrainerProfile(user=request.user)
    form = ListingForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_listing(
            request.user,
            listed=form.cleaned_data["listed"],
            show_email=form.cleaned_data["show_email"],
            bio=form.cleaned_data["bio"],
        )
        messages.success(request, "Your directory listing is saved.")
        return redirect("trainers:my-listing")
    is_certified = Certification.objects.active().filter(participant=request.user).exists()
    return render(request, "trainers/my_listing.html", {"form": form, "is_certified": is_certified})
