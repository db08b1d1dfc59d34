"""Communities name themselves to the hours engine (portal.learning), which cannot import them.

``directory(person, ids)`` gives each community's title, page and expected hours a year (set by
its facilitators and coordinators), for the communities the person has credits in and the ones
they belong to that expect hours, in one query.
"""

from __future__ import annotations

from django.db.models import Q

from communities.models import Community
from portal.learning.services import CommunityInfo, register_community_directory


def directory(person, ids) -> dict[int, CommunityInfo]:
    wanted = Q(pk__in=list(ids))
    if person is not None and getattr(person, "pk", None):
        wanted |= Q(memberships__user=person, expected_hours_min__isnull=False)
    rows = (
        Community.objects.filter(wanted)
        .distinct()
        .only("pk", "title", "slug", "expected_hours_min", "expected_hours_max")
    )
    return {
        community.pk: CommunityInfo(
            name=community.title,
            url=community.get_absolute_url(),
            expected_min=community.expected_hours_min,
            expected_max=community.expected_hours_max,
        )
        for community in rows
    }


def connect() -> None:
    register_community_directory(directory)
