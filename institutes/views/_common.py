"""What the institutes' view modules share: paging and fetching an institute the reader may see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404

from institutes import permissions
from institutes.models import Application, Institute

PAGE_SIZE = 25


Status = Application.Status


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _visible_institute(request, slug: str) -> Institute:
    institute = get_object_or_404(Institute.objects.select_related("module"), slug=slug)
    if not permissions.can_view_institute(request.user, institute):
        raise Http404
    return institute


def _reviewable_institute(request, slug: str) -> Institute:
    institute = _visible_institute(request, slug)
    if not permissions.can_review_institute(request.user, institute):
        raise PermissionDenied
    return institute
