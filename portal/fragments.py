"""Rendered list items kept in the cache, keyed by everything they show.

A list page renders the same 25 cards for every reader, and Django's template engine spends
0.2-0.4 ms on each; the cards change far less often than they are read. ``render_items`` renders
each item's template once per distinct set of inputs and reads a page's worth in one
``get_many``. The key is a hash of the inputs the caller lists (plus the template's own text,
the time zone and the language), so a change of any input gives a new key: a card is never
stale, old ones simply expire.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable

import django
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

# An hour: popular pages stay warm, while a crawler walking all 200,000 posts leaves at most an
# hour's worth of cards in Redis.
FRAGMENT_SECONDS = 3600


@functools.cache
def _template_version(template_name: str) -> str:
    source = get_template(template_name).template.source
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


def render_items(
    items: Iterable,
    template_name: str,
    *,
    name: str,
    inputs: Callable[[object], Iterable],
    context: dict | None = None,
    attr: str = "card",
) -> None:
    """Set ``item.<attr>`` to ``template_name`` rendered with ``{name: item, **context}``.

    ``inputs(item)`` must list every value the template shows or tests, of the item and of the
    context; anything left out could show one reader another's card.
    """
    items = list(items)
    context = context or {}
    common = (
        _template_version(template_name),
        timezone.get_current_timezone_name(),
        translation.get_language(),
    )
    keys = {}
    for item in items:
        digest = hashlib.blake2b(repr((common, *inputs(item))).encode(), digest_size=16).hexdigest()
        keys[id(item)] = f"fragment:{template_name}:{digest}"
    found = cache.get_many(list(set(keys.values())))
    new = {}
    for item in items:
        key = keys[id(item)]
        html = found.get(key) or new.get(key)
        if html is None:
            html = new[key] = render_to_string(template_name, {**context, name: item})
        setattr(item, attr, mark_safe(html))
    if new:
        cache.set_many(new, FRAGMENT_SECONDS)


def url_for_pk(viewname: str) -> Callable[[int], str]:
    """``pk -> URL`` for a URL whose only argument is ``pk``, from one reverse() for a whole
    list instead of one per row (about 20 us each)."""
    marker = 987654321987654321
    before, after = reverse(viewname, kwargs={"pk": marker}).rsplit(str(marker), 1)
    return lambda pk: f"{before}{int(pk)}{after}"


_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def url_for_slug(viewname: str) -> Callable[[str], str]:
    """``slug -> URL`` for a URL whose only argument is ``slug``, from one reverse() for a whole
    list; a slug needing quoting (none should) still goes through reverse()."""
    marker = "slug-marker-987654321"
    before, after = reverse(viewname, kwargs={"slug": marker}).rsplit(marker, 1)

    def url(slug: str) -> str:
        if _PLAIN_SLUG.fullmatch(slug):
            return f"{before}{slug}{after}"
        return reverse(viewname, kwargs={"slug": slug})

    return url


class CachedCountPaginator(Paginator):
    """A Paginator whose total comes from the cache for ``seconds``.

    For public lists whose COUNT(*) has to join across the state's tables on every page view (the
    trainer directory: 5 ms of SQL for 3,400 trainers): the total and the page count may lag by
    up to ``seconds`` (a new listing waits beyond the last page until then); the rows of a page
    are always read fresh. ``key`` must name the list and every filter applied to it.
    """

    def __init__(self, *args, key: str, seconds: int = 60, **kwargs):
        super().__init__(*args, **kwargs)
        self.cache_key = "paginator-count:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        self.seconds = seconds

    @cached_property
    def count(self):
        total = cache.get(self.cache_key)
        if total is None:
            total = super().count
            cache.set(self.cache_key, total, self.seconds)
        return total


class KnownCountPaginator(Paginator):
    """A Paginator told its total by the caller, who has it already (from counts the page shows
    anyway), instead of asking the database with COUNT(*)."""

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _describe_field(field) -> tuple:
    widget = field.widget
    choices = getattr(field, "choices", None)
    if choices is not None:
        # str() of each value: a ModelChoiceIteratorValue's repr names its memory address.
        choices = [
            (str(value), [(str(v), str(label)) for v, label in label])
            if isinstance(label, list | tuple)
            else (str(value), str(label))
            for value, label in choices
        ]
    return (
        *(type(field).__name__, type(widget).__name__, str(field.label), str(field.help_text)),
        *(field.required, field.disabled, field.show_hidden_initial, field.initial, choices),
        *(sorted(widget.attrs.items()), getattr(widget, "input_type", None)),
    )


def render_form(
    form, template_names: tuple[str, ...], context: dict | None = None, *, fields: Iterable[str] | None = None
) -> str:
    """``template_names[0]`` rendered with ``{"form": form, **context}``, kept in the cache.

    For the filter bars and small fixed forms of list pages, whose fields' templates cost more
    than the rest of the page. The key holds everything the rendering shows: every field's
    definition and choices, the submitted data and the errors of a bound form, the context, and
    the source of each template named (list the included ones too) and Django's version (its
    widget templates). ``fields`` names the fields the template shows, if not all of them.
    """
    context = context or {}
    data = sorted(form.data.lists()) if form.is_bound and hasattr(form.data, "lists") else form.data
    key_inputs = (
        *(django.get_version(), [_template_version(name) for name in template_names]),
        *(timezone.get_current_timezone_name(), translation.get_language(), type(form).__qualname__),
        *(form.prefix, form.auto_id, form.is_bound, data, form.initial),
        form.errors.get_json_data() if form.is_bound else None,
        [(name, _describe_field(form.fields[name])) for name in (form.fields if fields is None else fields)],
        sorted(context.items()),
    )
    digest = hashlib.blake2b(repr(key_inputs).encode(), digest_size=16).hexdigest()
    key = f"fragment:{template_names[0]}:form:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(template_names[0], {**context, "form": form})
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)
