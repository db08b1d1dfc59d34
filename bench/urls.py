"""The bench URLconf: the whole portal plus the two ceilings the pages are measured against.

Used only by the benchmark run (ROOT_URLCONF=bench.urls); the portal itself never routes here.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from portal.access import public
from portal.models import Agency

# A small template, compiled once like a cached template loader would.
_ONE_QUERY_TEMPLATE = engines["django"].from_string(
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Agencies</title></head>'
    "<body><h1>Agencies</h1><ul>{% for agency in agencies %}"
    "<li>{{ agency.name }} ({{ agency.get_kind_display }}, {{ agency.region }})</li>"
    "{% endfor %}</ul></body></html>"
)


@public
def text_ceiling(request):
    """The cheapest Django response: no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


@public
def one_query_ceiling(request):
    """A small template rendered from exactly one query."""
    agencies = list(Agency.objects.only("name", "kind", "region").order_by("name")[:10])
    return HttpResponse(_ONE_QUERY_TEMPLATE.render({"agencies": agencies}, request))


urlpatterns = [
    path("bench/text", text_ceiling, name="bench-text"),
    path("bench/one-query", one_query_ceiling, name="bench-one-query"),
    path("", include("portal.urls")),
]
