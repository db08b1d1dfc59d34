"""Validation only: no side effects here."""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError

from institutes.models import Application, Assignment, Attendance, Audience, Institute
from portal.forms import AgencyChoiceField, BootstrapFormMixin, ColumnChoiceField
from portal.models import Agency
from portal.uploads import validate_upload

YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


def _with_any(choices):
    return [("", "Any"), *choices]


def _shallow_copy(obj):
    # What copy.copy() does for these plain objects (fields and widgets define no __copy__ or
    # __reduce__), without its generic protocol.
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    return new


def _copy_field(field: forms.Field) -> forms.Field:
    """What Field.__deepcopy__ gives (own widget, attrs, choices, error messages, validators and,
    for a model choice, a fresh queryset), without deepcopy's generic machinery."""
    new = _shallow_copy(field)
    new.widget = widget = _shallow_copy(field.widget)
    widget.attrs = field.widget.attrs.copy()
    if hasattr(field.widget, "choices"):
        widget.choices = copy.copy(field.widget.choices)
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    if isinstance(field, forms.ModelChoiceField):
        if field.queryset is not None:
            new.queryset = field.queryset.all()
    elif isinstance(field, forms.ChoiceField):
        new._choices = copy.copy(field._choices)
    return new


class _LightlyCopiedFields(dict):
    def __deepcopy__(self, memo):
        return {name: _copy_field(field) for name, field in self.items()}


class LightFieldCopyMixin:
    """For the filter forms built on every list request: Django deep-copies the class's fields
    for each form (some 1,600 function calls for the catalog's eleven); each form still gets its
    own copies, made directly."""

    def __init__(self, *args, **kwargs):
        self.base_fields = _LightlyCopiedFields(type(self).base_fields)
        super().__init__(*args, **kwargs)


class CatalogFilterForm(LightFieldCopyMixin, BootstrapFormMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(label="Program kind", required=False, choices=_with_any(Institute.Kind.choices))
    training_type = forms.ChoiceField(
        label="Training type", required=False, choices=_with_any(Institute.TrainingType.choices)
    )
    audience = ColumnChoiceField(
        queryset=Audience.objects.all(),
        label_field="name",
        required=False,
        to_field_name="slug",
        empty_label="Any",
    )
    topic = forms.ChoiceField(label="Topic", required=False)
    accreditation = forms.ChoiceField(required=False, choices=_with_any(Institute.Accreditation.choices))
    occurrence = forms.ChoiceField(required=False, choices=_with_any(Institute.Occurrence.choices))
    duration = forms.ChoiceField(required=False, choices=_with_any(Institute.Duration.choices))
    location = forms.ChoiceField(required=False, choices=_with_any(Institute.Location.choices))
    coaching = forms.ChoiceField(required=False, choices=YES_NO)
    facilitation = forms.ChoiceField(required=False, choices=_with_any(Institute.Facilitation.choices))
    open = forms.BooleanField(label="Open for applications now", required=False)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = _with_any([(t, t) for t in topics])


class ApplicationForm(forms.ModelForm):
    """One form for a draft and a submission: a draft may be incomplete, a submission may not."""

    agency = AgencyChoiceField(
        queryset=Agency.objects.active(),
        required=False,
        help_text="The agency you work for, from the registry. Type to narrow the list.",
    )

    class Meta:
        model = Application
        fields = [
            "agency",
            "position",
            "statement",
            "supervisor_name",
            "supervisor_email",
            "commits_to_attend",
            "commits_to_present",
            "local_data",
        ]
        labels = {
            "position": "Your position or job title",
            "statement": "Why do you want to take part, and how will you use what you learn?",
            "supervisor_name": "Your supervisor's name",
            "supervisor_email": "Your supervisor's e-mail address",
        }
        help_texts = {
            "statement": "A few paragraphs are plenty (up to 4,000 characters).",
            "supervisor_email": "We will ask your supervisor to endorse your application by e-mail.",
        }
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 8, "maxlength": 4000}),
            "local_data": forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
        }

    def __init__(self, *args, submitting: bool = False, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        institute = self.instance.institute
        self.planning = institute.is_planning_network
        if not institute.has_commitment:
            del self.fields["commits_to_present"]
        if self.planning:
            self.fields["position"].label = "Your leadership role in your LEA"
            self.fields[
                "position"
            ].help_text = "For instance: director of EL programs, assistant superintendent, site principal."
            self.fields["local_data"].label = "What local data can your team bring?"
            self.fields["local_data"].help_text = (
                "For instance: ELPAC results, reclassification rates, EL enrollment by site, surveys. "
                "A few lines are plenty."
            )
            self.fields[
                "commits_to_attend"
            ].label = "I will attend every session with my team, and the follow-up sessions"
        else:
            del self.fields["local_data"]
        if team is not None:
            self.fields["agency"].disabled = True
            self.fields["agency"].help_text = f"Your team applies from {team.agency.name}."

    def clean(self):
        data = super().clean()
        if self.submitting:
            required = {
                "agency": "Choose your agency.",
                "position": "Tell us your position.",
                "statement": "Write a short statement.",
                "supervisor_name": "Give your supervisor's name.",
                "supervisor_email": "Give your supervisor's e-mail address.",
                "commits_to_attend": "Please confirm that you will attend every session.",
                "commits_to_present": "Please confirm that you will present the module within a year.",
                "local_data": "Tell us what local data your team can bring.",
            }
            if self.planning:
                required["position"] = "Tell us your leadership role in your LEA."
            required = {name: message for name, message in required.items() if name in self.fields}
            for name, message in required.items():
                value = data.get(name)
                blank = not value or (isinstance(value, str) and not value.strip())
                if blank and name not in self.errors:
                    self.add_error(name, message)
        return data


class StartTeamForm(forms.Form):
    agency = AgencyChoiceField(
        label="Your LEA",
        queryset=Agency.objects.active().filter(is_lea=True),
        help_text="A county office of education, school district or charter system.",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's e-mail address", max_length=254)


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Reason (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SeatOfferForm(forms.Form):
    """The applicant's answer to a seat offered from the waitlist (the page's two buttons)."""

    answer = forms.ChoiceField(choices=[("accept", "Accept the seat"), ("decline", "Decline the seat")])


class EndorsementForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("endorse", "I endorse this application"), ("decline", "I do not endorse it")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


DECISION_CHOICES = [("accept", "Accept"), ("waitlist", "Waitlist"), ("decline", "Decline")]


class EndorsementRecordForm(forms.Form):
    """A coordinator records the supervisor's answer received by e-mail, phone or on paper."""

    endorsed = forms.TypedChoiceField(
        label="The supervisor's answer",
        choices=[("yes", "Endorsed"), ("no", "Not endorsed")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="How it came (for the record)",
        max_length=500,
        help_text="For example: e-mail from the supervisor on March 3.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=DECISION_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note to the applicant (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SingleDecisionForm(DecisionForm):
    """The decision on one application: accepting one that does not meet the policy needs a reason."""

    override = forms.CharField(
        label="Reason for accepting as an exception",
        required=False,
        max_length=1000,
        help_text="Needed only to accept an application that does not meet the eligibility policy; kept in its history.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, eligible: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if eligible:
            del self.fields["override"]


class BulkDecisionForm(LightFieldCopyMixin, BootstrapFormMixin, DecisionForm):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(), widget=forms.CheckboxSelectMultiple, label="Applications"
    )

    def __init__(self, *args, institute=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(institute=institute).exclude(
            status=Application.Status.DRAFT
        )
        self.fields["applications"].error_messages["invalid_choice"] = (
            "One of the chosen applications is not in this institute's queue."
        )
        self.fields["applications"].error_messages["required"] = "Tick at least one application."


class QueueFilterForm(LightFieldCopyMixin, BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=_with_any([c for c in Application.Status.choices if c[0] != Application.Status.DRAFT]),
    )
    # A name search, not a <select> with one option per applying agency (150 on a big institute).
    agency = forms.CharField(label="Agency name", max_length=100, required=False)
    region = forms.ChoiceField(required=False)
    eligible = forms.ChoiceField(required=False, choices=YES_NO, label="Eligible")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _with_any([(r, r) for r in regions])


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["title", "instructions", "due_on", "kind"]
        labels = {"due_on": "Due on", "kind": "What participants hand in"}
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "instructions": forms.Textarea(attrs={"rows": 5}),
        }


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label="Your response", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(label="Your file", required=False)
    done = forms.BooleanField(label="I have done this assignment", required=False)

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        keep = {
            Assignment.Kind.TEXT: "text",
            Assignment.Kind.FILE: "file",
            Assignment.Kind.DONE: "done",
        }[Assignment.Kind(assignment.kind)]
        for name in list(self.fields):
            if name != keep:
                del self.fields[name]
        self.fields[keep].required = True
        if keep == "file":
            self.fields["file"].help_text = "PDF, Word, Excel, PowerPoint, an image or plain text."
        self.fields[keep].error_messages["required"] = {
            "text": "Write your response before you submit.",
            "file": "Choose a file to upload.",
            "done": "Tick the box to confirm you have done it.",
        }[keep]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return upload


class ReviewSubmissionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("revise", "Ask for a revision")], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Comment", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "revise" and not data.get("comment", "").strip():
            self.add_error("comment", "Say what to revise, so the participant knows what to change.")
        return data


class AttendanceForm(forms.Form):
    """One radio group per accepted participant."""

    def __init__(self, *args, applications, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for application in self.applications:
            self.fields[f"p{application.pk}"] = forms.ChoiceField(
                label=application.applicant.display_name,
                choices=Attendance.Status.choices,
                # Each choice a button-sized label around its radio: a large tap target (attendance.html).
                widget=forms.RadioSelect(attrs={"class": "form-check-input mt-0"}),
                required=False,
                initial=current.get(application.pk),
            )

    def marks(self) -> dict[int, str]:
        return {
            a.pk: self.cleaned_data[f"p{a.pk}"]
            for a in self.applications
            if self.cleaned_data.get(f"p{a.pk}")
        }

    def rows(self):
        return [(application, self[f"p{application.pk}"]) for application in self.applications]

    def marked(self) -> int:
        """How many participants have a mark saved for this session (the roster's completion)."""
        return sum(1 for a in self.applications if self.fields[f"p{a.pk}"].initial)
