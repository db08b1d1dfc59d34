"""Apps add panels to the personal dashboard without portal importing them.

Each app registers, in its AppConfig.ready(), a callable ``panel(request) -> dict | None``
returning ``{"template": ..., "order": int, **context}``; None hides the panel. Panels are
built on every request, so each app's access rules run each time the dashboard is read.
"""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

_panels: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def panels_for(request) -> list[dict]:
    """The person's panels as ``{"order", "html"}``, in order."""
    panels = []
    for panel in _panels:
        context = panel(request)
        if context:
            html = render_to_string(context["template"], {"panel": context}, request=request)
            panels.append({"order": context.get("order", 50), "html": mark_safe(html)})
    return sorted(panels, key=lambda p: p["order"])
