"""Forms of the public registration pages: register, register in one click, find a training."""

from __future__ import annotations

from django import forms

from institutes.models import Module
from portal.forms import AgencyChoiceField, BootstrapFormMixin
from portal.models import Agency
from trainers.models import Registration, TurnkeyTraining

ROLE_CHOICES = [("", "Choose your role"), *Registration.Role.choices]


class RegistrationForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label="Your name", max_length=150, error_messages={"required": "Tell us your name."}
    )
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        error_messages={"required": "We need your e-mail address to send your confirmation."},
        help_text="We send your confirmation, a calendar file and a link to cancel here.",
    )
    agency = AgencyChoiceField(
        queryset=Agency.objects.active(),
        required=False,
        empty_label="Choose your agency",
        label="Your agency",
        help_text="From the list of agencies. Not in the list? Leave this and write its name below.",
    )
    other_agency = forms.CharField(
        label="Your agency, if it is not in the list", max_length=200, required=False
    )
    role = forms.ChoiceField(
        label="Your role", choices=ROLE_CHOICES, error_messages={"required": "Choose your role."}
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if (
            "agency" not in self.errors
            and not data.get("agency")
            and not data.get("other_agency", "").strip()
        ):
            self.add_error("agency", "Choose your agency from the list, or write its name in the box below.")
        return data


class QuickRegistrationForm(BootstrapFormMixin, forms.Form):
    """A signed-in educator's one click: name, e-mail and agency come from their profile."""

    role = forms.ChoiceField(label="Your role", choices=Registration.Role.choices)


class FindTrainingsForm(BootstrapFormMixin, forms.Form):
    module = forms.ModelChoiceField(queryset=Module.objects.none(), required=False, empty_label="Any module")
    region = forms.ChoiceField(required=False)
    format = forms.ChoiceField(
        label="In person or online",
        required=False,
        choices=[("", "Either"), *TurnkeyTraining.Format.choices],
    )
    starting = forms.DateField(
        label="Starting from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, modules, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["region"].choices = [("", "Any region"), *((r, r) for r in regions)]
