"""The surveys' part of the demo world: the default instruments (the data migration's, in case a
database was emptied since). The apps add answers about their own institutes and trainings with
``past_responses``."""

from __future__ import annotations

from datetime import datetime

from portal.surveys.defaults import create_defaults
from portal.surveys.models import Answer, Instrument, Question, Response

SCALE = (3, 4, 5, 5, 4, 4, 5)


def seed(stdout=None) -> None:
    create_defaults(Instrument, Question)
    if stdout:
        stdout.write(f"Survey instruments: {Instrument.objects.count()}")


def past_responses(
    instrument: Instrument,
    subject,
    *,
    count: int,
    submitted_at: datetime,
    comments: list[str],
    changes: list[str],
) -> list[tuple[Response, str]]:
    """``count`` answers to ``instrument`` about ``subject``, given at ``submitted_at``: mostly
    agreeing, the comments taken in turn ("" for none). Written directly: the invitations that led
    to them were never part of the demo. Returns each response with its quotable comment."""
    questions = list(instrument.questions.all())
    written = []
    for n in range(count):
        response = Response.objects.create(instrument=instrument, subject=subject, submitted_at=submitted_at)
        answers, quotable = [], ""
        for q in questions:
            if q.kind == Question.Kind.LIKERT:
                answers.append(Answer(response=response, question=q, number=SCALE[(n + q.position) % 7]))
            elif q.kind == Question.Kind.SINGLE:  # mostly the second choice ("About right")
                answers.append(
                    Answer(response=response, question=q, choices=[q.choices[0 if n % 4 == 0 else 1]])
                )
            elif q.kind == Question.Kind.MULTIPLE:
                answers.append(Answer(response=response, question=q, choices=q.choices[n % 2 : n % 2 + 2]))
            else:
                texts = comments if q.quotable else changes
                text = texts[n % len(texts)]
                if text:
                    answers.append(Answer(response=response, question=q, text=text))
                    quotable = text if q.quotable else quotable
        Answer.objects.bulk_create(answers)
        written.append((response, quotable))
    return written
