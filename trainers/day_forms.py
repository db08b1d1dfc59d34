"""Forms of the day of a turnkey training: the roster's tap, walk-ins and self check-in."""

from __future__ import annotations

from django import forms

from portal.forms import AgencyChoiceField, BootstrapFormMixin
from portal.models import Agency
from trainers.attendance import Newcomer
from trainers.models import Registration


class MarkForm(forms.Form):
    """One tap on the roster: this registrant is (or is not) present."""

    registration = forms.IntegerField(min_value=1)
    present = forms.BooleanField(required=False)


class _NewcomerForm(BootstrapFormMixin, forms.Form):
    """Who someone is, as the registration form asks it (no account needed)."""

    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="E-mail", max_length=254)
    agency = AgencyChoiceField(
        queryset=Agency.objects.active(),
        required=False,
        empty_label="Choose an agency",
        help_text="Not in the list? Leave it and type the name below.",
    )
    other_agency = forms.CharField(label="Agency (if not in the list)", max_length=200, required=False)
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Registration.Role.choices])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if self.details_required() and not data.get("agency") and not data.get("other_agency", "").strip():
            self.add_error("other_agency", "Choose an agency from the list, or type its name here.")
        return data

    def details_required(self) -> bool:
        return True

    def newcomer(self) -> Newcomer:
        data = self.cleaned_data
        return Newcomer(
            name=data.get("name", ""),
            email=data["email"],
            role=data.get("role", ""),
            agency=data.get("agency"),
            other_agency=data.get("other_agency", ""),
        )


class WalkInForm(_NewcomerForm):
    """A facilitator adds someone who came without registering."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"


class CheckInForm(_NewcomerForm):
    """Self check-in: the room's code and the e-mail one registered with; the rest only for
    someone who did not register."""

    code = forms.CharField(
        label="Check-in code",
        max_length=20,
        help_text="The six digits shown in the room.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    field_order = ["code", "email", "name", "agency", "other_agency", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "The address you registered with."
        for name in ("name", "agency", "other_agency", "role"):
            self.fields[name].required = False

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("The code has six digits, for example 042917.")
        return code

    def details_required(self) -> bool:
        """Someone who starts giving their details checks in as a walk-in: all of them, then."""
        data = self.cleaned_data
        return any(data.get(name) for name in ("name", "agency", "other_agency", "role"))

    def clean(self):
        data = super().clean()
        if self.details_required():
            if not data.get("name", "").strip():
                self.add_error("name", "Give your name to check in without a registration.")
            if not data.get("role"):
                self.add_error("role", "Choose your role to check in without a registration.")
        return data
