"""A turnkey training's public side: its page and short link, the flyer and QR code, finding a
training near you, cancelling from the e-mail's link; and the registrants list for those who run it.

The public pages show a training's details and totals only. The names and e-mails of registrants
are on the registrants page (and its CSV), for the facilitators, coordinators and the state office;
the online room's link is in the registrants' e-mails only.
"""

from __future__ import annotations

from io import BytesIO

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from institutes.models import Module
from portal.access import login_required, public, signed_link
from portal.emails import absolute_url
from portal.exports import csv_response
from portal.pictures import bar_step
from portal.ratelimit import Limit, allow, client_ip, too_many
from trainers import permissions, registration
from trainers.models import Registration, TurnkeyTraining
from trainers.registration_forms import FindTrainingsForm, QuickRegistrationForm, RegistrationForm

# A room of educators may register from one school's address (the flyer's QR code on the same
# Wi-Fi), a try or two each, so the limit per address is generous; the one per e-mail stops a
# script trying addresses.
REGISTER_PER_IP = Limit(attempts=120, seconds=3600)
REGISTER_PER_EMAIL = Limit(attempts=5, seconds=3600)
FIND_PER_PAGE = 20
REGISTRANTS_PER_PAGE = 50

Status = Registration.Status


def _training(code: str) -> TurnkeyTraining:
    return get_object_or_404(
        TurnkeyTraining.objects.select_related("module", "trainer", "host_agency"), short_code=code[:16]
    )


def _seats(training: TurnkeyTraining, taken: int) -> dict:
    """The seat bar: places taken and left, and the bar's width in 5% steps (CSP: no inline style)."""
    taken = min(taken, training.capacity)
    return {
        "taken": taken,
        "left": training.capacity - taken,
        "capacity": training.capacity,
        "step": bar_step(taken, training.capacity),
    }


def _own_registration(request, training: TurnkeyTraining) -> Registration | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return (
        training.registrations.exclude(status=Status.CANCELLED)
        .filter(Q(person=user) | Q(email=user.email.lower()))
        .first()
    )


def _register(request, training: TurnkeyTraining, form, *, quick: bool):
    """Validate, count the attempt, register. Returns the redirect, or None to show the form again."""
    if not form.is_valid():
        return None
    user = request.user
    if quick:
        data = {
            "name": user.display_name,
            "email": user.email.lower(),
            "agency": user.agency,
            "other_agency": "",
        }
    else:
        data = {k: form.cleaned_data[k] for k in ("name", "email", "agency", "other_agency")}
    if not allow("training-register-email", data["email"], REGISTER_PER_EMAIL):
        return too_many(request)
    person = user if user.is_authenticated and user.email.lower() == data["email"] else None
    try:
        place = registration.register(training, role=form.cleaned_data["role"], person=person, **data)
    except registration.AlreadyRegistered as exc:
        form.add_error(None if quick else "email", str(exc))
        return None
    except registration.RegistrationError as exc:
        form.add_error(None, str(exc))
        return None
    if place.status == Status.REGISTERED:
        messages.success(
            request,
            f"You are registered. We sent a confirmation with a calendar file to {place.email}.",
        )
    else:
        messages.info(
            request,
            f"{training.title} is full, so you are on the waitlist. We sent the details to {place.email} "
            "and will e-mail you at once if a place opens up.",
        )
    return redirect(training.get_public_url())


@public
def training_public(request, code: str):
    training = _training(code)
    if not training.is_open:
        return render(request, "trainers/public/closed.html", {"training": training})
    own = _own_registration(request, training)
    open_now = registration.accepts_registrations(training)
    form = quick_form = None
    if open_now and own is None:
        form, quick_form = _blank_forms(request.user)
        if request.method == "POST":
            if not allow("training-register-ip", client_ip(request), REGISTER_PER_IP):
                return too_many(request)
            if quick_form is not None and "one_click" in request.POST:
                quick_form = QuickRegistrationForm(request.POST, prefix="quick")
                response = _register(request, training, quick_form, quick=True)
            else:
                form = RegistrationForm(request.POST)
                response = _register(request, training, form, quick=False)
            if response is not None:
                return response
    elif request.method == "POST":
        return redirect(training.get_public_url())
    taken = training.registered_count()
    return render(
        request,
        "trainers/public/training.html",
        {
            "training": training,
            "sessions": list(training.sessions.all()),
            "facilitators": registration.facilitators(training),
            "place": registration.place(training),
            "seats": _seats(training, taken),
            "waiting": training.registrations.filter(status=Status.WAITLISTED).count()
            if taken >= training.capacity
            else 0,
            "open_now": open_now,
            "own": own,
            "sees_registrants": permissions.can_see_registrants(request.user, training),
            "form": form,
            "quick_form": quick_form,
        },
    )


def _blank_forms(user) -> tuple[RegistrationForm, QuickRegistrationForm | None]:
    """The registration form (prefilled for a signed-in person), and the one-click form for a
    signed-in person whose profile names their agency."""
    if not user.is_authenticated:
        return RegistrationForm(), None
    form = RegistrationForm(initial={"name": user.display_name, "email": user.email})
    if user.agency_id is None:
        return form, None
    last_role = user.training_registrations.order_by("-created_at").values_list("role", flat=True).first()
    return form, QuickRegistrationForm(
        prefix="quick", initial={"role": last_role or Registration.Role.TEACHER}
    )


def _published(code: str) -> TurnkeyTraining:
    training = _training(code)
    if not training.is_open:
        raise Http404
    return training


@public
@require_GET
def training_flyer(request, code: str):
    training = _published(code)
    return render(
        request,
        "trainers/public/flyer.html",
        {
            "training": training,
            "sessions": list(training.sessions.all()),
            "place": registration.place(training),
            "short_url": absolute_url(training.get_public_url()),
        },
    )


@public
@require_GET
def training_qr(request, code: str):
    training = _published(code)
    out = BytesIO()
    segno.make(absolute_url(training.get_public_url()), error="m").save(
        out, kind="svg", scale=8, border=2, xmldecl=False, title=f"Register for {training.title}"
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public
@require_GET
def find_trainings(request):
    upcoming = TurnkeyTraining.objects.published().filter(starts_at__gt=timezone.now())
    form = FindTrainingsForm(
        request.GET or None,
        modules=Module.objects.filter(pk__in=upcoming.values("module")).only("title"),
        regions=upcoming.exclude(region="").order_by("region").values_list("region", flat=True).distinct(),
    )
    trainings = registration.with_seats(upcoming).select_related("module").order_by("starts_at", "pk")
    if form.is_bound:
        form.is_valid()  # each valid filter applies; a bad one shows its message
        data = form.cleaned_data
        if data.get("module"):
            trainings = trainings.filter(module=data["module"])
        if data.get("region"):
            trainings = trainings.filter(region=data["region"])
        if data.get("format"):
            trainings = trainings.filter(format=data["format"])
        if data.get("starting"):
            trainings = trainings.filter(starts_at__date__gte=data["starting"])
    page = Paginator(trainings, FIND_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "trainers/public/find.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "cards": [(t, _seats(t, t.seats_taken), registration.place(t)) for t in page],
        },
    )


@signed_link
def registration_cancel(request, token: str):
    """The link in every registrant's e-mail: the token is the secret. A POST cancels."""
    place = get_object_or_404(
        Registration.objects.select_related("training__module"), cancel_token=token[:64]
    )
    training = place.training
    if request.method == "POST" and place.status != Status.CANCELLED:
        try:
            registration.cancel(place)
        except registration.RegistrationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Your registration for {training.title} is cancelled. Thank you for letting us know.",
            )
        return redirect("trainers:registration-cancel", token=place.cancel_token)
    return render(
        request,
        "trainers/public/cancel.html",
        {"registration": place, "training": training, "sessions": list(training.sessions.all())},
    )


@login_required
@require_GET
def training_registrants(request, pk: int):
    training = get_object_or_404(TurnkeyTraining.objects.select_related("module", "trainer"), pk=pk)
    if not permissions.can_see_registrants(request.user, training):
        raise Http404
    rows = training.registrations.select_related("agency").order_by("created_at", "pk")
    if request.GET.get("download") == "csv":
        return _registrants_csv(training, rows)
    counts = training.registrations.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    shown = request.GET.get("status")
    shown = shown if shown in Status.values else Status.REGISTERED
    page = Paginator(rows.filter(status=shown), REGISTRANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "trainers/public/registrants.html",
        {
            "training": training,
            "seats": _seats(training, counts[Status.REGISTERED]),
            "tabs": [(status, label, counts[status]) for status, label in Status.choices],
            "shown": shown,
            "page": page,
            "query": f"status={shown}",
            "first_number": page.start_index(),
        },
    )


REGISTRANTS_CSV_HEADER = [
    "Name",
    "E-mail",
    "Agency",
    "Role",
    "Status",
    "Walk-in",
    "Registered on",
    "Cancelled on",
]


def _registrants_csv(training: TurnkeyTraining, rows) -> HttpResponse:
    return csv_response(
        f"registrants-{training.short_code}.csv",
        REGISTRANTS_CSV_HEADER,
        (
            (
                r.name,
                r.email,
                r.agency_name,
                r.get_role_display(),
                r.get_status_display(),
                "yes" if r.walk_in else "no",
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(r.cancelled_at).strftime("%Y-%m-%d %H:%M") if r.cancelled_at else "",
            )
            for r in rows.iterator(chunk_size=500)
        ),
    )
