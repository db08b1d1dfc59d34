"""Validation only: no side effects here."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from communities.models import (
    TOPIC_CHOICES,
    Community,
    Event,
    ImplementationPlan,
    Membership,
    PlanDeliverable,
    PlanStep,
    Resource,
    Thread,
)
from portal.forms import BootstrapFormMixin
from portal.uploads import validate_upload

MARKDOWN_HELP = (
    "You can use Markdown: **bold**, *italic*, [a link](https://example.org), lists with - or 1. "
    "Images appear as links that readers may choose to open."
)


class DirectoryFilterForm(forms.Form):
    topic = forms.ChoiceField(required=False, choices=[("", "Any topic"), *TOPIC_CHOICES])
    region = forms.ChoiceField(required=False, choices=[("", "Any region")])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Community.Kind.choices])

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any region"), *[(r, r) for r in regions]]


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Your message",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text=MARKDOWN_HELP,
    )


class PostForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=MARKDOWN_HELP,
    )
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)


class EditPostForm(forms.Form):
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
        help_text=MARKDOWN_HELP,
    )


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=20_000)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is the problem with this post?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Only the community's facilitators and the program coordinators see your report.",
    )


class MovePostForm(forms.Form):
    thread = forms.ModelChoiceField(
        queryset=Thread.objects.none(), label="Move it to", empty_label="Choose a thread"
    )
    note = forms.CharField(
        required=False,
        max_length=250,
        label="Why (optional)",
        help_text="Kept in the community's moderation log.",
    )

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thread"].queryset = (
            Thread.objects.filter(community=post.thread.community_id)
            .exclude(pk=post.thread_id)
            .order_by("-last_activity_at")
        )


class ResolveReportForm(forms.Form):
    hide_post = forms.BooleanField(required=False, label="Hide the post")
    resolution = forms.CharField(required=False, max_length=300, label="Note (optional)")


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="A note to the facilitators (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address of the person to invite")


class NotifyForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["notify"]
        widgets = {"notify": forms.RadioSelect}


class ExpectedHoursForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["expected_hours_min", "expected_hours_max"]
        help_texts = {
            "expected_hours_min": "Leave both empty if this community asks for no particular number of hours.",
            "expected_hours_max": "Leave empty for a single number; for a range such as 16-20, give both.",
        }

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("expected_hours_min"), cleaned.get("expected_hours_max")
        if high is not None and low is None and "expected_hours_min" not in self.errors:
            self.add_error("expected_hours_min", "Give the lower number of the range too.")
        elif low is not None and high is not None and high < low:
            self.add_error("expected_hours_max", f"The most can't be below the least ({low}).")
        return cleaned


class ResourceForm(forms.ModelForm):
    topic = forms.ChoiceField(required=False, choices=[("", "No particular topic"), *TOPIC_CHOICES])
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A web page, video or document online. Give a link or upload a file.",
    )

    class Meta:
        model = Resource
        fields = ["title", "description", "topic", "url", "file"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "url": "A web page, video or document online. Give a link or upload a file.",
            "file": "PDF, Word, Excel, PowerPoint, image or plain text, up to the upload limit.",
            "description": MARKDOWN_HELP,
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        has_url, has_file = bool(cleaned.get("url")), bool(cleaned.get("file"))
        if not self.errors and has_url == has_file:
            raise ValidationError("Give either a link or a file (one of the two).")
        return cleaned


class SearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)


class PlanForm(forms.ModelForm):
    class Meta:
        model = ImplementationPlan
        fields = ["title", "goals", "shared_with"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 5})}
        labels = {"shared_with": "Share with a community"}
        help_texts = {
            "goals": "What do you want to change for your learners? " + MARKDOWN_HELP,
            "shared_with": "Leave empty to keep the plan private. Members of the community can read "
            "and comment on a shared plan.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = Community.objects.filter(memberships__user=user).order_by(
            "title"
        )
        self.fields["shared_with"].empty_label = "Nobody: keep it private"


class PlanStepForm(forms.ModelForm):
    class Meta:
        model = PlanStep
        fields = ["description", "owner_name", "due_on", "status", "notes"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 6, "maxlength": 10_000}),
        }
        labels = {"description": "Step", "owner_name": "Who does it"}


class DeliverableForm(forms.ModelForm):
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A document or page online. Give a link or upload a file.",
    )

    class Meta:
        model = PlanDeliverable
        fields = ["title", "url", "file"]
        labels = {"title": "What it is"}
        help_texts = {
            "title": "For instance: “Journey map, 2015-2026” or “Learning targets for grade 9 ELD”.",
            "file": "PDF, Word, Excel, PowerPoint, image or plain text, up to the upload limit.",
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        has_url, has_file = bool(cleaned.get("url")), bool(cleaned.get("file"))
        if not self.errors and has_url == has_file:
            raise ValidationError("Give either a link or a file (one of the two).")
        return cleaned


class ReflectionForm(forms.Form):
    body = forms.CharField(
        label="Reflection",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="What happened when you tried it? What will you change?",
    )


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


# --- Events ------------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REPEAT_CHOICES = [
    ("once", "One date"),
    ("weekly", "Every week"),
    ("monthly", "Every month, on the same day"),
    ("list", "On the dates I list"),
]


class EventForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(label="How people take part", choices=[])
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000, help_text=MARKDOWN_HELP
    )
    place = forms.CharField(
        label="Where (for people coming in person)",
        required=False,
        max_length=300,
        help_text="The site and address, for a face-to-face or hybrid event.",
    )
    online_link = forms.URLField(
        label="Online meeting link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Shown and sent only to people holding a place.",
    )
    capacity = forms.IntegerField(
        min_value=1, max_value=2000, initial=30, help_text="Places; then a waitlist."
    )
    first_day = forms.DateField(label="Date (the first, for a series)", widget=DATE_INPUT)
    starts = forms.TimeField(label="Starts at", widget=TIME_INPUT)
    ends = forms.TimeField(label="Ends at", widget=TIME_INPUT)
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, initial="once", widget=forms.RadioSelect)
    count = forms.IntegerField(
        label="How many dates in all",
        required=False,
        min_value=2,
        max_value=24,
        help_text="For a weekly or monthly series.",
    )
    extra_days = forms.CharField(
        label="The other dates",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a list of dates: one a line, as 2027-01-14. Same times as the first date.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Event.Kind.choices

    def clean_extra_days(self):
        days = []
        for line in self.cleaned_data["extra_days"].replace(",", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                days.append(dt.date.fromisoformat(line))
            except ValueError:
                raise ValidationError(f"“{line[:40]}” is not a date: write it as 2027-01-14.") from None
        return tuple(days)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("meeting", "hybrid") and not data.get("place", "").strip():
            self.add_error("place", "Say where people meet.")
        if kind in ("webinar", "hybrid") and not data.get("online_link"):
            self.add_error("online_link", "Give the link people use to join online.")
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", "The end comes after the start.")
        repeat = data.get("repeat")
        if repeat in ("weekly", "monthly") and not data.get("count"):
            self.add_error("count", "Say how many dates the series has (2 to 24).")
        if repeat == "list" and not data.get("extra_days"):
            self.add_error("extra_days", "List the other dates, one a line.")
        first = data.get("first_day")
        if first and repeat == "list":
            earlier = [d for d in data.get("extra_days") or () if d < first]
            if earlier:
                self.add_error("extra_days", f"{earlier[0]:%Y-%m-%d} comes before the first date.")
        return data


class EventMaterialsForm(forms.Form):
    recording_url = forms.URLField(
        label="Link to the recording", required=False, max_length=500, assume_scheme="https"
    )
    slides_url = forms.URLField(
        label="Link to the slides", required=False, max_length=500, assume_scheme="https"
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("recording_url") or data.get("slides_url")):
            raise ValidationError("Give the link to the recording, to the slides, or both.")
        return data


class EventCancelForm(forms.Form):
    note = forms.CharField(
        label="A word to the registrants (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EventFilterForm(BootstrapFormMixin, forms.Form):
    community = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[])
    kind = forms.ChoiceField(required=False, choices=[])
    mode = forms.ChoiceField(
        label="Online or in person",
        required=False,
        choices=[
            ("", "Either"),
            ("online", "Online (webinars and hybrid)"),
            ("in_person", "In person (meetings and hybrid)"),
        ],
    )
    date_from = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label="To", required=False, widget=DATE_INPUT)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "Any community"), *communities]
        self.fields["kind"].choices = [("", "Any kind"), *Event.Kind.choices]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end of the range comes after its start.")
        return data
