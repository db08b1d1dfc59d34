"""Public verification, certificates, revocation and certifying an institute's roster."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from institutes.models import Institute
from portal import ratelimit
from portal.access import login_required, public
from portal.credentials.badges import MEDIA_TYPE, BadgeRefused
from portal.credentials.qr import qr_svg
from portal.emails import absolute_url
from portal.learning import services as learning
from trainers import credentials, permissions, services
from trainers.forms import BadgeForm, RenewForm, RevokeForm, VerifyForm
from trainers.models import Certification

# Checking a badge costs a signature check: plenty for people, little for a script.
VERIFY_BADGE_LIMIT = ratelimit.Limit(attempts=30, seconds=60)


@public
def verify(request):
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("trainers:verify-code", code=form.cleaned_data["code"])
    return render(request, "trainers/verify.html", {"form": form, "badge_form": BadgeForm()})


@public
def verify_badge(request):
    """A badge handed back: check its proof, then whether its certification still stands."""
    form = BadgeForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST":
        if not ratelimit.allow("verify-badge", ratelimit.client_ip(request), VERIFY_BADGE_LIMIT):
            return ratelimit.too_many(request)
        if form.is_valid():
            try:
                check = credentials.check_badge(form.text)
            except BadgeRefused as exc:
                form.add_error("badge_file" if form.cleaned_data.get("badge_file") else "badge", str(exc))
            else:
                form = BadgeForm()  # the result shows above; the form is ready for the next badge
    return render(request, "trainers/verify_badge.html", {"badge_form": form, "check": check})


@public
def verify_code(request, code: str):
    certification = (
        Certification.objects.select_related("participant", "module").filter(code=code[:60]).first()
    )
    # The same page checks a printed record of professional-learning hours (portal.learning):
    # it shows the name, the period and the total as printed, and whether a newer one replaced it.
    hours_record = None if certification else learning.find_record(code)
    status = 200 if certification or hours_record else 404
    return render(
        request,
        "trainers/verify_result.html",
        {
            "certification": certification,
            "hours_record": hours_record,
            "code": code[:60],
            "form": VerifyForm(),
            "badge_form": BadgeForm(),
        },
        status=status,
    )


@login_required
def certificate(request, pk: int):
    certification = get_object_or_404(
        Certification.objects.select_related("participant__agency", "module", "institute", "issued_by"), pk=pk
    )
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    verify_url = absolute_url(certification.get_verify_url())
    can_renew = (
        certification.is_active
        and certification.valid_until is not None
        and permissions.can_renew_certification(request.user, certification)
    )
    return render(
        request,
        "trainers/certificate.html",
        {
            "certification": certification,
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, title="QR code to this certificate's verification page"),
            "can_download": permissions.can_download_credentials(request.user, certification),
            "can_revoke": certification.is_active
            and permissions.can_revoke_certification(request.user, certification),
            "can_renew": can_renew,
            "renewal_opens_on": services.renewal_opens_on(certification),
            "revoke_form": RevokeForm(),
        },
    )


def _downloadable(request, pk: int) -> Certification | None:
    """The certification whose PDF or badge is asked for, or None (with a message) if revoked."""
    certification = get_object_or_404(
        Certification.objects.select_related("participant__agency", "module", "institute"), pk=pk
    )
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    if not permissions.can_download_credentials(request.user, certification):
        messages.error(
            request, "This certification is revoked, so there is no certificate or badge to download."
        )
        return None
    return certification


@login_required
@require_GET
def certificate_pdf(request, pk: int):
    certification = _downloadable(request, pk)
    if certification is None:
        return redirect("trainers:certificate", pk=pk)
    response = HttpResponse(credentials.pdf(certification), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{credentials.pdf_filename(certification)}"'
    return response


@login_required
@require_GET
def certificate_badge(request, pk: int):
    certification = _downloadable(request, pk)
    if certification is None:
        return redirect("trainers:certificate", pk=pk)
    response = HttpResponse(credentials.badge(certification), content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{credentials.badge_filename(certification)}"'
    return response


@login_required
def renew(request, pk: int):
    certification = get_object_or_404(Certification.objects.select_related("participant", "module"), pk=pk)
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    if not permissions.can_renew_certification(request.user, certification):
        raise PermissionDenied
    form = RenewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.renew_certification(
                certification, by=request.user, note=form.cleaned_data["note"]
            )
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"The certification of {certification.participant} is renewed until "
                f"{certification.valid_until:%B %-d, %Y}.",
            )
            return redirect(certification)
    return render(
        request,
        "trainers/renew.html",
        {"certification": certification, "form": form, "opens_on": services.renewal_opens_on(certification)},
    )


@login_required
def revoke(request, pk: int):
    certification = get_object_or_404(Certification.objects.select_related("participant", "module"), pk=pk)
    if not permissions.can_view_certificate(request.user, certification):
        raise Http404
    if not permissions.can_revoke_certification(request.user, certification):
        raise PermissionDenied
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certification(certification, by=request.user, reason=form.cleaned_data["reason"])
        except services.TrainerError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The certification of {certification.participant} is revoked.")
            return redirect(certification)
    return render(request, "trainers/revoke.html", {"certification": certification, "form": form})


def _institute_for_certifying(request, pk: int) -> Institute:
    institute = get_object_or_404(Institute.objects.select_related("module"), pk=pk)
    if not permissions.can_certify(request.user, institute):
        raise PermissionDenied
    return institute


@login_required
def certify_roster(request, pk: int):
    from institutes.services import completion_roster

    institute = _institute_for_certifying(request, pk)
    roster = completion_roster(institute)
    certified = {
        c.participant_id: c
        for c in Certification.objects.filter(institute=institute).select_related("module")
    }
    rows = [{"row": row, "certification": certified.get(row.participant.pk)} for row in roster]
    ready = sum(1 for r in rows if r["row"].complete and r["certification"] is None)
    return render(
        request, "trainers/certify_roster.html", {"institute": institute, "rows": rows, "ready": ready}
    )


@login_required
@require_POST
def certify_one(request, pk: int, user_pk: int):
    institute = _institute_for_certifying(request, pk)
    from institutes.services import completion_roster

    row = next((r for r in completion_roster(institute) if r.participant.pk == user_pk), None)
    if row is None:
        raise Http404
    try:
        certification = services.certify_participant(institute, row.participant, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{row.participant} is certified in {certification.module}.")
    return redirect("trainers:certify-roster", pk=institute.pk)


@login_required
@require_POST
def certify_all(request, pk: int):
    institute = _institute_for_certifying(request, pk)
    try:
        result = services.certify_completed(institute, by=request.user)
    except services.TrainerError as exc:
        messages.error(request, str(exc))
        return redirect("trainers:certify-roster", pk=institute.pk)
    if result.certified:
        names = ", ".join(str(c.participant) for c in result.certified)
        messages.success(request, f"Certified {len(result.certified)}: {names}.")
    else:
        messages.info(request, "Nobody new to certify: everyone who completed is certified already.")
    if result.refused:
        names = ", ".join(str(person) for person, _ in result.refused)
        messages.warning(request, f"Not certified yet, because they have not completed: {names}.")
    return redirect("trainers:certify-roster", pk=institute.pk)
