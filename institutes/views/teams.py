"""Team applications: starting a team, inviting colleagues, answering an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from institutes import permissions, services
from institutes.forms import InviteForm, StartTeamForm
from institutes.models import Team, TeamInvitation
from institutes.views._common import _visible_institute
from portal.access import login_required


@login_required
@require_POST
def team_start(request, slug):
    institute = _visible_institute(request, slug)
    if not permissions.can_start_team(request.user, institute):
        raise PermissionDenied
    form = StartTeamForm(request.POST)
    if form.is_valid():
        try:
            services.start_team(institute=institute, lead=request.user, agency=form.cleaned_data["agency"])
            messages.success(request, "Your team is started. Invite your colleagues below.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Choose your LEA from the list to start a team.")
    return redirect("institutes:apply", slug=institute.slug)


@login_required
@require_POST
def team_invite(request, pk):
    team = get_object_or_404(Team.objects.select_related("institute"), pk=pk)
    if not permissions.can_invite_to_team(request.user, team):
        raise Http404
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_to_team(team, email=form.cleaned_data["email"], by=request.user)
            messages.success(request, f"We have invited {form.cleaned_data['email']}.")
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Enter a valid e-mail address to invite a colleague.")
    return redirect("institutes:apply", slug=team.institute.slug)


@login_required
def team_invitation(request, token):
    invitation = get_object_or_404(
        TeamInvitation.objects.select_related("team__institute", "team__agency", "team__lead"), token=token
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "decline":
                services.decline_invitation(invitation, user=request.user)
                messages.success(request, "You have declined the invitation.")
                return redirect("dashboard")
            services.accept_invitation(invitation, user=request.user)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("institutes:team-invitation", token=token)
        messages.success(request, "You are on the team. Complete your part of the application below.")
        return redirect("institutes:apply", slug=invitation.team.institute.slug)
    return render(
        request,
        "institutes/team_invitation.html",
        {"invitation": invitation, "matches": request.user.email.lower() == invitation.email.lower()},
    )
