"""Forms for planning a turnkey training: validation only, the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from institutes.models import Module
from portal.forms import AgencyChoiceField, BootstrapFormMixin
from portal.models import Agency
from trainers.forms import DATE, _regions
from trainers.models import FacilitationReport, TurnkeyTraining
from trainers.permissions import plannable_certifications
from trainers.planning import DETAIL_FIELDS, MAX_SESSIONS, Schedule

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# The form's fieldsets, in order: what the page shows as "What", "When", "Where", "Who".
FIELDSETS = (
    ("What", ("certification", "title", "audience", "description", "agenda")),
    ("When", ("first_day", "starts", "ends", "repeat", "count")),
    ("Where", ("format", "host_kind", "host_agency", "region")),
    ("In person", ("venue", "address")),
    ("Online", ("online_link",)),
    ("Who", ("capacity",)),
)


def _from_today(day, initial):
    """A new date is today or later; a date already set may stay as it is."""
    if day < timezone.localdate() and day != initial:
        raise forms.ValidationError("Choose today or a later date.")
    return day


class CertificationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.module.title


class TrainingForm(BootstrapFormMixin, forms.ModelForm):
    """Planning a training (``training`` None) or changing one; the schedule is written as a
    first day, hours and a number of sessions, and the service turns it into sessions."""

    certification = CertificationChoiceField(
        label="Module", queryset=None, empty_label=None, help_text="A module you are certified to facilitate."
    )
    first_day = forms.DateField(label="Date of the first session", widget=DATE)
    starts = forms.TimeField(label="Starts at", widget=TIME)
    ends = forms.TimeField(label="Ends at", widget=TIME)
    count = forms.IntegerField(
        label="Number of sessions",
        min_value=1,
        max_value=MAX_SESSIONS,
        initial=1,
        help_text="For a weekly or monthly series: how many sessions in all.",
    )
    host_agency = AgencyChoiceField(
        Agency.objects.active(),
        label="Host agency",
        required=False,
        empty_label="Choose the host agency",
        help_text="Leave this empty when your own agency hosts it.",
    )
    region = forms.ChoiceField(required=False, help_text="Leave empty to use the host agency's region.")
    online_link = forms.URLField(
        label="Link to the online room",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Shown to registered participants only.",
    )

    class Meta:
        model = TurnkeyTraining
        fields = [*DETAIL_FIELDS, "repeat"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "agenda": forms.Textarea(attrs={"rows": 8}),
            "format": forms.RadioSelect,
            "repeat": forms.RadioSelect,
            "host_kind": forms.RadioSelect,
        }
        help_texts = {"address": "Street and town, so people can find it."}

    def __init__(self, *args, trainer, training: TurnkeyTraining | None = None, **kwargs):
        self.training = training
        if training is not None:
            kwargs["instance"] = training
            schedule = Schedule.of(training)
            if schedule is not None:
                kwargs["initial"] = {
                    "first_day": schedule.first_day,
                    "starts": schedule.starts,
                    "ends": schedule.ends,
                    "count": schedule.count,
                    **kwargs.get("initial", {}),
                }
        super().__init__(*args, **kwargs)
        self.trainer = trainer
        self.fields["host_kind"].choices = FacilitationReport.HostKind.choices  # no empty radio
        if not self.initial.get("host_kind"):
            self.initial["host_kind"] = FacilitationReport.HostKind.OWN_AGENCY
        regions = _regions()[1:]
        if training is not None and training.region and (training.region, training.region) not in regions:
            regions.append((training.region, training.region))  # a region since renamed in the registry
        self.fields["region"].choices = [("", "The host agency's region"), *regions]
        if training is None:
            certifications = plannable_certifications(trainer).order_by("module__title")
            self.fields["certification"].queryset = certifications
            chosen = self.initial.get("certification") or (
                certifications[0] if len(certifications) == 1 else None
            )
            if chosen is not None and not self.initial.get("agenda"):
                self.initial["agenda"] = chosen.module.agenda_template
        else:
            # The module stays what it was planned for.
            del self.fields["certification"]
        if training is not None and training.repeat == TurnkeyTraining.Repeat.DATES:
            # Dates an agency asked for follow no pattern: each session moves on its own page.
            for name in ("first_day", "starts", "ends", "repeat", "count"):
                del self.fields[name]
        else:
            self.fields["repeat"].choices = [
                c for c in self.fields["repeat"].choices if c[0] != TurnkeyTraining.Repeat.DATES
            ]

    def fieldsets(self):
        sets = [
            (legend, [self[name] for name in names if name in self.fields]) for legend, names in FIELDSETS
        ]
        return [(legend, fields) for legend, fields in sets if fields]

    def clean_first_day(self):
        return _from_today(self.cleaned_data["first_day"], self.initial.get("first_day"))

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.training is not None:
            registered = self.training.registered_count()
            if capacity < registered:
                raise forms.ValidationError(
                    f"{registered} people are registered already: the capacity can't be lower than that."
                )
        return capacity

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The session has to end after it starts.")
        repeat, count = data.get("repeat"), data.get("count")
        if repeat == TurnkeyTraining.Repeat.ONCE:
            data["count"] = 1
        elif count is not None and count < 2:
            self.add_error("count", "A weekly or monthly series has at least two sessions.")
        if data.get("format") == TurnkeyTraining.Format.ONLINE:
            if not data.get("online_link"):
                self.add_error("online_link", "Add the link to the online room (only registrants see it).")
        elif data.get("format") == TurnkeyTraining.Format.IN_PERSON and not data.get("venue", "").strip():
            self.add_error("venue", "Say where the training takes place.")
        kind = data.get("host_kind")
        if kind == FacilitationReport.HostKind.OTHER_AGENCY and not data.get("host_agency"):
            self.add_error("host_agency", "Choose the agency that hosts the training.")
        elif kind == FacilitationReport.HostKind.OWN_AGENCY and not data.get("host_agency"):
            data["host_agency"] = self.trainer.agency
        if not data.get("region") and data.get("host_agency"):
            data["region"] = data["host_agency"].region
        return data

    def schedule(self) -> Schedule | None:
        if "first_day" not in self.fields:
            return None
        data = self.cleaned_data
        return Schedule(data["first_day"], data["starts"], data["ends"], data["repeat"], data["count"])

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


class SessionForm(BootstrapFormMixin, forms.Form):
    day = forms.DateField(label="Date", widget=DATE)
    starts = forms.TimeField(label="Starts at", widget=TIME)
    ends = forms.TimeField(label="Ends at", widget=TIME)

    def clean_day(self):
        return _from_today(self.cleaned_data["day"], self.initial.get("day"))

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The session has to end after it starts.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the training cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone registered receives this in a short, kind e-mail.",
    )


class InviteForm(BootstrapFormMixin, forms.Form):
    query = forms.CharField(
        label="Name or e-mail",
        min_length=2,
        max_length=254,
        help_text="A trainer certified for the same module: part of their name or their whole e-mail.",
    )


class ChecklistForm(forms.Form):
    step = forms.CharField(max_length=20)
    done = forms.BooleanField(required=False)


class TrainingFilterForm(BootstrapFormMixin, forms.Form):
    module = forms.ModelChoiceField(queryset=Module.objects.all(), required=False, empty_label="Any module")
    region = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=[("", "Any state"), *TurnkeyTraining.Status.choices], required=False)
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="Until", required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range can't be before its start.")
        return data
