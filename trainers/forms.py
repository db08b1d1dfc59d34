from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from institutes.models import Module
from portal.forms import BootstrapFormMixin, ColumnChoiceField
from portal.models import Agency, User
from portal.uploads import validate_upload
from trainers.models import Certification, CommitmentState, FacilitationReport, Honorarium, TrainerProfile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Certificate codes are URL-safe base64 (trainers.models.new_code).
CODE_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code or hours record code",
        max_length=60,
        help_text="The code printed on the certificate or the record of hours, for example Xk3v9Q_2aBcD7eFgH1iJ.",
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_ALPHABET.fullmatch(code):
            raise forms.ValidationError(
                "A code has only letters, digits, dashes (-) and underscores (_). "
                "Please check it against the certificate or record."
            )
        return code


class BadgeForm(forms.Form):
    """A badge handed back to the verify page: pasted, or its downloaded file."""

    MAX_FILE_BYTES = 50_000

    badge = forms.CharField(
        label="Paste the badge",
        required=False,
        max_length=20_000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The whole badge as downloaded: one long line that starts with eyJ.",
    )
    badge_file = forms.FileField(
        label="Or choose the badge file",
        required=False,
        help_text="The .jwt file downloaded from the certificate page.",
    )

    def clean_badge_file(self):
        upload = self.cleaned_data.get("badge_file")
        if not upload:
            return ""
        if upload.size > self.MAX_FILE_BYTES:
            raise forms.ValidationError("This file is far larger than a badge. Please choose the .jwt file.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This file is not a badge: a badge file is plain text. Please choose the .jwt file."
            ) from None

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("badge") and not cleaned.get("badge_file"):
            raise forms.ValidationError("Paste the badge, or choose its file, to check it.")
        return cleaned

    @property
    def text(self) -> str:
        return self.cleaned_data.get("badge_file") or self.cleaned_data.get("badge") or ""


class RenewForm(forms.Form):
    note = forms.CharField(
        label="Note for the record (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: facilitated two trainings this year; refresher completed.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revoking", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def certified_trainers():
    return User.objects.filter(certifications__status=Certification.Status.ACTIVE).distinct().order_by("name")


class ReportForm(forms.ModelForm):
    class Meta:
        model = FacilitationReport
        fields = [
            "module",
            "starts_on",
            "ends_on",
            "hours",
            "host_kind",
            "host_agency",
            "audience",
            "participants_count",
            "co_facilitators",
            "agenda",
            "sign_in_sheet",
            "reflection",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "host_kind": forms.RadioSelect,
            # A long list: static/js/portal.js adds a box to find a colleague by name.
            "co_facilitators": forms.CheckboxSelectMultiple(attrs={"data-filterable": "co-facilitators"}),
            "reflection": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "host_agency": "Host agency",
            "co_facilitators": "Co-facilitators",
            "agenda": "Agenda",
            "sign_in_sheet": "Sign-in sheet",
        }
        help_texts = {
            "ends_on": "Leave empty for a one-day training.",
            "host_agency": "The agency that hosted the training. For your own agency you can leave this empty.",
            "co_facilitators": "Other certified trainers who facilitated with you (trainers of your modules). Tick each one.",
            "agenda": "PDF, Word, image or text file.",
            "sign_in_sheet": "PDF, image, spreadsheet or text file with the participants' names.",
        }

    # A report made from a turnkey training takes these from the training and its attendance.
    FROM_TRAINING = ("module", "starts_on", "ends_on", "hours", "participants_count")

    def __init__(self, *args, trainer: User, from_training: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer
        self.from_training = from_training
        self.instance.trainer = trainer
        self.fields["module"].queryset = Module.objects.filter(
            certifications__participant=trainer, certifications__status=Certification.Status.ACTIVE
        ).distinct()
        self.fields["host_agency"].queryset = Agency.objects.active()
        self.fields["host_agency"].required = False
        # A clear required choice: no "---------" option to be ticked by default.
        self.fields["host_kind"].choices = FacilitationReport.HostKind.choices
        self.fields["co_facilitators"].queryset = (
            certified_trainers()
            .filter(certifications__module__in=self.fields["module"].queryset)
            .exclude(pk=trainer.pk)
        )
        self.fields["co_facilitators"].required = False
        if from_training:
            for name in self.FROM_TRAINING:
                self.fields[name].disabled = True
                self.fields[name].help_text = "From the training and its attendance."
            for name in ("agenda", "sign_in_sheet"):
                self.fields[name].help_text = "Optional: the attendance taken in the portal is the evidence."
        else:  # a training held outside the portal: the paper is the evidence
            self.fields["agenda"].required = True
            self.fields["sign_in_sheet"].required = True

    def _clean_file(self, name):
        upload = self.cleaned_data.get(name)
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_upload(upload)
        return upload

    def clean_agenda(self):
        return self._clean_file("agenda")

    def clean_sign_in_sheet(self):
        return self._clean_file("sign_in_sheet")

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on > timezone.localdate():
            raise forms.ValidationError(
                "Report a training once it has taken place: this date is in the future."
            )
        return starts_on

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day can't be before the first day.")
        kind = data.get("host_kind")
        if kind == FacilitationReport.HostKind.OWN_AGENCY and not data.get("host_agency"):
            if self.trainer.agency_id:
                data["host_agency"] = self.trainer.agency
                self.instance.host_agency = self.trainer.agency
        elif kind == FacilitationReport.HostKind.OTHER_AGENCY and not data.get("host_agency"):
            self.add_error("host_agency", "Choose the agency that hosted the training.")
        return data


class VerifyReportForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the trainer (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnReportForm(forms.Form):
    comment = forms.CharField(
        label="What should the trainer change?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectHonorariumForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PayHonorariumForm(forms.Form):
    reference = forms.CharField(
        label="Payment reference", max_length=100, help_text="Check or transfer number."
    )
    paid_on = forms.DateField(label="Paid on", widget=DATE, initial=timezone.localdate)

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("The payment date can't be in the future.")
        return paid_on


class ExportForm(forms.Form):
    date_from = forms.DateField(label="Approved from", widget=DATE)
    date_to = forms.DateField(label="Approved until", widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range can't be before its start.")
        return data


def _regions():
    regions = Agency.objects.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    return [("", "Any region"), *((r, r) for r in regions)]


class _FilterForm(BootstrapFormMixin, forms.Form):
    module = ColumnChoiceField(
        queryset=Module.objects.all(), label_field="title", required=False, empty_label="Any module"
    )
    region = forms.ChoiceField(required=False)
    # A name search, not a <select> of every agency in the state (2,000 options on every page).
    agency = forms.CharField(label="Agency name", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()


class CommitmentFilterForm(_FilterForm):
    state = forms.ChoiceField(choices=[("", "Any state"), *CommitmentState.choices], required=False)

    field_order = ["state", "module", "region", "agency"]


class DirectoryFilterForm(_FilterForm):
    pass


class HonorariaFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any state"), *Honorarium.Status.choices], required=False)


class ListingForm(forms.ModelForm):
    class Meta:
        model = TrainerProfile
        fields = ["listed", "show_email", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
