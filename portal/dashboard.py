"""Apps add panels to the personal dashboard without portal importing them.

Each app registers, in its AppConfig.ready(), a callable ``panel(request) -> dict | None``
returning ``{"template": ..., "order": int, **context}``; None hides the panel. ``scopes`` names
the apps whose rows the panel shows: each panel is kept rendered per person like a cached page
(portal/pagecache.py), so that a new post in a community rebuilds the communities panel and
leaves the others, whose queries are most of the dashboard's cost, as they were.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal import pagecache


@dataclass(frozen=True)
class Registered:
    panel: Callable
    scopes: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.panel.__module__}.{self.panel.__qualname__}"


_panels: list[Registered] = []


def register(panel: Callable, *, scopes: Iterable[str]) -> Callable:
    if all(r.panel is not panel for r in _panels):
        _panels.append(Registered(panel, tuple(dict.fromkeys(("portal", *scopes)))))
    return panel


def _build(request, registered: Registered) -> tuple[dict | None, datetime | None]:
    """The panel rendered, and the moment its content changes with the clock (or None)."""
    with pagecache.changes_within(request) as changes:
        context = registered.panel(request)
    if not context:
        return None, changes[0]
    html = render_to_string(context["template"], {"panel": context}, request=request)
    return {"order": context.get("order", 50), "html": html}, changes[0]


def panels_for(request) -> list[dict]:
    """The person's panels as ``{"order", "html"}``, in order; each one is read from the cache
    unless its apps' data changed since it was built."""
    caching = settings.PAGE_CACHE_SECONDS > 0
    keys = {}
    if caching:
        scopes = list(dict.fromkeys(s for r in _panels for s in r.scopes))
        current = dict(zip(scopes, pagecache.versions(scopes), strict=True))
        for r in _panels:
            versions = tuple(current[s] for s in r.scopes)
            keys[r] = pagecache.digest_key(f"panel:{r.name}", request.user.pk, versions)
    found = cache.get_many(list(keys.values())) if caching else {}
    now = timezone.now()
    panels = []
    for r in _panels:
        stored = found.get(keys.get(r))
        if stored is not None and stored["until"] > now.timestamp():
            pagecache.changes_at(request, stored["changes_at"])
            panel = stored["panel"]
        else:
            panel, changes_at = _build(request, r)
            until, seconds = pagecache.lifetime(now, changes_at)
            if caching and seconds > 0:
                stored = {"panel": panel, "changes_at": changes_at, "until": until.timestamp()}
                cache.set(keys[r], stored, seconds)
        if panel:
            panels.append({"order": panel["order"], "html": mark_safe(panel["html"])})
    return sorted(panels, key=lambda p: p["order"])
