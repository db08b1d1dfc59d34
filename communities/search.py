"""Search across the threads, posts and resources a person may see.

PostgreSQL: full-text search with ranking and highlighted headlines. SQLite (the quick start):
a plain case-insensitive match with a highlighted snippet made in Python. Either way every
query starts from ``visible_to(user)``, so a members-only community never leaks a hit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.models import Post, Resource, Thread

LIMIT = 30
CONFIG = "english"
# Private-use characters mark the matches inside a headline: the text around them is escaped
# first, then they become <mark> tags, so nothing a member typed can become markup.
START, STOP = "\ue000", "\ue001"


@dataclass
class Results:
    query: str
    threads: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    resources: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.threads) + len(self.posts) + len(self.resources)


def _highlight(headline: str) -> str:
    html = escape(headline.replace(START + STOP, ""))
    opened = html.count(START)
    html = html.replace(START, "<mark>").replace(STOP, "</mark>")
    # A member could type the marker characters; keep the markup balanced whatever happens.
    html += "</mark>" * max(opened - html.count("</mark>"), 0)
    return mark_safe(html)  # escaped above: only our <mark> tags are markup


def _snippet(text: str, query: str, width: int = 90) -> str:
    words = [w for w in re.split(r"\s+", query) if w]
    lower = text.lower()
    positions = [lower.find(w.lower()) for w in words if lower.find(w.lower()) >= 0]
    start = max(min(positions) - width, 0) if positions else 0
    piece = text[start : start + 2 * width + len(query)]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", piece) if pattern else piece
    return ("… " if start else "") + marked + (" …" if start + len(piece) < len(text) else "")


def search(user, query: str, limit: int = LIMIT) -> Results:
    query = query.strip()[:200]
    results = Results(query=query)
    if not query:
        return results
    posts = Post.objects.visible_to(user).select_related("thread__community", "author")
    threads = Thread.objects.visible_to(user).select_related("community")
    resources = Resource.objects.visible_to(user).select_related("community")
    if settings.IS_POSTGRES:
        _postgres(results, query, posts, threads, resources, limit)
    else:
        _fallback(results, query, posts, threads, resources, limit)
    return results


def _postgres(results, query, posts, threads, resources, limit) -> None:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    q = SearchQuery(query, config=CONFIG, search_type="websearch")
    opts = {"start_sel": START, "stop_sel": STOP, "config": CONFIG, "max_words": 35, "min_words": 15}

    vector = SearchVector("title", config=CONFIG)
    for thread in (
        threads.annotate(document=vector, rank=SearchRank(vector, q), hl=SearchHeadline("title", q, **opts))
        .filter(document=q)
        .order_by("-rank", "-last_activity_at")[:limit]
    ):
        thread.highlight = _highlight(thread.hl)
        results.threads.append(thread)

    vector = SearchVector("body", config=CONFIG)
    for post in (
        posts.annotate(document=vector, rank=SearchRank(vector, q), hl=SearchHeadline("body", q, **opts))
        .filter(document=q)
        .order_by("-rank", "-created_at")[:limit]
    ):
        post.highlight = _highlight(post.hl)
        results.posts.append(post)

    vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "description", weight="B", config=CONFIG
    )
    for resource in (
        resources.annotate(
            document=vector, rank=SearchRank(vector, q), hl=SearchHeadline("description", q, **opts)
        )
        .filter(document=q)
        .order_by("-rank", "title")[:limit]
    ):
        resource.highlight = _highlight(resource.hl)
        results.resources.append(resource)


def _fallback(results, query, posts, threads, resources, limit) -> None:
    for thread in threads.filter(title__icontains=query).order_by("-last_activity_at")[:limit]:
        thread.highlight = _highlight(_snippet(thread.title, query))
        results.threads.append(thread)
    for post in posts.filter(body__icontains=query).order_by("-created_at")[:limit]:
        post.highlight = _highlight(_snippet(post.body, query))
        results.posts.append(post)
    from django.db.models import Q

    for resource in resources.filter(Q(title__icontains=query) | Q(description__icontains=query))[:limit]:
        resource.highlight = _highlight(_snippet(resource.description or resource.title, query))
        results.resources.append(resource)
