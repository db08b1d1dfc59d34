"""Resources: a community's shelf and the statewide library."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from communities import permissions, services
from communities.forms import ResourceForm
from communities.models import Resource
from communities.views._common import _page, _refuse_reader, _require, _visible_community
from portal.access import login_required, public
from portal.uploads import attachment_response


def _resource_list(request, community, resources, template="communities/resources.html"):
    topic = request.GET.get("topic", "")
    if topic:
        resources = resources.filter(topic=topic)
    return render(
        request,
        template,
        {
            "community": community,
            "page": _page(request, resources.select_related("added_by", "community")),
            "topic": topic,
            "can_add": permissions.can_add_resource(request.user, community),
        },
    )


@public
def resources(request, slug):
    community = _visible_community(request, slug)
    return _resource_list(
        request, community, Resource.objects.visible_to(request.user).filter(community=community)
    )


@public
def library(request):
    return _resource_list(request, None, Resource.objects.filter(community__isnull=True))


def _resource_form(request, community):
    _require(permissions.can_add_resource(request.user, community))
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.add_resource(community=community, added_by=request.user, **form.cleaned_data)
        messages.success(request, "Thank you for sharing this resource.")
        return redirect(
            reverse("communities:resources", args=[community.slug]) if community else "communities:library"
        )
    return render(request, "communities/resource_form.html", {"community": community, "form": form})


@login_required
def resource_create(request, slug):
    return _resource_form(request, _visible_community(request, slug))


@login_required
def library_add(request):
    return _resource_form(request, None)


def _visible_resource(request, pk) -> Resource:
    resource = get_object_or_404(Resource.objects.select_related("community"), pk=pk)
    if not permissions.can_view_resource(request.user, resource):
        _refuse_reader(request, resource.community)
    return resource


@public
def resource_download(request, pk):
    resource = _visible_resource(request, pk)
    if not resource.file:
        raise Http404
    return attachment_response(resource.file, resource.filename or resource.title)


@login_required
@require_POST
def resource_delete(request, pk):
    resource = _visible_resource(request, pk)
    _require(permissions.can_delete_resource(request.user, resource))
    community = resource.community
    services.delete_resource(resource=resource, actor=request.user)
    messages.success(request, "The resource is removed.")
    return redirect(
        reverse("communities:resources", args=[community.slug]) if community else "communities:library"
    )
