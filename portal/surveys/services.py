"""The survey engine's API: invite people, take their answers once, and read the results.

Other apps call only these functions (and the querysets on the models):

    invite(key, subject, *, email, name, person=None, purpose, send_after=None, links=())
        One invitation per (purpose, subject, e-mail), safe to call twice or at once from two
        processes; its e-mail goes through the ledger now, or from the daily scan once
        ``send_after`` has passed.
    answer(token, cleaned_data) -> Response
        Stores one response per invitation under a row lock; a used, expired or unknown link
        raises AlreadyAnswered, LinkExpired or LinkNotValid (all SurveyError).
    summarize(responses) -> list[QuestionSummary]
        Per question: how many answered, the mean and distribution of a 1-5 scale, the counts of
        each choice, the comments. Four queries, whatever the number of answers.
        templates/surveys/_summary.html shows them, each with its chart and data table.
    means_by_subject(responses) -> MeansTable
        Per subject (session, training): the number of responses and each scale's mean.
    group_by_subject(responses) -> dict[subject id, list[Response]]
    fold(groups, minimum=5) -> Folded
        Groups with fewer than ``minimum`` answers are folded together into one group; a fold
        still under ``minimum`` is withheld. A trainer's results, by training:
            by_training = group_by_subject(Response.objects.about(their_trainings))
            folded = fold({labels[pk]: items for pk, items in by_training.items()})
            for group in folded.shown: summarize(group.items)
    register_quote_subjects(topic, subjects) / approved_quotes(topic, obj)
        Approved quotes about everything an app says belongs to ``obj`` (a module's institutes,
        sessions, turnkey trainings ...).

Who sees what: unfolded results (every group, however small, and every comment) are for
coordinators, an institute's own coordinator and the state office. Anyone else who is shown
results, a trainer looking at their own trainings above all, sees them through ``fold``: from
five answers up, never a group that could point at one person. The access rule itself lives in
the calling app's permissions.py; this engine knows no institute, training or trainer.

Anonymous instruments keep no link from a response to a person or an invitation, and their
response and invitation are both stamped with the day only, not the minute, so the two cannot
be matched up by their times.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone

from portal import reminders, states
from portal.emails import BatchResult, Message, absolute_url, queue_email
from portal.surveys.models import (
    Answer,
    Instrument,
    Invitation,
    Question,
    Quote,
    Response,
    SurveyError,
)

INVITATION_KIND = "survey.invitation"
MINIMUM_GROUP = 5
FOLDED_LABEL = "Other groups, folded together"
QUOTE_CONSENT_FIELD = "quote_consent"


class LinkNotValid(SurveyError):
    pass


class LinkExpired(SurveyError):
    pass


class AlreadyAnswered(SurveyError):
    pass


# --- Instruments ---------------------------------------------------------------------------


def latest_instrument(key: str) -> Instrument:
    """The newest published version of ``key``: the one new invitations use."""
    instrument = Instrument.objects.filter(key=key, published_at__isnull=False).order_by("-version").first()
    if instrument is None:
        raise SurveyError(f"No published instrument {key!r}.")
    return instrument


def new_version(instrument: Instrument, *, by=None) -> Instrument:
    """A draft copy of ``instrument`` (questions and all) as the key's next version, unpublished."""
    with transaction.atomic():
        newest = Instrument.objects.select_for_update().filter(key=instrument.key).order_by("-version")
        version = newest.values_list("version", flat=True).first() + 1
        copy = Instrument.objects.create(
            key=instrument.key,
            version=version,
            title=instrument.title,
            intro=instrument.intro,
            anonymous=instrument.anonymous,
            valid_days=instrument.valid_days,
        )
        Question.objects.bulk_create(
            Question(
                instrument=copy,
                position=q.position,
                kind=q.kind,
                prompt=q.prompt,
                help_text=q.help_text,
                choices=q.choices,
                required=q.required,
                quotable=q.quotable,
            )
            for q in instrument.questions.all()
        )
        states.record(copy, action="version:started", by=by, note=f"Copied from version {instrument.version}")
    return copy


def publish(instrument: Instrument, *, by=None) -> bool:
    """Publish ``instrument``: new invitations use the newest published version of its key.
    False if it was published already."""
    if instrument.published_at is not None:
        return False
    if not instrument.questions.exists():
        raise SurveyError("Add at least one question before publishing.")
    Instrument.objects.filter(pk=instrument.pk).update(published_at=timezone.now())
    states.record(instrument, action="version:published", by=by)
    return True


# --- Invitations ---------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _day(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Invitee:
    """Someone a daily scan asks to evaluate one of ``subjects`` (by its id)."""

    subject_id: int
    email: str
    name: str
    person: Any = None
    links: tuple[tuple[str, str], ...] = ()


def invite_batch(
    key: str, subjects: Mapping[int, models.Model], invitees: Sequence[Invitee], *, dry_run: bool = False
) -> BatchResult:
    """Invite each of a scan's batch once, under purpose ``key``: one query finds who was asked
    before (counted, not asked again); the rest are invited, or only listed on a dry run."""
    result = BatchResult()
    if not invitees:
        return result
    model = next(iter(subjects.values()))._meta.model
    invited = set(
        Invitation.objects.about(model.objects.filter(pk__in={i.subject_id for i in invitees}))
        .filter(purpose=key)
        .values_list("object_id", "email")
    )
    for invitee in invitees:
        if (invitee.subject_id, invitee.email.strip().lower()) in invited:
            result.already_recorded += 1
        elif dry_run:
            result.would_queue.append(
                Message(to=invitee.email, kind=INVITATION_KIND, template="", milestone=key)
            )
        else:
            invite(
                key,
                subjects[invitee.subject_id],
                email=invitee.email,
                name=invitee.name,
                person=invitee.person,
                purpose=key,
                links=invitee.links,
            )
            result.queued += 1
    return result


def invite(
    key: str,
    subject: models.Model,
    *,
    email: str,
    name: str,
    person=None,
    purpose: str,
    send_after: datetime | None = None,
    links: Iterable[tuple[str, str]] = (),
) -> Invitation:
    """Ask ``email`` to answer the newest published ``key`` about ``subject``, once per ``purpose``.

    Returns the invitation (the one recorded before, if any). The e-mail is queued through the
    ledger now, or by the daily scan once ``send_after`` has passed. ``links`` are (label, url)
    pairs shown with the survey, such as the person's implementation plan.
    """
    email = email.strip().lower()
    content_type = ContentType.objects.get_for_model(subject)
    lookup = {"purpose": purpose, "content_type": content_type, "object_id": subject.pk, "email": email}
    invitation = Invitation.objects.filter(**lookup).first()
    if invitation is None:
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    **lookup,
                    instrument=latest_instrument(key),
                    name=name[:150],
                    person=person,
                    send_after=send_after,
                    links=[[str(label), str(url)] for label, url in links],
                )
        except IntegrityError:  # a concurrent call recorded it first
            invitation = Invitation.objects.get(**lookup)
    if invitation.sent_at is None and (send_after is None or send_after <= timezone.now()):
        send_invitation(invitation)
    return invitation


def answer_url(token: str) -> str:
    return absolute_url(reverse("surveys:answer", kwargs={"token": token}))


def send_invitation(invitation: Invitation, *, now: datetime | None = None) -> bool:
    """Mint the one-use link and queue the e-mail, once; False if it was sent before."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = states.lock(invitation, "instrument")
        if locked.sent_at is not None:
            return False
        token = secrets.token_urlsafe(32)
        instrument = locked.instrument
        for target in (locked, invitation):  # the caller's copy tells the truth too
            target.token_hash = _hash(token)
            target.sent_at = now
            target.expires_at = now + timedelta(days=instrument.valid_days)
        locked.save(update_fields=["token_hash", "sent_at", "expires_at"])
        invitation = locked
        about = str(invitation.subject)
        queue_email(
            to=invitation.email,
            kind=INVITATION_KIND,
            template="emails/survey_invitation",
            subject=f"A few questions about {about}",
            context={
                "name": invitation.name,
                "about": about,
                "instrument": instrument,
                "question_count": instrument.questions.count(),
                "survey_url": answer_url(token),
                "expires_on": reminders.long_date(timezone.localdate(invitation.expires_at)),
                "links": invitation.links,
            },
            about=invitation,
            milestone="invitation",
            user=invitation.person,
        )
    return True


def send_due_invitations(*, now: datetime | None = None, size: int | None = None) -> int:
    """Send every invitation whose ``send_after`` has passed (the daily scan); safe to run twice."""
    now = now or timezone.now()
    due = Invitation.objects.filter(sent_at__isnull=True, send_after__lte=now)
    sent = 0
    for batch in reminders.keyset_batches(due, reminders.batch_size(size)):
        sent += sum(send_invitation(invitation, now=now) for invitation in batch)
    return sent


# --- Answering -----------------------------------------------------------------------------


def invitation_for(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation behind a link, with its instrument and questions, if it may still be answered."""
    invitation = (
        Invitation.objects.select_related("instrument").filter(token_hash=_hash(token)).first()
        if token
        else None
    )
    _check(invitation, now)
    return invitation


def _check(invitation: Invitation | None, now: datetime | None) -> None:
    if invitation is None:
        raise LinkNotValid("This link is not valid. Please check that you copied the whole link.")
    if invitation.answered_at is not None:
        raise AlreadyAnswered("This survey has already been answered with this link. Thank you!")
    if invitation.is_expired(now):
        raise LinkExpired("This survey has closed. Thank you for your interest.")


def _answer_for(question: Question, value: Any) -> Answer | None:
    if value in (None, "", [], ()):
        return None
    if question.kind == Question.Kind.LIKERT:
        return Answer(question=question, number=int(value))
    if question.kind == Question.Kind.SINGLE:
        return Answer(question=question, choices=[str(value)])
    if question.kind == Question.Kind.MULTIPLE:
        return Answer(question=question, choices=[str(v) for v in value])
    return Answer(question=question, text=str(value).strip())


def answer(token: str, cleaned_data: Mapping[str, Any], *, now: datetime | None = None) -> Response:
    """Store the answers given through one invitation's link, once.

    ``cleaned_data`` is the answer form's (``forms.AnswerForm``): one value per question under
    ``question.field_name``, and ``quote_consent`` for the quotable comment. The invitation row
    is locked, so a second submit, even at the same moment, raises AlreadyAnswered.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("instrument")
            .filter(token_hash=_hash(token))
            .first()
        )
        _check(invitation, now)
        instrument = invitation.instrument
        stamp = _day(now) if instrument.anonymous else now
        response = Response.objects.create(
            instrument=instrument,
            content_type_id=invitation.content_type_id,
            object_id=invitation.object_id,
            person=None if instrument.anonymous else invitation.person,
            submitted_at=stamp,
        )
        answers = []
        quotable = None
        for question in instrument.questions.all():
            row = _answer_for(question, cleaned_data.get(question.field_name))
            if row is not None:
                row.response = response
                answers.append(row)
                if question.quotable:
                    quotable = row
        Answer.objects.bulk_create(answers)
        if quotable is not None and quotable.text and cleaned_data.get(QUOTE_CONSENT_FIELD):
            Quote.objects.create(
                response=response,
                text=quotable.text,
                content_type_id=invitation.content_type_id,
                object_id=invitation.object_id,
            )
        invitation.answered_at = stamp
        invitation.save(update_fields=["answered_at"])
    return response


# --- Results -------------------------------------------------------------------------------


@dataclass
class QuestionSummary:
    prompt: str
    kind: str
    n: int = 0
    mean: float | None = None
    # (label, count) for every point of the scale or every choice, in the question's order
    distribution: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def is_likert(self) -> bool:
        return self.kind == Question.Kind.LIKERT

    @property
    def is_text(self) -> bool:
        return self.kind == Question.Kind.TEXT


def summarize(responses: models.QuerySet[Response] | Sequence[Response]) -> list[QuestionSummary]:
    """Each question's results over ``responses`` (any versions of any instruments), in four queries.

    Versions of one key ask the same questions, so questions are matched by their kind and
    prompt: a new version's results continue the old one's.
    """
    if isinstance(responses, models.QuerySet):
        responses = responses.order_by()
        instruments = responses.values("instrument")
    else:
        instruments = {r.instrument_id for r in responses}
    summaries: dict[tuple[str, str], QuestionSummary] = {}
    key_of: dict[int, tuple[str, str]] = {}  # question id -> its summary's key
    choices_of: dict[tuple[str, str], list[str]] = {}
    for question in Question.objects.filter(instrument__in=instruments).order_by(
        "position", "-instrument__version", "pk"
    ):
        key = (question.kind, question.prompt)
        summaries.setdefault(key, QuestionSummary(question.prompt, question.kind))
        choices_of.setdefault(key, question.choices)
        key_of[question.pk] = key
    answers = Answer.objects.filter(response__in=responses)

    points: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for question_id, number, n in (
        answers.filter(question__kind=Question.Kind.LIKERT, number__isnull=False)
        .values_list("question_id", "number")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        points[key_of[question_id]][number] += n
    chosen: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for question_id, picked in answers.filter(
        question__kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE]
    ).values_list("question_id", "choices"):
        key = key_of[question_id]
        summaries[key].n += 1
        chosen[key].update(picked)
    for question_id, text in (
        answers.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .order_by("-response__submitted_at", "-pk")
        .values_list("question_id", "text")
    ):
        summaries[key_of[question_id]].comments.append(text)

    for key, summary in summaries.items():
        if summary.is_likert:
            counts = points[key]
            summary.n = sum(counts.values())
            summary.distribution = [(label, counts[value]) for value, label in Question.LIKERT_LABELS.items()]
            if summary.n:
                summary.mean = round(sum(v * c for v, c in counts.items()) / summary.n, 2)
        elif summary.is_text:
            summary.n = len(summary.comments)
        else:
            labels = list(choices_of[key])
            labels += sorted(set(chosen[key]) - set(labels))  # the choices of another version
            summary.distribution = [(label, chosen[key][label]) for label in labels]
    return list(summaries.values())


def group_by_subject(responses: models.QuerySet[Response]) -> dict[int, list[Response]]:
    """The responses (one query) grouped by the id of what they are about: ready for ``fold``."""
    groups: dict[int, list[Response]] = defaultdict(list)
    for response in responses.only("pk", "instrument_id", "object_id").order_by("pk"):
        groups[response.object_id].append(response)
    return dict(groups)


@dataclass
class SubjectMeans:
    n: int  # responses about the subject
    means: dict[str, float]  # each 1-5 scale's prompt -> its mean


@dataclass
class MeansTable:
    prompts: list[str]  # the scales, in question order: a table's columns
    rows: dict[int, SubjectMeans]  # subject id -> its row


def means_by_subject(responses: models.QuerySet[Response]) -> MeansTable:
    """For each subject the responses are about (sessions, trainings), how many answered and the
    mean of each 1-5 scale: three queries, whatever the number of subjects and answers."""
    responses = responses.order_by()
    prompts = list(
        dict.fromkeys(
            Question.objects.filter(instrument__in=responses.values("instrument"), kind=Question.Kind.LIKERT)
            .order_by("position", "pk")
            .values_list("prompt", flat=True)
        )
    )
    rows = {
        object_id: SubjectMeans(n, {})
        for object_id, n in responses.values("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    }
    for object_id, prompt, mean in (
        Answer.objects.filter(
            response__in=responses, question__kind=Question.Kind.LIKERT, number__isnull=False
        )
        .values("response__object_id", "question__prompt")
        .annotate(mean=Avg("number"))
        .values_list("response__object_id", "question__prompt", "mean")
        .order_by()
    ):
        rows[object_id].means[prompt] = round(float(mean), 2)
    return MeansTable(prompts, rows)


@dataclass
class Group:
    label: str
    items: list
    folded_from: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.items)


@dataclass
class Folded:
    shown: list[Group]
    withheld: int  # answers in groups too small to show, even folded together


def fold(groups: Mapping[str, Sequence], minimum: int = MINIMUM_GROUP) -> Folded:
    """Show groups of ``minimum`` answers or more as they are; fold the smaller ones together.

    ``groups`` maps a label (a training, a region) to its answers (responses, ids, anything
    countable). The small groups become one "Other groups, folded together" group when they add
    up to ``minimum``; otherwise they are withheld, and only their number of answers is told.
    """
    shown = [Group(label, list(items)) for label, items in groups.items() if len(items) >= minimum]
    small = [(label, items) for label, items in groups.items() if 0 < len(items) < minimum]
    folded = Group(
        FOLDED_LABEL, [item for _, items in small for item in items], [label for label, _ in small]
    )
    if folded.n >= minimum:
        return Folded([*shown, folded], withheld=0)
    return Folded(shown, withheld=folded.n)


# --- Quotes --------------------------------------------------------------------------------


def review_quote(quote: Quote, *, approve: bool, by) -> None:
    """A coordinator approves a quote for public pages, or declines it (audited)."""
    target = Quote.State.APPROVED if approve else Quote.State.DECLINED
    states.move(
        quote,
        target,
        by=by,
        allowed=Quote.MOVES,
        error=SurveyError,
        status_field="state",
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )


# topic -> callables turning an object (a module, say) into querysets of the subjects it covers
_quote_subjects: dict[str, list[Callable[[Any], models.QuerySet]]] = defaultdict(list)


def register_quote_subjects(topic: str, subjects: Callable[[Any], models.QuerySet]) -> None:
    """Let quotes about ``subjects(obj)`` show among ``approved_quotes(topic, obj)``.

    Call from an AppConfig.ready(): institutes registers, for the topic "module", a module's
    institutes and their sessions; trainers adds the module's turnkey trainings. Twice is once.
    """
    if subjects not in _quote_subjects[topic]:
        _quote_subjects[topic].append(subjects)


def approved_quotes(topic: str, obj: Any, limit: int = 6) -> list[Quote]:
    """The newest approved quotes about anything registered for ``topic`` and ``obj``: one query."""
    condition = Q()
    for subjects in _quote_subjects[topic]:
        queryset = subjects(obj)
        condition |= Q(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id__in=queryset.order_by().values("pk"),
        )
    if not condition:
        return []
    return list(
        Quote.objects.filter(condition, state=Quote.State.APPROVED).only("text", "created_at")[:limit]
    )
