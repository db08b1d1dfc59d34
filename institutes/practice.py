"""Practice facilitations scored on the module's rubric, and the practice result that follows.

A participant gives one or more practice facilitations during the institute (seed 000:
"demonstrate facilitation skills in practice sessions"). Coordinators, mentors and peers score
each on the module's rubric and write feedback. The result follows the rubric's rule, over the
coordinators' and mentors' scores only: peers' scores are there to learn from, not to decide.
The practice result is passed when any of the participant's facilitations meets the rule of the
rubric it was scored on; ``refresh_result`` is the one writer of ``PracticeResult.result`` and
moves it through ``portal.states`` (audited like every other state change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone

from institutes.models import (
    Application,
    Module,
    PracticeFacilitation,
    PracticeFeedback,
    PracticeResult,
    PracticeScore,
    Rubric,
    RubricCriterion,
    Session,
)
from portal import notifications, states
from portal.emails import absolute_url, queue_email
from portal.models import NotificationPreference, User
from portal.states import DomainError

Role = PracticeFeedback.Role
FEEDBACK_KIND = "institutes.practice_feedback"


def register_email_kinds() -> None:
    notifications.register_kind(FEEDBACK_KIND, NotificationPreference.Category.TRANSACTIONAL)


class PracticeError(DomainError):
    """A practice or rubric rule said no; the message is shown as it is."""


# --- Rubrics -------------------------------------------------------------------------------------


@dataclass
class CriterionData:
    title: str
    level_descriptions: list[str]


def is_frozen(rubric: Rubric) -> bool:
    """A rubric somebody scored on no longer changes: the scores keep the meaning they were given in."""
    return PracticeFeedback.objects.filter(facilitation__rubric=rubric).exists()


def _same(rubric: Rubric, fields: dict, criteria: list[CriterionData]) -> bool:
    kept = [CriterionData(c.title, c.level_descriptions) for c in rubric.criteria.all()]
    return all(getattr(rubric, name) == value for name, value in fields.items()) and kept == criteria


def save_rubric(
    module: Module,
    *,
    levels: int,
    rule: str,
    pass_level: int,
    min_criteria: int | None,
    criteria: list[CriterionData],
    by: User,
) -> Rubric:
    """Keep the module's rubric: changed in place while nobody has scored on it, otherwise saved as
    the next version (facilitations nobody has scored yet move to it; scored ones stay)."""
    if not criteria:
        raise PracticeError("A rubric needs at least one criterion.")
    if not 2 <= levels <= 6:
        raise PracticeError("Use from 2 to 6 levels.")
    if not 1 <= pass_level <= levels:
        raise PracticeError(f"The pass level is a level of the rubric: from 1 to {levels}.")
    for criterion in criteria:
        if len(criterion.level_descriptions) != levels or not all(
            d.strip() for d in criterion.level_descriptions
        ):
            raise PracticeError(f"Describe each of the {levels} levels of “{criterion.title}”.")
    if rule == Rubric.Rule.AT_LEAST:
        if min_criteria is None or not 1 <= min_criteria <= len(criteria):
            raise PracticeError(
                f"Say how many criteria must reach the pass level: from 1 to {len(criteria)}."
            )
    elif rule == Rubric.Rule.EVERY_CRITERION:
        min_criteria = None
    else:
        raise PracticeError("Choose one of the rules.")
    with transaction.atomic():
        # One coordinator's save at a time per module, so two saves never make the same version.
        Module.objects.select_for_update().get(pk=module.pk)
        current = Rubric.objects.current_for(module)
        fields = {"levels": levels, "rule": rule, "pass_level": pass_level, "min_criteria": min_criteria}
        if current is not None and _same(current, fields, criteria):
            return current  # saving it unchanged makes no new version
        if current is not None and not is_frozen(current):
            rubric = current
            for name, value in fields.items():
                setattr(rubric, name, value)
            rubric.save()
            rubric.criteria.all().delete()
            action = "rubric:changed"
        else:
            rubric = Rubric.objects.create(
                module=module, version=(current.version + 1) if current else 1, created_by=by, **fields
            )
            if current is not None:
                PracticeFacilitation.objects.filter(rubric=current, feedback__isnull=True).update(
                    rubric=rubric
                )
            action = "rubric:created"
        RubricCriterion.objects.bulk_create(
            RubricCriterion(rubric=rubric, position=i, title=c.title, level_descriptions=c.level_descriptions)
            for i, c in enumerate(criteria)
        )
        states.record(rubric, action=action, by=by, note=f"Version {rubric.version}")
    return rubric


# --- Facilitations and scores ---------------------------------------------------------------


def add_facilitation(
    application: Application, *, topic: str, given_on: date, session: Session | None, by: User
) -> PracticeFacilitation:
    if application.status != Application.Status.ACCEPTED:
        raise PracticeError("Practice facilitations are for accepted participants only.")
    if session is not None and session.institute_id != application.institute_id:
        raise PracticeError("Choose one of this institute's sessions.")
    rubric = Rubric.objects.current_for(application.institute.module)
    if rubric is None:
        raise PracticeError(
            "The coordinator has not set a rubric for this module yet; a practice facilitation can be "
            "added once there is one."
        )
    return PracticeFacilitation.objects.create(
        application=application,
        rubric=rubric,
        session=session,
        given_on=session.date if session is not None else given_on,
        topic=topic,
        created_by=by,
    )


def score(
    facilitation: PracticeFacilitation, *, scorer: User, role: str, levels: dict[int, int], comments: str
) -> PracticeFeedback:
    """Record ``scorer``'s scores (criterion id -> level) and feedback; then the result follows.

    Every criterion gets a level from 1 to the rubric's number of levels, or nothing is saved.
    """
    if role not in Role.values:
        raise PracticeError("Only the institute's coordinators, the participant's mentor and peers score.")
    rubric = facilitation.rubric
    criteria = list(rubric.criteria.all())
    for criterion in criteria:
        level = levels.get(criterion.pk)
        if level is None:
            raise PracticeError(f"Give a score for “{criterion.title}”.")
        if not 1 <= level <= rubric.levels:
            raise PracticeError(
                f"Score “{criterion.title}” from 1 to {rubric.levels}; {level} is out of range."
            )
    with transaction.atomic():
        feedback, created = PracticeFeedback.objects.update_or_create(
            facilitation=facilitation, scorer=scorer, defaults={"role": role, "comments": comments}
        )
        feedback.scores.all().delete()
        PracticeScore.objects.bulk_create(
            PracticeScore(feedback=feedback, criterion=c, level=levels[c.pk]) for c in criteria
        )
        states.record(
            facilitation.application,
            action="practice:scored",
            by=scorer,
            note=f"{facilitation.topic} ({feedback.get_role_display().lower()})",
        )
        if role in PracticeFeedback.COUNTED:
            refresh_result(facilitation.application, by=scorer)
        if created:
            _tell_participant(feedback)
    return feedback


def _tell_participant(feedback: PracticeFeedback) -> None:
    """Once per person's feedback (a later change of their scores sends nothing more)."""
    facilitation = feedback.facilitation
    participant = facilitation.application.applicant
    queue_email(
        to=participant.email,
        kind=FEEDBACK_KIND,
        template="emails/notice",
        subject=f"Feedback on your practice facilitation: {facilitation.topic}",
        context={
            "recipient": participant,
            "lines": [
                f"{feedback.scorer.display_name} ({feedback.get_role_display().lower()}) scored your practice "
                f"facilitation “{facilitation.topic}” on the rubric and wrote you feedback.",
            ],
            "action_url": absolute_url(
                reverse("institutes:application-practice", kwargs={"pk": facilitation.application_id})
            ),
            "action_label": "Read your feedback",
        },
        about=feedback,
        user=participant,
    )


# --- The rule and the result ------------------------------------------------------------------


@dataclass
class Verdict:
    facilitation: PracticeFacilitation
    means: dict[int, Decimal]  # criterion id -> mean of the counted scores (missing: nobody counted)
    passed: bool
    scored: bool  # a coordinator or a mentor has scored it


def _round(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def verdicts(facilitations: list[PracticeFacilitation]) -> list[Verdict]:
    """Each facilitation against its rubric's rule, in two queries however many there are."""
    if not facilitations:
        return []
    ids = [f.pk for f in facilitations]
    means: dict[int, dict[int, Decimal]] = {pk: {} for pk in ids}
    for row in (
        PracticeScore.objects.filter(
            feedback__facilitation__in=ids, feedback__role__in=PracticeFeedback.COUNTED
        )
        .values("feedback__facilitation", "criterion")
        .annotate(mean=Avg("level"))
    ):
        means[row["feedback__facilitation"]][row["criterion"]] = _round(row["mean"])
    criteria_count = dict(
        RubricCriterion.objects.filter(rubric__in={f.rubric_id for f in facilitations})
        .values("rubric")
        .annotate(n=Count("pk"))
        .values_list("rubric", "n")
    )
    out = []
    for facilitation in facilitations:
        rubric = facilitation.rubric
        own = means[facilitation.pk]
        reached = sum(1 for mean in own.values() if mean >= rubric.pass_level)
        needed = (
            criteria_count.get(rubric.pk, 0)
            if rubric.rule == Rubric.Rule.EVERY_CRITERION
            else rubric.min_criteria
        )
        out.append(
            Verdict(
                facilitation=facilitation,
                means=own,
                passed=bool(own) and reached >= (needed or 0),
                scored=bool(own),
            )
        )
    return out


def refresh_result(application: Application, *, by: User | None) -> PracticeResult | None:
    """Write the participant's practice result from the rule: passed when any facilitation a
    coordinator or mentor scored meets its rubric's rule, otherwise not yet.

    Nothing is written while no coordinator or mentor has scored (a result recorded by hand before
    rubrics then stands). The change moves through portal.states, so it is in the audit trail.
    """
    facilitations = list(application.practice_facilitations.select_related("rubric"))
    judged = [v for v in verdicts(facilitations) if v.scored]
    if not judged:
        return PracticeResult.objects.filter(application=application).first()
    passing = next((v for v in judged if v.passed), None)
    target = PracticeResult.Result.PASSED if passing else PracticeResult.Result.NOT_YET
    rubric = (passing or judged[-1]).facilitation.rubric
    with transaction.atomic():
        practice, created = PracticeResult.objects.get_or_create(
            application=application,
            defaults={
                "result": PracticeResult.Result.NOT_YET,
                "basis": PracticeResult.Basis.RUBRIC,
                "rubric": rubric,
                "recorded_by": by,
            },
        )
        if created and target == PracticeResult.Result.NOT_YET:
            states.record(practice, action="status:not_yet", by=by, to_status=target, note=rubric.rule_text)
        entry = states.move(
            practice,
            target,
            by=by,
            allowed=PracticeResult.ALLOWED_MOVES,
            error=PracticeError,
            status_field="result",
            note=rubric.rule_text,
            basis=PracticeResult.Basis.RUBRIC,
            rubric=rubric,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        if entry is None and (
            practice.basis != PracticeResult.Basis.RUBRIC or practice.rubric_id != rubric.pk
        ):
            # The same result, now on the rubric's word rather than a hand-recorded one.
            practice.basis = PracticeResult.Basis.RUBRIC
            practice.rubric = rubric
            practice.save(update_fields=["basis", "rubric"])
    return practice
