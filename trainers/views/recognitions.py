"""Awards and impact stories: a trainer's own, and every trainer's for coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal.access import is_coordinator, login_required, sees_program_results
from trainers import permissions
from trainers.impact_forms import CoordinatorRecognitionForm, RecognitionForm
from trainers.models import Recognition
from trainers.recognitions import FIELDS, change_recognition, record_recognition, set_recognition_public
from trainers.views._common import _page, _query_without_page


@login_required
def recognitions(request):
    user = request.user
    queryset = permissions.recognitions_visible_to(user).select_related("trainer", "recorded_by")
    waiting_only = request.GET.get("show") == "private"
    if waiting_only:
        queryset = queryset.filter(public=False)
    return render(
        request,
        "trainers/impact/recognitions.html",
        {
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "everyone": sees_program_results(user),
            "waiting_only": waiting_only,
            "can_record": permissions.can_record_recognition(user, user),
            "can_publish": permissions.can_publish_recognition(user),
        },
    )


@login_required
def recognition_new(request):
    user = request.user
    coordinator = is_coordinator(user)
    if not permissions.can_record_recognition(user, user):
        raise PermissionDenied
    form_class = CoordinatorRecognitionForm if coordinator else RecognitionForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        trainer = form.trainer if coordinator else user
        recognition = record_recognition(
            trainer, by=user, **{name: form.cleaned_data[name] for name in FIELDS}
        )
        messages.success(request, f"“{recognition.title}” is recorded on {trainer.display_name}'s profile.")
        return redirect("trainers:recognitions")
    return render(request, "trainers/impact/recognition_form.html", {"form": form, "recognition": None})


def _visible_recognition(request, pk: int) -> Recognition:
    recognition = get_object_or_404(Recognition.objects.select_related("trainer"), pk=pk)
    if not permissions.recognitions_visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return recognition


@login_required
def recognition_edit(request, pk: int):
    recognition = _visible_recognition(request, pk)
    user = request.user
    if not permissions.can_edit_recognition(user, recognition):
        raise PermissionDenied
    form = RecognitionForm(request.POST or None, instance=recognition)
    if request.method == "POST" and form.is_valid():
        change_recognition(
            recognition,
            by=user,
            publisher=permissions.can_publish_recognition(user, recognition),
            **{name: form.cleaned_data[name] for name in FIELDS},
        )
        messages.success(request, f"“{form.cleaned_data['title']}” is saved.")
        return redirect("trainers:recognitions")
    return render(
        request, "trainers/impact/recognition_form.html", {"form": form, "recognition": recognition}
    )


@login_required
@require_POST
def recognition_publish(request, pk: int):
    recognition = _visible_recognition(request, pk)
    if not permissions.can_publish_recognition(request.user, recognition):
        raise PermissionDenied
    public = request.POST.get("public") == "1"
    if set_recognition_public(recognition, public, by=request.user):
        shown = "is now shown publicly" if public else "is no longer shown publicly"
        messages.success(request, f"“{recognition.title}” {shown}.")
    return redirect("trainers:recognitions")
