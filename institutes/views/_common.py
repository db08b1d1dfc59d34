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


def _visible_institute(request, slug: str, fields: tuple[str, ...] = ()) -> Institute:
    """``fields``: only these columns (the page's own), rather than the institute and its module."""
    institutes = Institute.objects.only(*fields) if fields else Institute.objects.select_related("module")
    institute = get_object_or_404(institutes, slug=slug)
    if not permissions.can_view_institute(request.user, institute):
        raise Http404
    return institute


def _reviewable_institute(request, slug: str, fields: tuple[str, ...] = ()) -> Institute:
    institute = _visible_institute(request, slug, fields)
    if not permissions.can_review_institute(request.user, institute):
        raise PermissionDenied
    return institute
