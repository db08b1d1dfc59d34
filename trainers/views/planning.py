"""Planning turnkey trainings: the trainer's list and form, a training's own page with its
checklist and co-facilitators, the co-facilitation answer, and every planned training for
coordinators and the state office."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import states
from portal.access import login_required, program_results_required
from portal.models import User
from portal.pictures import bar_step
from trainers import permissions, planning
from trainers.models import Certification, CoFacilitator, Registration, TurnkeyTraining
from trainers.planning_forms import (
    CancelForm,
    ChecklistForm,
    InviteForm,
    SessionForm,
    TrainingFilterForm,
    TrainingForm,
)
from trainers.views._common import _page, _query_without_page

Status = TurnkeyTraining.Status

# "My trainings" in three tabs: the status each shows.
TABS = {
    "planned": (Status.DRAFT, Status.PUBLISHED),
    "held": (Status.HELD,),
    "cancelled": (Status.CANCELLED,),
}


def _seat_page(request, queryset):
    page = _page(request, _with_seats(queryset))
    for training in page:
        training.seat_step = bar_step(training.registered, training.capacity)
    return page


def _with_seats(queryset):
    """Registered and waiting counts per row, in the list's one query."""
    return queryset.annotate(
        registered=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


def _visible_training(request, pk: int) -> TurnkeyTraining:
    training = get_object_or_404(
        TurnkeyTraining.objects.select_related(
            "trainer__agency", "module", "host_agency", "certification", "host_contact", "request"
        ),
        pk=pk,
    )
    if not permissions.can_view_training(request.user, training):
        raise Http404
    return training


def _planned_by_me(request, pk: int) -> TurnkeyTraining:
    training = _visible_training(request, pk)
    if not permissions.can_plan_training(request.user, training):
        raise PermissionDenied
    return training


@login_required
def my_trainings(request):
    mine = TurnkeyTraining.objects.facilitated_by(request.user).values("pk")
    base = TurnkeyTraining.objects.filter(pk__in=mine)
    counts = base.aggregate(
        **{tab: Count("pk", filter=Q(status__in=statuses)) for tab, statuses in TABS.items()}
    )
    tab = request.GET.get("show") if request.GET.get("show") in TABS else "planned"
    queryset = base.filter(status__in=TABS[tab]).select_related("module")
    queryset = (
        queryset.order_by("starts_at", "pk") if tab == "planned" else queryset.order_by("-starts_at", "-pk")
    )
    invitations = (
        CoFacilitator.objects.filter(person=request.user, status=CoFacilitator.Status.INVITED)
        .exclude(training__status__in=(Status.HELD, Status.CANCELLED))
        .select_related("training__trainer", "training__module")
    )
    return render(
        request,
        "trainers/trainings/list.html",
        {
            "page": _seat_page(request, queryset),
            "query": _query_without_page(request),
            "tab": tab,
            "counts": counts,
            "invitations": invitations,
            "can_plan": permissions.plannable_certifications(request.user).exists(),
        },
    )


@login_required
def training_new(request):
    certifications = permissions.plannable_certifications(request.user)
    if not certifications.exists():
        raise PermissionDenied
    # "Plan a training" beside a certification on the dashboard names it.
    wanted = request.GET.get("certification", "")
    chosen = certifications.filter(pk=wanted).first() if wanted.isdigit() else None
    form = TrainingForm(
        request.POST or None, trainer=request.user, initial={"certification": chosen} if chosen else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            training = planning.plan_training(
                request.user,
                certification=form.cleaned_data["certification"],
                schedule=form.schedule(),
                **form.details(),
            )
        except planning.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Your training is saved as a draft. Check the details, invite co-facilitators if you like,"
                " and open it for registration when you are ready.",
            )
            return redirect(training)
    return render(request, "trainers/trainings/plan_form.html", {"form": form, "training": None})


@login_required
def training_edit(request, pk: int):
    training = _planned_by_me(request, pk)
    try:
        planning.check_editable(training)
    except planning.TrainerError as exc:
        messages.info(request, str(exc))
        return redirect(training)
    form = TrainingForm(request.POST or None, trainer=request.user, training=training)
    if request.method == "POST" and form.is_valid():
        try:
            planning.update_training(training, by=request.user, schedule=form.schedule(), **form.details())
        except planning.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(training)
    return render(request, "trainers/trainings/plan_form.html", {"form": form, "training": training})


@login_required
def training_session(request, pk: int, session_pk: int):
    training = _planned_by_me(request, pk)
    session = get_object_or_404(training.sessions, pk=session_pk)
    try:
        planning.check_editable(training)
    except planning.TrainerError as exc:
        messages.info(request, str(exc))
        return redirect(training)
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    form = SessionForm(
        request.POST or None, initial={"day": starts.date(), "starts": starts.time(), "ends": ends.time()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            planning.move_session(session, by=request.user, **form.cleaned_data)
        except planning.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The session is moved.")
            return redirect(training)
    return render(
        request,
        "trainers/trainings/plan_session.html",
        {"training": training, "session": session, "form": form},
    )


@login_required
def training_detail(request, pk: int):
    training = _visible_training(request, pk)
    user = request.user
    can_plan = permissions.can_plan_training(user, training)
    editable = training.status in planning.EDITABLE
    seats = training.registrations.aggregate(
        registered=Count("pk", filter=Q(status=Registration.Status.REGISTERED)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    checklist = training.checklist_items()
    done = sum(1 for *_, ticked in checklist if ticked)
    query = request.GET.get("q", "") if can_plan and editable else ""
    invite_form = InviteForm({"query": query} if query else None)
    candidates = (
        planning.co_facilitator_candidates(training, query) if query and invite_form.is_valid() else []
    )
    co_facilitators = list(training.co_facilitations.select_related("person__agency"))
    own_invitation = next(
        (c for c in co_facilitators if c.person_id == user.pk and c.status == CoFacilitator.Status.INVITED),
        None,
    )
    return render(
        request,
        "trainers/trainings/detail.html",
        {
            "training": training,
            "sessions": training.sessions.all(),
            "co_facilitators": co_facilitators,
            "own_invitation": own_invitation,
            "seats": seats,
            "seat_step": bar_step(seats["registered"], training.capacity),
            "checklist": checklist,
            "checklist_done": done,
            "checklist_step": bar_step(done, len(checklist)),
            "can_plan": can_plan,
            "can_run": permissions.can_run_training(user, training),
            "can_see_registrants": permissions.can_see_registrants(user, training),
            "can_report": permissions.can_report_training(user, training),
            "can_see_results": training.status == TurnkeyTraining.Status.HELD
            and permissions.can_see_training_results(user, training),
            "editable": editable,
            "invite_form": invite_form,
            "candidates": candidates,
            "query": query,
            "history": states.history(training).exclude(to_status=""),
        },
    )


@login_required
@require_POST
def training_publish(request, pk: int):
    training = _planned_by_me(request, pk)
    try:
        planning.publish_training(training, by=request.user)
    except planning.TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your training is open for registration.")
    return redirect(training)


@login_required
def training_cancel(request, pk: int):
    training = _planned_by_me(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            planning.cancel_training(training, by=request.user, reason=form.cleaned_data["reason"])
        except planning.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The training is cancelled; everyone registered will get an e-mail.")
            return redirect(training)
    seats = training.registrations.exclude(status=Registration.Status.CANCELLED).count()
    return render(
        request, "trainers/trainings/plan_cancel.html", {"training": training, "form": form, "seats": seats}
    )


@login_required
@require_POST
def training_checklist(request, pk: int):
    training = _planned_by_me(request, pk)
    form = ChecklistForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That step of the checklist could not be changed.")
        return redirect(training)
    try:
        planning.set_checklist_item(
            training, form.cleaned_data["step"], done=form.cleaned_data["done"], by=request.user
        )
    except planning.TrainerError as exc:
        messages.error(request, str(exc))
    return redirect(f"{training.get_absolute_url()}#checklist")


@login_required
@require_POST
def training_invite(request, pk: int):
    training = _planned_by_me(request, pk)
    wanted = request.POST.get("person", "")
    # Only trainers certified for the module are found, so an id never reveals anyone else's name.
    person = (
        User.objects.filter(
            pk=wanted,
            certifications__module=training.module_id,
            certifications__status=Certification.Status.ACTIVE,
        ).first()
        if wanted.isdigit()
        else None
    )
    if person is None:
        messages.error(request, "Choose a trainer certified for this module from the search results.")
        return redirect(f"{training.get_absolute_url()}#co-facilitators")
    try:
        planning.invite_co_facilitator(training, person, by=request.user)
    except planning.TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{person.display_name} is invited; they will be listed once they accept.")
    return redirect(f"{training.get_absolute_url()}#co-facilitators")


@login_required
def co_facilitation(request, pk: int):
    invitation = get_object_or_404(
        CoFacilitator.objects.select_related(
            "training__trainer", "training__module", "training__host_agency"
        ),
        pk=pk,
    )
    if not permissions.can_answer_co_facilitation(request.user, invitation):
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            messages.error(request, "Choose to accept or to decline.")
        else:
            try:
                planning.answer_co_facilitation(invitation, by=request.user, accept=answer == "accept")
            except planning.TrainerError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    "Thank you: you are now listed as a co-facilitator."
                    if answer == "accept"
                    else "Thank you for letting them know.",
                )
                return redirect(invitation.training if answer == "accept" else "trainers:trainings")
    return render(
        request,
        "trainers/trainings/plan_co_facilitation.html",
        {
            "invitation": invitation,
            "training": invitation.training,
            "sessions": invitation.training.sessions.all(),
        },
    )


@program_results_required
def trainings_all(request):
    form = TrainingFilterForm(request.GET or None)
    queryset = TurnkeyTraining.objects.select_related("trainer", "module", "host_agency").order_by(
        "-starts_at", "-pk"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["module"]:
            queryset = queryset.filter(module=data["module"])
        if data["region"]:
            queryset = queryset.filter(region=data["region"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["date_from"]:
            queryset = queryset.filter(starts_at__gte=planning.day_start(data["date_from"]))
        if data["date_to"]:
            queryset = queryset.filter(starts_at__lt=planning.day_start(data["date_to"] + timedelta(days=1)))
    return render(
        request,
        "trainers/trainings/list_all.html",
        {"form": form, "page": _seat_page(request, queryset), "query": _query_without_page(request)},
    )
