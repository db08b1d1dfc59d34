"""Searching threads, posts and resources."""

from django.shortcuts import render

from communities.forms import SearchForm
from communities.search import search as run_search
from portal.access import public


@public
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = run_search(
            request.user, form.cleaned_data["q"], kind=request.GET.get("kind"), page=request.GET.get("page")
        )
    return render(request, "communities/search.html", {"form": form, "results": results})
