"""The dashboard's hours panel: this year's hours and the way to each community's expected hours."""

from __future__ import annotations

from portal.learning import permissions, services


def panel(request) -> dict | None:
    user = request.user
    if not user.is_authenticated or not permissions.can_view_transcript(user, user):
        return None
    summary = services.year_summary(user)
    if not summary.total and not summary.expected:
        staff = user.is_coordinator or user.is_finance or user.is_state_office
        if staff:
            return None  # the program's staff see it once they have hours of their own
    return {
        "template": "learning/_dashboard_panel.html",
        "order": 45,
        "summary": summary,
        "expected": summary.expected,
    }
