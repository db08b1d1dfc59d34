"""Forms for agencies' requests: validation only, trainers.training_requests decides the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from institutes.models import Module
from portal.forms import BootstrapFormMixin
from trainers.forms import DATE, _regions
from trainers.models import TrainingRequest
from trainers.planning_forms import TIME
from trainers.training_requests import Dates

DATE_FIELDS = ("date_1", "date_2", "date_3")
PAST = "Choose today or a later date."

# The request form's fieldsets, in order.
FIELDSETS = (
    ("What", ("module", "audience", "expected_size")),
    ("When", ("date_1", "date_2", "date_3", "window_start", "window_end", "starts", "ends")),
    ("Where", ("format", "place")),
    ("Anything else", ("notes",)),
)


def _not_past(day):
    if day is not None and day < timezone.localdate():
        raise forms.ValidationError(PAST)
    return day


class TrainingRequestForm(BootstrapFormMixin, forms.Form):
    module = forms.ModelChoiceField(
        queryset=Module.objects.order_by("title"),
        empty_label="Choose a module",
        help_text="What the training is about.",
    )
    audience = forms.CharField(
        max_length=200, help_text="Who would come, for example: ESL teachers, support staff."
    )
    expected_size = forms.IntegerField(label="Expected number of participants", min_value=1, max_value=1000)
    date_1 = forms.DateField(
        label="Preferred date",
        required=False,
        widget=DATE,
        help_text="Each date you give becomes a session of the training. Or leave the dates empty and give a window below.",
    )
    date_2 = forms.DateField(label="Another date (for a second session)", required=False, widget=DATE)
    date_3 = forms.DateField(label="Another date (for a third session)", required=False, widget=DATE)
    window_start = forms.DateField(label="Or any day from", required=False, widget=DATE)
    window_end = forms.DateField(
        label="Until", required=False, widget=DATE, help_text="The trainer picks a day in this window."
    )
    starts = forms.TimeField(label="Starts at", widget=TIME)
    ends = forms.TimeField(label="Ends at", widget=TIME)
    format = forms.ChoiceField(
        label="Place or online",
        choices=TrainingRequest.Format.choices,
        widget=forms.RadioSelect,
        initial="in_person",
    )
    place = forms.CharField(
        label="Where", max_length=300, required=False, help_text="The school or site and its address."
    )
    notes = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the trainer should know: the group's needs, parking, equipment.",
    )

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]

    def clean_date_1(self):
        return _not_past(self.cleaned_data.get("date_1"))

    def clean_date_2(self):
        return _not_past(self.cleaned_data.get("date_2"))

    def clean_date_3(self):
        return _not_past(self.cleaned_data.get("date_3"))

    def clean_window_start(self):
        return _not_past(self.cleaned_data.get("window_start"))

    def clean_window_end(self):
        return _not_past(self.cleaned_data.get("window_end"))

    def clean(self):
        data = super().clean()
        days = [data.get(name) for name in DATE_FIELDS if data.get(name)]
        start, end = data.get("window_start"), data.get("window_end")
        dates_invalid = any(name in self.errors for name in DATE_FIELDS)
        window_invalid = "window_start" in self.errors or "window_end" in self.errors
        if days and (start or end):
            self.add_error("window_start", "Give either dates or a window, not both.")
        elif not days and not dates_invalid and not window_invalid:
            if start and end:
                if end < start:
                    self.add_error("window_end", "The window has to end after it starts.")
            elif start:
                self.add_error("window_end", "Give the last day of the window.")
            elif end:
                self.add_error("window_start", "Give the first day of the window.")
            else:
                self.add_error("date_1", "Give at least one date, or a window below.")
        if len(set(days)) != len(days):
            self.add_error("date_2", "This date is given twice.")
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The training has to end after it starts.")
        if data.get("format") == TrainingRequest.Format.IN_PERSON and not data.get("place", "").strip():
            self.add_error("place", "Say where the training would take place.")
        return data

    def when(self) -> Dates:
        data = self.cleaned_data
        return Dates(
            days=tuple(data[name] for name in DATE_FIELDS if data.get(name)),
            window_start=data.get("window_start"),
            window_end=data.get("window_end"),
            starts=data["starts"],
            ends=data["ends"],
        )

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "module": data["module"],
            "format": data["format"],
            "place": data["place"],
            "audience": data["audience"],
            "expected_size": data["expected_size"],
            "notes": data["notes"],
        }


class HostOfferForm(BootstrapFormMixin, forms.Form):
    region = forms.ChoiceField(help_text="The region whose educators the CoP would bring together.")
    offer = forms.CharField(
        label="What your agency can offer",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A meeting room, a contact person, staff time, a place on your website.",
    )
    notes = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = _regions()[1:]
        self.fields["region"].choices = [("", "Choose a region"), *regions]
        if agency is not None and agency.region and not self.is_bound:
            self.initial.setdefault("region", agency.region)


class OfferForm(BootstrapFormMixin, forms.Form):
    trainer = forms.IntegerField(error_messages={"required": "Choose a trainer to offer the request to."})
    message = forms.CharField(
        label="A word to the trainer (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcceptForm(BootstrapFormMixin, forms.Form):
    day = forms.DateField(label="The day you will facilitate it", widget=DATE)
    online_link = forms.URLField(
        label="Link to the online room",
        max_length=500,
        assume_scheme="https",
        help_text="Shown to registered participants only.",
    )

    def __init__(self, *args, req: TrainingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.req = req
        if req.dates:
            del self.fields["day"]
        else:
            self.fields[
                "day"
            ].help_text = (
                f"A day from {req.window_start:%B %-d} to {req.window_end:%B %-d, %Y}, as the agency asked."
            )
        if req.format != TrainingRequest.Format.ONLINE:
            del self.fields["online_link"]

    def clean_day(self):
        day = _not_past(self.cleaned_data["day"])
        if not (self.req.window_start <= day <= self.req.window_end):
            raise forms.ValidationError(
                f"Choose a day from {self.req.window_start:%B %-d} to {self.req.window_end:%B %-d, %Y}."
            )
        return day


class DeclineForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why not?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence is enough: it helps the coordinators find someone else.",
    )


class DecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept the offer"), ("decline", "Decline it")], widget=forms.RadioSelect
    )
    community_title = forms.CharField(
        label="Open the regional CoP now, named",
        max_length=200,
        required=False,
        help_text="Leave empty to open it later; the agency's contact becomes its first member.",
    )
    note = forms.CharField(
        label="A note to the agency",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you decline. When you accept, it is kept as the follow-up note.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("note", "").strip():
            self.add_error("note", "Say in a sentence why: the agency will read it.")
        return data


class CloseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why close the request?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The agency receives this in a short e-mail.",
    )


class FollowUpForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label="Follow-up note",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For the coordinators: a call to make, a visit to plan.",
    )


class RequestFilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("open", "Open (new, offered, flagged)"),
            ("", "Any state"),
            *TrainingRequest.Status.choices,
        ],
        required=False,
        initial="open",
    )
    kind = forms.ChoiceField(
        choices=[("", "Trainings and hosting"), *TrainingRequest.Kind.choices], required=False
    )
    module = forms.ModelChoiceField(
        queryset=Module.objects.order_by("title"), required=False, empty_label="Any module"
    )
    region = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _regions()
