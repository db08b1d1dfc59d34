"""What the trainers' view modules share: paging, filtering people by region and agency, CSV cells."""

from __future__ import annotations

from django.core.paginator import Paginator

PER_PAGE = 25


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _apply_people_filters(queryset, form, *, person: str):
    if form.is_valid():
        data = form.cleaned_data
        if data.get("region"):
            queryset = queryset.filter(**{f"{person}__agency__region": data["region"]})
        if data.get("agency", "").strip():
            queryset = queryset.filter(**{f"{person}__agency__name__icontains": data["agency"].strip()})
    return queryset
