"""Apps add panels to the personal dashboard without portal importing them.

Each app registers, in its AppConfig.ready(), a callable ``panel(request) -> dict | None``
returning ``{"template": ..., "order": int, **context}``; None hides the panel. Panels are
built on every request, so each app's access rules run each time the dashboard is read. The
dashboard includes each panel's template with the panel's context as ``panel``, within the
page's own template context (the context processors run once for the page, not per panel).
"""

from collections.abc import Callable

_panels: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def panels_for(request) -> list[dict]:
    """The person's panels' contexts, in order."""
    panels = [context for context in (panel(request) for panel in _panels) if context]
    return sorted(panels, key=lambda context: context.get("order", 50))
