from types import SimpleNamespace

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
