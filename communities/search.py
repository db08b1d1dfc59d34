"""Search across the threads, posts and resources a person may see.

PostgreSQL: full-text search over each row's stored ``search_vector`` (kept by a trigger, GIN
indexed; see migration 0003): thread titles, post bodies, resource titles and descriptions, in
the 'english' configuration with websearch syntax, ranked. Each kind is a section with its own
pages, and a page of a section costs two queries whatever the number of matches: the first
takes the newest ``RANKED`` (+1) visible matches, ranks them, counts them with a window and
returns the ids of the page's rows; the second reads those rows with their headlines, so
``ts_headline`` runs only for the rows shown. A query matching more than ``RANKED`` rows of a
kind says so and ranks only the newest: the work of a search has a bound at any size.

SQLite (the quick start): a plain case-insensitive match with a highlighted snippet made in
Python. Either way every query starts from ``visible_to(user)``, so a members-only community
never leaks a hit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.models import Post, ReadScope, Resource, Thread
from portal.fragments import url_for_pk

PER_PAGE = 20
# Per kind, the newest RANKED visible matches are ranked and paged, so the work of a search has a
# bound whatever the number of matches; a query that matches more says so and asks for more words.
RANKED = 1000
MAX_PAGES = RANKED // PER_PAGE
MAX_QUERY_LENGTH = 200
CONFIG = "english"
# Private-use characters mark the matches inside a headline: the text around them is escaped
# first, then they become <mark> tags, so nothing a member typed can become markup.
START, STOP = "\ue000", "\ue001"


@dataclass
class Kind:
    key: str
    label: str
    model: type
    text: str  # the field a headline is made from
    order: tuple  # after the rank; the last entry makes the order total, so pages never overlap
    fallback_match: callable
    # What the page shows of a hit: its name in the hit and the column it comes from. Read as
    # plain values (the search vectors, and the headline's source on PostgreSQL, stay in the
    # database).
    shown: tuple
    url_name: str | None = None  # a hit's page, by its pk


KINDS = {
    kind.key: kind
    for kind in [
        Kind(
            "threads",
            "Threads",
            Thread,
            "title",
            ("-last_activity_at", "-pk"),
            lambda q: Q(title__icontains=q),
            (("title", "title"), ("community_title", "community__title")),
            "communities:thread-detail",
        ),
        Kind(
            "posts",
            "Posts",
            Post,
            "body",
            ("-created_at", "-pk"),
            lambda q: Q(body__icontains=q),
            (
                *(("thread_title", "thread__title"), ("community_title", "thread__community__title")),
                *(("author_name", "author__name"), ("author_email", "author__email")),
            ),
            "communities:post-detail",
        ),
        Kind(
            "resources",
            "Resources",
            Resource,
            "description",
            ("title", "pk"),
            lambda q: Q(title__icontains=q) | Q(description__icontains=q),
            (
                ("title", "title"),
                ("community_title", "community__title"),
                ("community_slug", "community__slug"),
            ),
        ),
    ]
}


class Hit(dict):
    """One result, as the values the page shows. A dict, because the template engine tries a
    subscript before an attribute: a model instance costs it a failed subscript per lookup
    (twenty hits, a few thousand calls); its keys read and write as attributes too (``hit.pk``,
    ``hit.card = ...``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__


@dataclass
class Section:
    key: str
    label: str
    page: Page
    more: bool = False  # more matches than RANKED: the count shown is RANKED

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def items(self) -> list:
        return self.page.object_list


@dataclass
class Results:
    query: str
    kind: str | None = None  # one kind's pages, or None: the first page of every kind
    sections: list = field(default_factory=list)

    def _items(self, key) -> list:
        return next((s.items for s in self.sections if s.key == key), [])

    @property
    def threads(self) -> list:
        return self._items("threads")

    @property
    def posts(self) -> list:
        return self._items("posts")

    @property
    def resources(self) -> list:
        return self._items("resources")

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def more(self) -> bool:
        return any(s.more for s in self.sections)

    @property
    def ranked(self) -> int:
        return RANKED


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


def search(user, query: str, kind: str | None = None, page=1) -> Results:
    """The visible matches of ``query``: with ``kind`` ("threads", "posts" or "resources"),
    page ``page`` of that kind; without, the first page of each. Any input is safe: an unknown
    kind means all, a bad page number the nearest page, websearch syntax never fails."""
    query = query.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    kind = kind if kind in KINDS else None
    results = Results(query=query, kind=kind)
    if not query:
        return results
    number = _page_number(page) if kind else 1
    # Who may read where, read once as ids for the (up to) three kinds' queries.
    scope = ReadScope.resolved_for(user)
    for key in [kind] if kind else KINDS:
        section = _postgres if settings.IS_POSTGRES else _fallback
        results.sections.append(section(KINDS[key], user, scope, query, number))
    return results


def _page_number(page) -> int:
    try:
        return min(max(int(page), 1), MAX_PAGES)
    except (TypeError, ValueError):
        return 1


class _CountedPaginator(Paginator):
    """Told its total by the query that read the page (a window count), not by a COUNT(*)."""

    def __init__(self, count: int):
        super().__init__([], PER_PAGE)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def _postgres(kind: Kind, user, scope: ReadScope, query: str, number: int) -> Section:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    q = SearchQuery(query, config=CONFIG, search_type="websearch")
    # The newest visible matches, at most RANKED + 1 of them (GIN index, or the primary key
    # walked backwards when the words are common), each ranked as it is read.
    newest = (
        kind.model.objects.visible_to(user, scope)
        .filter(search_vector=q)
        .order_by("-pk")
        .annotate(rank=SearchRank(F("search_vector"), q))
        .values("pk", "rank", *{name.lstrip("-") for name in kind.order} - {"pk"})[: RANKED + 1]
    )

    def ranked(start: int, stop: int) -> list[tuple[int, int]]:
        """(pk, total) of the ranked matches [start:stop], counted by a window: a query on the
        one above, rather than its ids looked up again to be ranked (a thousand index reads)."""
        sql, params = newest.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pk, COUNT(*) OVER () FROM ({sql}) AS newest ORDER BY {_order_sql(kind)} "
                "LIMIT %s OFFSET %s",
                (*params, stop - start, start),
            )
            return cursor.fetchall()

    found = ranked((number - 1) * PER_PAGE, number * PER_PAGE)
    if not found and number > 1:  # past the last page: show the last one
        first = ranked(0, PER_PAGE)
        last = _CountedPaginator(min(first[0][1], RANKED)).num_pages if first else 1
        return _postgres(kind, user, scope, query, last) if last < number else _section(kind, [], 0, 1)
    if not found:  # no query to build for rows there are not
        return _section(kind, [], 0, number)
    opts = {"start_sel": START, "stop_sel": STOP, "config": CONFIG, "max_words": 35, "min_words": 15}
    rows = kind.model.objects.filter(pk__in=[pk for pk, _ in found]).values(
        "pk", *(column for _, column in kind.shown), headline=SearchHeadline(kind.text, q, **opts)
    )
    rows = {row["pk"]: row for row in rows}
    hits = _hits(kind, [rows[pk] for pk, _ in found if pk in rows], lambda row: _highlight(row["headline"]))
    return _section(kind, hits, found[0][1], number)


def _order_sql(kind: Kind) -> str:
    """The rank, then the kind's order, on the columns of the ``newest`` query."""
    quote = connection.ops.quote_name
    columns = [
        f"{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}" for name in kind.order
    ]
    return ", ".join([f"{quote('rank')} DESC", *columns])


def _section(kind: Kind, hits: list, total: int, number: int) -> Section:
    paginator = _CountedPaginator(min(total, RANKED))
    return Section(kind.key, kind.label, Page(hits, number, paginator), more=total > RANKED)


def _fallback(kind: Kind, user, scope: ReadScope, query: str, number: int) -> Section:
    matched = (
        kind.model.objects.visible_to(user, scope)
        .filter(kind.fallback_match(query))
        .order_by(*kind.order)
        .values("pk", kind.text, *{column for _, column in kind.shown} - {kind.text})
    )
    page = Paginator(matched, PER_PAGE).get_page(number)
    page.object_list = _hits(
        kind, page.object_list, lambda row: _highlight(_snippet(row[kind.text] or row["title"], query))
    )
    return Section(kind.key, kind.label, page)


def _hits(kind: Kind, rows, highlight) -> list:
    """Each row as a Hit, with ``highlight(row)`` and its page's URL (one reverse() per kind and
    community for the page instead of one per hit)."""
    if kind.url_name:
        url_of = url_for_pk(kind.url_name)
    elif kind.key == "resources":
        library, in_community = reverse("communities:library"), functools.cache(_resources_url)
    hits = []
    for row in rows:
        hit = Hit(pk=row["pk"], highlight=highlight(row))
        for name, column in kind.shown:
            hit[name] = row[column]
        if kind.url_name:
            hit["url"] = url_of(hit.pk)
        elif kind.key == "resources":
            hit["url"] = in_community(hit.community_slug) if hit.community_slug else library
        if kind.key == "posts":  # as User.display_name; a deleted author leaves none
            hit["author_name"] = hit.author_name or (hit.author_email or "").split("@")[0] or None
        hits.append(hit)
    return hits


def _resources_url(slug: str) -> str:
    return reverse("communities:resources", args=[slug])
