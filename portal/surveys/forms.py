"""The answer form, built from an instrument's questions (validation only)."""

from __future__ import annotations

from django import forms

from portal.forms import BootstrapFormMixin
from portal.surveys.models import Question
from portal.surveys.services import QUOTE_CONSENT_FIELD

TEXT_LIMIT = 4000


def _field(question: Question) -> forms.Field:
    common = {"label": question.prompt, "required": question.required, "help_text": question.help_text}
    if question.kind == Question.Kind.LIKERT:
        return forms.TypedChoiceField(
            choices=[(value, f"{value}: {label}") for value, label in Question.LIKERT_LABELS.items()],
            coerce=int,
            widget=forms.RadioSelect(attrs={"data-likert": True}),
            error_messages={"required": "Choose one of the five answers."},
            **common,
        )
    if question.kind == Question.Kind.SINGLE:
        return forms.ChoiceField(
            choices=[(c, c) for c in question.choices],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose one answer."},
            **common,
        )
    if question.kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choices],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose at least one answer."},
            **common,
        )
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        error_messages={
            "required": "Please write a few words here.",
            "max_length": f"Please keep this under {TEXT_LIMIT:,} characters (you wrote %(show_value)s).",
        },
        **common,
    )


class AnswerForm(BootstrapFormMixin, forms.Form):
    """The questions of one instrument: build it with ``answer_form(questions)``."""


def answer_form(questions: list[Question]) -> type[AnswerForm]:
    """A form class with one field per question (named ``question.field_name``), and the quote
    consent under the quotable question; ``services.answer`` takes its cleaned_data."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        fields[question.field_name] = _field(question)
        if question.quotable:
            fields[QUOTE_CONSENT_FIELD] = forms.BooleanField(
                required=False,
                label="You may quote my answer above on the portal's public pages, without my name.",
                help_text="A coordinator reads each comment before it is shown.",
            )
    return type("InstrumentAnswerForm", (AnswerForm,), fields)


class QuoteReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
