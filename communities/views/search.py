"""Searching threads, posts and resources."""

from django.shortcuts import render

from communities.forms import SearchForm
from communities.search import search as run_search
from portal.access import public
from portal.fragments import render_items

HIT_TEMPLATE = "communities/_search_hit.html"


@public
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = run_search(
            request.user, form.cleaned_data["q"], kind=request.GET.get("kind"), page=request.GET.get("page")
        )
        for section in results.sections:
            # A hit's markup is the same for whoever finds it: rendered once per distinct hit.
            render_items(
                section.items,
                HIT_TEMPLATE,
                name="hit",
                context={"kind": section.key},
                inputs=lambda hit, kind=section.key: [kind, *sorted(hit.items())],
            )
    return render(request, "communities/search.html", {"form": form, "results": results})
