from django import forms
from django.template.loader import render_to_string

from portal.forms import BootstrapFormMixin


class SampleFilterForm(BootstrapFormMixin, forms.Form):
    query = forms.CharField(label="Search", max_length=5, required=False, help_text="Part of a name.")
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any"), ("a", "A")], required=False)
    mine = forms.BooleanField(label="Only mine", required=False)
    page = forms.IntegerField(widget=forms.HiddenInput, required=False)


def test_mixin_sets_bootstrap_classes_once_per_widget():
    form = SampleFilterForm()
    assert form.fields["query"].widget.attrs["class"] == "form-control"
    assert form.fields["kind"].widget.attrs["class"] == "form-select"
    assert form.fields["mine"].widget.attrs["class"] == "form-check-input"
    assert "class" not in form.fields["page"].widget.attrs
    # The class lives on this form's copy of the widget, not on the class-level field.
    assert "class" not in SampleFilterForm.base_fields["query"].widget.attrs


def test_filter_fields_tie_labels_help_and_errors_to_their_fields():
    form = SampleFilterForm({"query": "too long", "kind": "zzz", "mine": "on", "page": "2"})
    assert not form.is_valid()
    html = render_to_string("portal/_filter_fields.html", {"form": form, "col": "col-md-4"})
    assert '<label class="form-label" for="id_query">Search</label>' in html
    assert 'aria-describedby="id_query_helptext id_query_error"' in html
    assert '<div class="form-text" id="id_query_helptext">Part of a name.</div>' in html
    assert 'id="id_query_error">Ensure this value has at most 5 characters (it has 8).</div>' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert '<select name="kind" class="form-select is-invalid"' in html
    assert '<label class="form-check-label" for="id_mine">Only mine</label>' in html
    assert '<input type="hidden" name="page" value="2" id="id_page">' in html
    assert html.count('<div class="col-md-4 mb-2">') == 3


def test_fast_select_renders_the_same_markup_as_django_select():
    import re

    from portal.forms import FastSelect

    choices = [("", "Any"), ("Group <1>", [("a", "A & B"), ("b", "B")]), ("c", 'C "quoted"')]
    attrs = {
        "id": "id_pick",
        "class": "form-select",
        "aria-describedby": "id_pick_helptext",
        "required": True,
    }
    fast = FastSelect(choices=choices).render("pick", "b", attrs=attrs)
    django = forms.Select(choices=choices).render("pick", "b", attrs=attrs)
    assert re.sub(r">\s+<", "><", django.strip()) == fast
    assert '<option value="b" selected>B</option>' in fast
    assert '<optgroup label="Group &lt;1&gt;">' in fast
    assert SampleFilterForm().fields["kind"].widget.__class__ is FastSelect


def test_radio_choices_each_get_a_bootstrap_check_with_its_label():
    class Decide(BootstrapFormMixin, forms.Form):
        decision = forms.ChoiceField(
            choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect, help_text="Pick one."
        )

    html = render_to_string("portal/_field.html", {"field": Decide()["decision"]})
    assert (
        '<fieldset aria-describedby="id_decision_helptext"><legend class="form-label fs-6 mb-2">Decision</legend>'
        in html
    )
    assert html.count('<div class="form-check"><input type="radio" name="decision"') == 2
    assert '<label class="form-check-label" for="id_decision_1">No</label>' in html
