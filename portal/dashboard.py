"""Apps add panels to the personal dashboard without portal importing them.

Each app registers, in its AppConfig.ready(), a callable ``panel(request) -> dict | None``
returning ``{"template": ..., "order": int, **context}``; None hides the panel.
"""

from collections.abc import Callable

_panels: list[Callable] = []


def register(panel: Callable) -> Callable:
    if panel not in _panels:
        _panels.append(panel)
    return panel


def panels_for(request) -> list[dict]:
    rendered = [p(request) for p in _panels]
    return sorted((r for r in rendered if r), key=lambda r: r.get("order", 50))
