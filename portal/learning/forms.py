"""Validation only: no side effects here."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from portal.forms import AgencyChoiceField
from portal.models import Agency

MAX_PERIOD_DAYS = 366 * 5


class IssueRecordForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("A record can be printed for this year or an earlier one.")
        return year


class ExportForm(forms.Form):
    agency = AgencyChoiceField(
        queryset=Agency.objects.all(),
        required=False,
        empty_label="Every agency",
        help_text="People are counted under the agency on their profile today.",
    )
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (included)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"start": datetime.date(today.year, 1, 1), "end": today})
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The period ends before it starts: choose a later end date.")
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("end", "Choose a period of five years at most.")
        return cleaned
