"""Agencies' requests: asking (a training, or hosting a regional CoP), the requester's list, the
coordinators' queue and a request's page with suggested trainers, and the offered trainer's answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from portal import states
from portal.access import coordinator_required, login_required
from portal.models import User
from trainers import permissions
from trainers import training_requests as services
from trainers.models import RequestOffer, TrainingRequest
from trainers.request_forms import (
    AcceptForm,
    CloseForm,
    DecideForm,
    DeclineForm,
    FollowUpForm,
    HostOfferForm,
    OfferForm,
    RequestFilterForm,
    TrainingRequestForm,
)
from trainers.views._common import _page, _query_without_page

Status = TrainingRequest.Status


def _asker(request) -> None:
    if not permissions.can_make_request(request.user):
        raise PermissionDenied


@login_required
def my_requests(request):
    queryset = (
        TrainingRequest.objects.filter(requester=request.user)
        .select_related("module", "agency", "training__trainer")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "trainers/requests/mine.html",
        {
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "can_ask": permissions.can_make_request(request.user),
        },
    )


@login_required
def request_new(request):
    _asker(request)
    initial = {}
    wanted = request.GET.get("module", "")
    if wanted.isdigit():
        initial["module"] = wanted
    form = TrainingRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_training(request.user, when=form.when(), **form.details())
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Thank you: your request is with the coordinators. We will write to you when a trainer takes it.",
            )
            return redirect(req)
    return render(request, "trainers/requests/form.html", {"form": form, "agency": request.user.agency})


@login_required
def host_new(request):
    _asker(request)
    form = HostOfferForm(request.POST or None, agency=request.user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.offer_to_host(request.user, **form.cleaned_data)
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Thank you for offering to host a regional CoP. A coordinator will be in touch."
            )
            return redirect(req)
    return render(request, "trainers/requests/host_form.html", {"form": form, "agency": request.user.agency})


@coordinator_required
def request_queue(request):
    form = RequestFilterForm(request.GET or None)
    queryset = TrainingRequest.objects.select_related("module", "agency", "requester").order_by(
        "-created_at", "-pk"
    )
    status = "open"
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"]
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["module"]:
            queryset = queryset.filter(module=data["module"])
        if data["region"]:
            queryset = queryset.filter(region=data["region"])
    if status == "open":
        queryset = queryset.filter(status__in=TrainingRequest.OPEN)
    elif status:
        queryset = queryset.filter(status=status)
    counts = TrainingRequest.objects.aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Status.values}
    )
    return render(
        request,
        "trainers/requests/queue.html",
        {
            "form": form,
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "counts": [(label, counts[value], value) for value, label in Status.choices],
        },
    )


def _visible_request(request, pk: int) -> TrainingRequest:
    req = get_object_or_404(
        TrainingRequest.objects.select_related(
            "module", "agency", "requester", "training__trainer", "community"
        ),
        pk=pk,
    )
    if not permissions.can_view_request(request.user, req):
        raise Http404
    return req


def _coordinated(request, pk: int) -> TrainingRequest:
    req = _visible_request(request, pk)
    if not permissions.can_coordinate_requests(request.user):
        raise PermissionDenied
    return req


@login_required
def request_detail(request, pk: int):
    req = _visible_request(request, pk)
    coordinating = permissions.can_coordinate_requests(request.user)
    offers = list(req.offers.select_related("trainer__agency", "offered_by"))
    pending = next((o for o in offers if o.status == RequestOffer.Status.PENDING), None)
    context = {
        "req": req,
        "offers": offers,
        "pending": pending,
        "coordinating": coordinating,
        "history": states.history(req),
    }
    if coordinating and req.is_open:
        if req.kind == TrainingRequest.Kind.TRAINING and (req.status != Status.OFFERED or pending is None):
            context["suggestions"] = services.suggested_trainers(req)
            context["offer_form"] = OfferForm()
        if req.kind == TrainingRequest.Kind.HOST:
            context["decide_form"] = DecideForm(
                initial={"community_title": f"{req.region} Regional CoP".strip()}
            )
        context["close_form"] = CloseForm()
    if coordinating:
        context["follow_up_form"] = FollowUpForm(initial={"note": req.follow_up})
    return render(request, "trainers/requests/detail.html", context)


@coordinator_required
@require_POST
def request_offer(request, pk: int):
    req = _coordinated(request, pk)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a trainer to offer the request to.")
        return redirect(f"{req.get_absolute_url()}#suggestions")
    trainer = User.objects.filter(pk=form.cleaned_data["trainer"], is_active=True).first()
    if trainer is None:
        messages.error(request, "Choose a trainer from the suggestions.")
        return redirect(f"{req.get_absolute_url()}#suggestions")
    try:
        services.offer_request(req, trainer, by=request.user, message=form.cleaned_data["message"])
    except services.TrainerError as exc:
        messages.error(request, str(exc))
        return redirect(f"{req.get_absolute_url()}#suggestions")
    messages.success(request, f"The request is offered to {trainer.display_name}; we e-mailed them.")
    return redirect(req)


@coordinator_required
@require_POST
def request_withdraw(request, pk: int):
    req = _coordinated(request, pk)
    try:
        services.withdraw_offer(req, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The offer is taken back; you can offer the request to someone else.")
    return redirect(req)


@coordinator_required
def request_decide(request, pk: int):
    req = _coordinated(request, pk)
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_host_offer(
                req,
                by=request.user,
                accept=data["decision"] == "accept",
                note=data["note"],
                community_title=data["community_title"] if data["decision"] == "accept" else "",
            )
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your decision is saved; the agency will get an e-mail.")
            return redirect(req)
    return render(request, "trainers/requests/decide.html", {"req": req, "form": form})


@coordinator_required
def request_close(request, pk: int):
    req = _coordinated(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_request(req, by=request.user, reason=form.cleaned_data["reason"])
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The request is closed; the agency will get an e-mail.")
            return redirect(req)
    return render(request, "trainers/requests/close.html", {"req": req, "form": form})


@coordinator_required
@require_POST
def request_follow_up(request, pk: int):
    req = _coordinated(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        services.note_follow_up(req, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, "The follow-up note is saved.")
    else:
        messages.error(request, "The note is too long: keep it under 4,000 characters.")
    return redirect(req)


def _refused(request, offer: RequestOffer, exc: Exception) -> None:
    """The answer was refused (answered already, taken back): say why above the offer as it is now."""
    messages.error(request, str(exc))
    offer.refresh_from_db(fields=["status", "answered_at", "reason"])


@login_required
def offer_answer(request, pk: int):
    offer = get_object_or_404(
        RequestOffer.objects.select_related(
            "request__module", "request__agency", "request__requester", "offered_by"
        ),
        pk=pk,
    )
    if not permissions.can_answer_offer(request.user, offer):
        raise Http404
    req = offer.request
    answer = request.POST.get("answer") if request.method == "POST" else None
    accept_form = AcceptForm(request.POST if answer == "accept" else None, req=req)
    decline_form = DeclineForm(request.POST if answer == "decline" else None)
    if answer == "accept" and accept_form.is_valid():
        try:
            training = services.accept_offer(offer, by=request.user, **accept_form.cleaned_data)
        except services.TrainerError as exc:
            _refused(request, offer, exc)
        else:
            messages.success(
                request,
                "Thank you: the training is saved as a draft in your list. Check the details and open it for"
                " registration when you are ready.",
            )
            return redirect(training)
    elif answer == "decline" and decline_form.is_valid():
        try:
            services.decline_offer(offer, by=request.user, reason=decline_form.cleaned_data["reason"])
        except services.TrainerError as exc:
            _refused(request, offer, exc)
        else:
            messages.success(request, "Thank you for letting the coordinators know.")
            return redirect("trainers:trainings")
    elif request.method == "POST" and answer not in ("accept", "decline"):
        messages.error(request, "Choose to accept or to decline.")
    return render(
        request,
        "trainers/requests/offer.html",
        {"offer": offer, "req": req, "accept_form": accept_form, "decline_form": decline_form},
    )
