"""Practice facilitations, their rubric scores and feedback, and the module's rubric."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from institutes import permissions
from institutes import practice as services
from institutes.models import (
    Application,
    Module,
    PracticeFacilitation,
    PracticeFeedback,
    PracticeResult,
    PracticeScore,
    Rubric,
)
from institutes.practice_forms import CriterionFormSet, FacilitationForm, RubricForm, ScoreForm
from institutes.views._common import _page, _visible_institute
from portal import states
from portal.access import login_required
from portal.pictures import bar_step


def _feedback(queryset):
    return queryset.select_related("scorer").prefetch_related(
        Prefetch(
            "scores",
            queryset=PracticeScore.objects.select_related("criterion").order_by("criterion__position"),
        )
    )


def _score_rows(feedback: PracticeFeedback, levels: int) -> list[dict]:
    return [
        {"criterion": s.criterion.title, "level": s.level, "step": bar_step(s.level, levels)}
        for s in feedback.scores.all()
    ]


@login_required
def institute_practice(request, slug):
    """The cohort's practice facilitations: the coordinator's overview, and where peers find the
    ones they may score."""
    institute = _visible_institute(request, slug)
    if not permissions.can_view_institute_practice(request.user, institute):
        raise PermissionDenied
    facilitations = (
        PracticeFacilitation.objects.filter(application__institute=institute, application__status="accepted")
        .select_related("application__applicant")
        .annotate(feedback_count=Count("feedback"))
        .order_by("-given_on", "-pk")
    )
    mine = set(
        PracticeFeedback.objects.filter(facilitation__in=facilitations, scorer=request.user).values_list(
            "facilitation", flat=True
        )
    )
    return render(
        request,
        "institutes/practice/institute.html",
        {
            "institute": institute,
            "page": _page(request, facilitations),
            "mine": mine,
            "is_reviewer": permissions.is_institute_coordinator(request.user, institute),
            "rubric": Rubric.objects.current_for(institute.module),
        },
    )


@login_required
def application_practice(request, pk):
    """A participant's practice: each facilitation, its scores and feedback, and the result."""
    application = get_object_or_404(
        Application.objects.select_related("applicant", "institute__module"), pk=pk
    )
    if not permissions.can_view_practice(request.user, application):
        raise Http404
    institute = application.institute
    can_add = permissions.can_add_practice_facilitation(request.user, application)
    form = FacilitationForm(request.POST or None, institute=institute) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                facilitation = services.add_facilitation(
                    application,
                    topic=form.cleaned_data["topic"],
                    given_on=form.cleaned_data["given_on"],
                    session=form.cleaned_data["session"],
                    by=request.user,
                )
            except services.PracticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Practice facilitation added: {facilitation.topic}.")
                return redirect("institutes:application-practice", pk=application.pk)
    facilitations = list(
        application.practice_facilitations.select_related("rubric", "session").prefetch_related(
            Prefetch("feedback", queryset=_feedback(PracticeFeedback.objects.order_by("created_at"))),
            "rubric__criteria",
        )
    )
    blocks = []
    for verdict in services.verdicts(facilitations):
        facilitation = verdict.facilitation
        levels = facilitation.rubric.levels
        blocks.append(
            {
                "facilitation": facilitation,
                "verdict": verdict,
                "means": [
                    {
                        "criterion": c.title,
                        "mean": verdict.means.get(c.pk),
                        "step": bar_step(float(verdict.means.get(c.pk) or 0), levels),
                    }
                    for c in facilitation.rubric.criteria.all()
                ],
                "feedback": [(f, _score_rows(f, levels)) for f in facilitation.feedback.all()],
            }
        )
    practice = PracticeResult.objects.filter(application=application).select_related("rubric").first()
    return render(
        request,
        "institutes/practice/application.html",
        {
            "application": application,
            "institute": institute,
            "participant": application.applicant,
            "is_applicant": application.applicant_id == request.user.pk,
            "is_reviewer": permissions.is_institute_coordinator(request.user, institute),
            "practice": practice,
            "history": [
                (entry.at, PracticeResult.Result(entry.to_status).label, entry.actor)
                for entry in (states.history(practice) if practice else [])
                if entry.to_status in PracticeResult.Result.values
            ],
            "blocks": blocks,
            "form": form,
            "rubric": Rubric.objects.current_for(institute.module),
        },
    )


@login_required
def practice_detail(request, pk):
    """One practice facilitation: the rubric, the scores the reader may see, and their own form."""
    facilitation = get_object_or_404(
        PracticeFacilitation.objects.select_related(
            "application__applicant", "application__institute__module", "rubric", "session"
        ),
        pk=pk,
    )
    user = request.user
    if not permissions.can_view_practice_facilitation(user, facilitation):
        raise Http404
    role = permissions.practice_role(user, facilitation)
    criteria = list(facilitation.rubric.criteria.all())
    own = facilitation.feedback.filter(scorer=user).prefetch_related("scores").first()
    form = None
    if role is not None:
        initial = {"comments": own.comments} if own else {}
        if own:
            initial.update({f"c{s.criterion_id}": s.level for s in own.scores.all()})
        form = ScoreForm(request.POST or None, facilitation=facilitation, criteria=criteria, initial=initial)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.score(
                    facilitation,
                    scorer=user,
                    role=role,
                    levels=form.levels(),
                    comments=form.cleaned_data["comments"],
                )
            except services.PracticeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Your scores and feedback for {facilitation.application.applicant.display_name} are saved.",
                )
                return redirect("institutes:practice-detail", pk=facilitation.pk)
    reads_all = permissions.can_read_all_feedback(user, facilitation)
    feedback = _feedback(
        facilitation.feedback.all() if reads_all else facilitation.feedback.filter(scorer=user)
    )
    levels = facilitation.rubric.levels
    return render(
        request,
        "institutes/practice/detail.html",
        {
            "facilitation": facilitation,
            "application": facilitation.application,
            "institute": facilitation.application.institute,
            "rubric": facilitation.rubric,
            "criteria": criteria,
            "role": role and PracticeFeedback.Role(role).label,
            "form": form,
            "reads_all": reads_all,
            "feedback": [(f, _score_rows(f, levels)) for f in feedback],
        },
    )


@login_required
def rubric(request, slug):
    """The module's rubric, kept by its coordinators; frozen once scored on (a change then makes a
    new version)."""
    module = get_object_or_404(Module, slug=slug)
    if not permissions.can_keep_rubric(request.user, module):
        raise PermissionDenied
    current = Rubric.objects.current_for(module)
    if current is not None:
        initial = {
            "levels": current.levels,
            "rule": current.rule,
            "pass_level": current.pass_level,
            "min_criteria": current.min_criteria,
        }
        criteria_initial = [
            {"title": c.title, "level_descriptions": "\n".join(c.level_descriptions)}
            for c in current.criteria.all()
        ]
    else:
        initial = {"levels": 4, "rule": Rubric.Rule.EVERY_CRITERION, "pass_level": 3}
        criteria_initial = []
    form = RubricForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=criteria_initial, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        criteria = [
            services.CriterionData(
                title=f.cleaned_data["title"], level_descriptions=f.cleaned_data["level_descriptions"]
            )
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            saved = services.save_rubric(
                module,
                levels=form.cleaned_data["levels"],
                rule=form.cleaned_data["rule"],
                pass_level=form.cleaned_data["pass_level"],
                min_criteria=form.cleaned_data["min_criteria"],
                criteria=criteria,
                by=request.user,
            )
        except services.PracticeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"The rubric for {module.title} is saved (version {saved.version}).")
            return redirect("institutes:rubric", slug=module.slug)
    return render(
        request,
        "institutes/practice/rubric.html",
        {
            "module": module,
            "rubric": current,
            "frozen": current is not None and services.is_frozen(current),
            "form": form,
            "formset": formset,
        },
    )
