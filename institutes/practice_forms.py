"""Validation only, for practice facilitations, their scores and the module's rubric."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from institutes.models import PracticeFacilitation, Rubric, Session


class RubricForm(forms.Form):
    levels = forms.IntegerField(
        label="Number of levels",
        min_value=2,
        max_value=6,
        initial=4,
        help_text="Each criterion is scored from 1 to this.",
    )
    rule = forms.ChoiceField(
        label="How the practice result is decided", choices=Rubric.Rule.choices, widget=forms.RadioSelect
    )
    pass_level = forms.IntegerField(label="Pass level", min_value=1, max_value=6, initial=3)
    min_criteria = forms.IntegerField(
        label="How many criteria must reach it",
        min_value=1,
        required=False,
        help_text="With the second rule only.",
    )

    def clean(self):
        data = super().clean()
        levels, pass_level = data.get("levels"), data.get("pass_level")
        if levels and pass_level and pass_level > levels:
            self.add_error("pass_level", f"The pass level is one of the levels: from 1 to {levels}.")
        if data.get("rule") == Rubric.Rule.AT_LEAST and not data.get("min_criteria"):
            self.add_error("min_criteria", "Say how many criteria must reach the pass level.")
        return data


class CriterionForm(forms.Form):
    title = forms.CharField(label="Criterion", max_length=150)
    level_descriptions = forms.CharField(
        label="What each level looks like",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text="One line per level, from level 1 up.",
    )

    def clean_level_descriptions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["level_descriptions"].splitlines() if line.strip()]


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True, max_num=12, absolute_max=12)


class FacilitationForm(forms.Form):
    topic = forms.CharField(label="Topic", max_length=200, help_text="What the participant facilitated.")
    session = forms.ModelChoiceField(
        label="Session", queryset=Session.objects.none(), required=False, empty_label="Not during a session"
    )
    given_on = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When not during a session.",
    )

    def __init__(self, *args, institute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(institute=institute)
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.date:%B} {s.date.day}, {s.date.year}" + (f": {s.title}" if s.title else "")
        )

    def clean(self):
        data = super().clean()
        if not data.get("session") and not data.get("given_on") and not self.has_error("given_on"):
            self.add_error("given_on", "Choose a session or give the date.")
        given_on = data.get("given_on")
        if given_on and given_on > timezone.localdate():
            self.add_error("given_on", "A practice facilitation is added once it has been given, not ahead.")
        return data


class ScoreForm(forms.Form):
    """A level for each of the rubric's criteria, and written feedback."""

    comments = forms.CharField(
        label="Your feedback", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )

    def __init__(self, *args, facilitation: PracticeFacilitation, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        top = facilitation.rubric.levels
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                coerce=int,
                choices=[(n, f"{n}: {text}") for n, text in criterion.levels],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Give a score for “{criterion.title}”.",
                    "invalid_choice": f"Score “{criterion.title}” from 1 to {top}; %(value)s is out of range.",
                },
            )
        self.order_fields([*(f"c{c.pk}" for c in criteria), "comments"])

    def levels(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}
