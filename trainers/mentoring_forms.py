"""Validation only, for mentoring offers, pairings and meeting notes."""

from __future__ import annotations

from django import forms

from institutes.models import Module
from trainers.models import Certification, MentorOffer


class OfferForm(forms.ModelForm):
    module = forms.ModelChoiceField(queryset=Module.objects.none(), label="Module")
    capacity = forms.IntegerField(label="How many mentees at a time", min_value=1, max_value=6, initial=2)

    class Meta:
        model = MentorOffer
        fields = ["module", "region", "capacity", "note", "is_open"]

    def __init__(self, *args, trainer, **kwargs):
        super().__init__(*args, **kwargs)
        certified = Certification.objects.active().filter(participant=trainer).values("module")
        self.fields["module"].queryset = Module.objects.filter(pk__in=certified)


class MeetingForm(forms.Form):
    met_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="What you talked about, what comes next.",
    )


class PairForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    offer = forms.IntegerField(label="Mentor")


class EndPairingForm(forms.Form):
    mentorship = forms.IntegerField(widget=forms.HiddenInput)
