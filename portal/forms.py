from html import escape

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from portal import notifications
from portal.models import Agency, User


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: in order, True as a bare name, False left out."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A <select> written in Python. Django renders every <option> through a template include,
    about 60 us each: a filter bar's few selects cost milliseconds, and the agency registry's
    2,000 options a quarter of a second. Same markup, less whitespace."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}

        def options(choices) -> str:
            return "".join(
                f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>'
                f"{escape(str(label))}</option>"
                for v, label in choices
            )

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group of options
                parts.append(f'<optgroup label="{escape(str(option_value))}">{options(label)}</optgroup>')
            else:
                parts.append(options([(option_value, label)]))
        attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{escape(name)}"{_attrs(attrs)}>{"".join(parts)}</select>')


def _input_html(widget: forms.widgets.Input, name, value, attrs) -> str:
    """Django's widgets/input.html in Python (about 700 calls through the template engine)."""
    context = widget.get_context(name, value, attrs)["widget"]
    shown = "" if context["value"] is None else format_html(' value="{}"', str(context["value"]))
    return mark_safe(
        format_html('<input type="{}" name="{}"', context["type"], context["name"])
        + shown
        + _attrs(context["attrs"])
        + ">"
    )


class FastTextInput(forms.TextInput):
    """A text <input> written in Python: the same markup as Django's template."""

    def render(self, name, value, attrs=None, renderer=None):
        return _input_html(self, name, value, attrs)


class FastHiddenInput(forms.HiddenInput):
    def render(self, name, value, attrs=None, renderer=None):
        return _input_html(self, name, value, attrs)


class FastTextarea(forms.Textarea):
    """A <textarea> written in Python: the same markup as Django's widgets/textarea.html."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        text = format_html("{}", context["value"]) if context["value"] else ""
        return mark_safe(
            format_html('<textarea name="{}"', context["name"])
            + _attrs(context["attrs"])
            + ">\n"
            + text
            + "</textarea>"
        )


# Widgets BootstrapFormMixin swaps for the ones above (the exact class only: subclasses keep theirs).
FAST_WIDGETS = {forms.Select: FastSelect, forms.TextInput: FastTextInput, forms.HiddenInput: FastHiddenInput}
FAST_WIDGETS[forms.Textarea] = FastTextarea


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency from the registry: some 2,000 options at state size, so written by FastSelect
    (Django's option templates took a quarter of a second a page) from two columns per row."""

    widget = FastSelect

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.only("name", "region").order_by("name", "pk"), **kwargs)

    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name} ({obj.region})" if obj.region else obj.name


class _ColumnChoiceIterator(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", self.field.label_field)


class ColumnChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are read as two columns, the value and ``label_field``,
    in one plain query: Django's reads whole rows through a server-side cursor (three round trips
    on PostgreSQL) and builds a model per option, on every filter bar of a list page."""

    iterator = _ColumnChoiceIterator

    def __init__(self, queryset, *, label_field: str, **kwargs):
        self.label_field = label_field
        super().__init__(queryset, **kwargs)


class BootstrapFormMixin:
    """Bootstrap 5 classes on the widgets, set once, for forms rendered without crispy.

    List pages' filter bars render through templates/portal/_filter_fields.html, which costs a
    fraction of crispy's per-field template work; data-entry forms keep crispy. Labels, help text
    (aria-describedby) and errors (aria-invalid) come from Django's BoundField as usual.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if type(widget) in FAST_WIDGETS:
                widget.__class__ = FAST_WIDGETS[type(widget)]
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class SignupForm(AllauthSignupForm):
    name = forms.CharField(label="Full name", max_length=150)

    field_order = ["name", "email", "password1", "password2"]

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data["name"].strip()
        user.save(update_fields=["name"])
        return user


class ProfileForm(forms.ModelForm):
    agency = AgencyChoiceField(
        queryset=Agency.objects.active(),
        required=False,
        help_text="Choose the agency you work for. Not listed? Ask a coordinator to add it.",
    )

    class Meta:
        model = User
        fields = ["name", "agency", "position", "phone"]
        labels = {"name": "Full name", "position": "Position or job title"}


class NotificationPreferencesForm(forms.Form):
    """One on/off box per optional category of e-mail (transactional ones always go out)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for category, label in notifications.optional_category_choices(user):
            self.fields[category] = forms.BooleanField(
                label=label, required=False, help_text=notifications.CATEGORY_HELP[category]
            )


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: name, kind, region, consortium, caep_funded, cds_code, email_domains, active.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("That file is larger than 5 MB; split it and import each part.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Save the file as CSV in UTF-8 and try again.") from exc
