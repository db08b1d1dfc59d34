from types import SimpleNamespace

import pytest

from portal import fragments


def test_render_items_renders_once_per_distinct_inputs(monkeypatch):
    rendered = []
    real = fragments.render_to_string

    def counting(template_name, context):
        rendered.append(context["item"].label)
        return real(template_name, context)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    items = [SimpleNamespace(label=label) for label in ("Ana & Co", "Bo", "Ana & Co")]
    fragments.render_items(items, "portal/_form_errors.html", name="item", inputs=lambda i: [i.label])
    assert rendered == ["Ana & Co", "Bo"]  # the third shares the first one's inputs
    again = [SimpleNamespace(label="Bo"), SimpleNamespace(label="Cy")]
    fragments.render_items(again, "portal/_form_errors.html", name="item", inputs=lambda i: [i.label])
    assert rendered == ["Ana & Co", "Bo", "Cy"]  # "Bo" came from the cache
    assert all(hasattr(item, "card") for item in items + again)


def test_url_for_pk_matches_reverse():
    from django.urls import reverse

    post_url = fragments.url_for_pk("communities:post-report")
    assert post_url(7) == reverse("communities:post-report", kwargs={"pk": 7})
    assert post_url("12") == reverse("communities:post-report", kwargs={"pk": 12})


def test_url_for_slug_matches_reverse_and_leaves_an_odd_slug_to_it():
    from django.urls import NoReverseMatch, reverse

    community_url = fragments.url_for_slug("communities:community-detail")
    assert community_url("math-circle_2") == reverse(
        "communities:community-detail", kwargs={"slug": "math-circle_2"}
    )
    with pytest.raises(NoReverseMatch):  # as reverse() itself: not a slug
        community_url("café/ünïcode")


def test_cached_count_paginator_counts_once_per_key_for_its_time(db, django_assert_num_queries):
    from portal.models import Agency
    from tests.factories import AgencyFactory

    AgencyFactory.create_batch(3)
    first = fragments.CachedCountPaginator(Agency.objects.all(), 2, key="agencies")
    assert first.count == 3
    AgencyFactory()
    with django_assert_num_queries(0):
        assert fragments.CachedCountPaginator(Agency.objects.all(), 2, key="agencies").count == 3
    assert fragments.CachedCountPaginator(Agency.objects.all(), 2, key="agencies, all").count == 4
    # Until the cached total expires, the new row waits beyond the last page.
    assert list(first.get_page(2)) == list(Agency.objects.all()[2:3])


def test_render_form_keys_on_the_data_errors_and_choices():
    from django import forms

    class Filter(forms.Form):
        kind = forms.ChoiceField(required=False, choices=[("", "Any"), ("a", "Apples")])
        size = forms.IntegerField(required=False)

    templates = ("portal/_filter_fields.html", "portal/_field.html")
    empty = fragments.render_form(Filter(), templates)
    assert '<option value="a">Apples</option>' in empty
    chosen = Filter({"kind": "a"})
    chosen.is_valid()
    assert '<option value="a" selected>Apples</option>' in fragments.render_form(chosen, templates)
    wrong = Filter({"size": "many"})
    wrong.is_valid()
    assert "Enter a whole number." in fragments.render_form(wrong, templates)
    relabelled = Filter()
    relabelled.fields["kind"].choices = [("", "Any"), ("a", "Pears")]
    assert '<option value="a">Pears</option>' in fragments.render_form(relabelled, templates)
    assert fragments.render_form(Filter(), templates) == empty
