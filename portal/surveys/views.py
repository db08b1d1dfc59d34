"""The public answer page (a one-use link, no account), its thank-you page, and the quote queue."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.access import coordinator_required, public, signed_link
from portal.ratelimit import Limit, allow, client_ip, too_many
from portal.surveys import services
from portal.surveys.forms import QuoteReviewForm, answer_form
from portal.surveys.models import Quote, SurveyError

# Every request to an answer page counts, so that guessing links is slow; a room of educators
# answering from one school's address stays well under it.
ANSWER_LIMIT = Limit(attempts=60, seconds=600)
CLOSED_STATUS = {services.LinkNotValid: 404, services.LinkExpired: 410, services.AlreadyAnswered: 200}
QUOTES_PER_PAGE = 25


def _closed(request, exc: SurveyError):
    return render(
        request, "surveys/closed.html", {"message": str(exc)}, status=CLOSED_STATUS.get(type(exc), 200)
    )


@signed_link
def answer(request, token):
    if not allow("survey", client_ip(request), ANSWER_LIMIT):
        return too_many(request)
    try:
        invitation = services.invitation_for(token)
    except SurveyError as exc:
        return _closed(request, exc)
    instrument = invitation.instrument
    questions = list(instrument.questions.all())
    form = answer_form(questions)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer(token, form.cleaned_data)
        except SurveyError as exc:
            return _closed(request, exc)
        return redirect("surveys:thanks")
    return render(
        request,
        "surveys/answer.html",
        {"invitation": invitation, "instrument": instrument, "about": invitation.subject, "form": form},
    )


@public
def thanks(request):
    return render(request, "surveys/thanks.html")


@coordinator_required
def quote_queue(request):
    state = request.GET.get("state")
    state = state if state in Quote.State.values else Quote.State.WAITING
    quotes = Quote.objects.filter(state=state).select_related("reviewed_by").prefetch_related("subject")
    page = Paginator(quotes, QUOTES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/quote_queue.html",
        {"page": page, "state": state, "states": Quote.State.choices, "query": f"state={state}"},
    )


@coordinator_required
@require_POST
def quote_review(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    form = QuoteReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.review_quote(quote, approve=approve, by=request.user)
        except SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                "Approved: the quote can be shown publicly." if approve else "Declined: it stays private.",
            )
    return redirect(f"{reverse('surveys:quote-queue')}?state={Quote.State.WAITING}")
