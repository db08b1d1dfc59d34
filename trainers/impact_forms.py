"""Forms of the reach and impact pages and of awards and impact stories (validation only)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from institutes.models import Institute
from portal.models import User
from trainers.forms import DATE, _FilterForm
from trainers.impact import Filters
from trainers.models import Certification, Recognition

QUARTERS_SHOWN = 12


def quarter_range(key: str) -> tuple[date, date]:
    """ "2026-Q2" -> (April 1, June 30, 2026)."""
    year, quarter = int(key[:4]), int(key[-1])
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def recent_quarters(today: date, count: int = QUARTERS_SHOWN) -> list[str]:
    """This quarter and the ones before it, newest first, as "2026-Q1"."""
    index = today.year * 4 + (today.month - 1) // 3
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index, index - count, -1)]


class ImpactFilterForm(_FilterForm):
    institute = forms.ModelChoiceField(
        label="Institute cohort",
        queryset=Institute.objects.only("title").order_by("title"),
        required=False,
        empty_label="Every institute",
    )
    quarter = forms.ChoiceField(required=False)
    date_from = forms.DateField(label="From", widget=DATE, required=False)
    date_to = forms.DateField(label="Until", widget=DATE, required=False)

    field_order = ["module", "institute", "region", "agency", "quarter", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].label = "Trainer's agency"
        quarters = recent_quarters(timezone.localdate())
        self.fields["quarter"].choices = [("", "Any quarter"), *((q, q.replace("-", " ")) for q in quarters)]

    def clean(self):
        data = super().clean()
        if data.get("quarter") and (data.get("date_from") or data.get("date_to")):
            self.add_error("quarter", "Choose a quarter or a date range, not both.")
        elif data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range can't be before its start.")
        return data

    def filters(self) -> Filters:
        """The chosen filters (none while the form has errors)."""
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if data.get("quarter"):
            date_from, date_to = quarter_range(data["quarter"])
        return Filters(
            module_id=data["module"].pk if data.get("module") else None,
            institute_id=data["institute"].pk if data.get("institute") else None,
            region=data.get("region") or "",
            agency=(data.get("agency") or "").strip(),
            date_from=date_from,
            date_to=date_to,
        )


class RecognitionForm(forms.ModelForm):
    class Meta:
        model = Recognition
        fields = ["kind", "title", "text", "awarded_on"]
        labels = {"kind": "What is it?", "text": "The story, or what the award is for", "awarded_on": "Date"}
        help_texts = {"title": 'For example: "Paraprofessional of the Year 2026".'}
        widgets = {"text": forms.Textarea(attrs={"rows": 5}), "awarded_on": DATE}

    def clean_awarded_on(self):
        awarded_on = self.cleaned_data["awarded_on"]
        if awarded_on > timezone.localdate():
            raise forms.ValidationError("The date can't be in the future.")
        return awarded_on


class CoordinatorRecognitionForm(RecognitionForm):
    """A coordinator records an award or a story on any certified trainer's profile."""

    trainer_email = forms.EmailField(
        label="Trainer's e-mail address", help_text="The address the trainer signs in with."
    )

    field_order = ["trainer_email", "kind", "title", "text", "awarded_on"]

    def clean_trainer_email(self):
        email = self.cleaned_data["trainer_email"].strip().lower()
        trainer = User.objects.filter(
            email__iexact=email, certifications__status=Certification.Status.ACTIVE
        ).first()
        if trainer is None:
            raise forms.ValidationError("No certified trainer signs in with this address.")
        self.trainer = trainer
        return email
