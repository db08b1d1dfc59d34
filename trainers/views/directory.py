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
from trainers.models import Certification, TrainerProfile
from trainers.views._common import PER_PAGE, _apply_people_filters, _query_without_page

FILTER_TEMPLATES = ("portal/_filter_fields.html", "portal/_field.html")

DIRECTORY_CARD_FIELDS = (
    "bio",
    "show_email",
    "user__name",
    "user__email",
    "user__agency__name",
    "user__agency__region",
)


def _add_certified_in(profiles: list, active) -> None:
    """``profile.certified_in``: the titles of the modules each trainer holds an active
    certification in, by title, read as plain values in one query for the page (instead of a
    prefetch of certification and module instances)."""
    titles = defaultdict(list)
    if not profiles:
        return
    rows = (
        active.filter(participant__in=[profile.user_id for profile in profiles])
        .order_by("module__title", "pk")
        .values_list("participant_id", "module__title")
    )
    for participant, title in rows:
        titles[participant].append(title)
    for profile in profiles:
        profile.certified_in = titles[profile.user_id]


def _directory_card_inputs(profile) -> list:
    """Everything a directory card shows (trainers/_directory_card.html)."""
    user, agency = profile.user, profile.user.agency
    return [
        profile.pk,
        user.display_name,
        agency.name if agency else None,
        agency.region if agency else None,
        profile.certified_in,
        profile.bio,
        profile.show_email,
        user.email if profile.show_email else None,
    ]


@public
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    active = Certification.objects.active()
    # EXISTS rather than a join to certifications + DISTINCT (for the page and again for the count).
    certified = active.filter(participant=OuterRef("user"))
    if form.is_valid() and form.cleaned_data.get("module"):
        certified = certified.filter(module=form.cleaned_data["module"])
    queryset = (
        TrainerProfile.objects.filter(Exists(certified), listed=True, user__is_active=True)
        .select_related("user__agency")
        # Only what a card shows: the rows are shown, never changed.
        .only(*DIRECTORY_CARD_FIELDS)
        .order_by("user__name")
    )
    queryset = _apply_people_filters(queryset, form, person="user")
    # The total joins profiles, people and certifications across the state: kept for a minute.
    filters = form.cleaned_data if form.is_valid() else {}
    key = repr(sorted((name, str(getattr(value, "pk", value))) for name, value in filters.items()))
    paginator = CachedCountPaginator(queryset, PER_PAGE, key=f"trainers:directory:{key}")
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _add_certified_in(page.object_list, active)
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
