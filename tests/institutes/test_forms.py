import pytest

from institutes.forms import CatalogFilterForm, QueueFilterForm

pytestmark = pytest.mark.django_db


def test_filter_forms_get_their_own_fields_widgets_and_choices():
    wrong = CatalogFilterForm({"location": "nowhere"}, topics=["Math"])
    assert not wrong.is_valid()
    fresh = CatalogFilterForm(topics=["ESL"])
    assert wrong.fields["location"].widget.attrs["class"] == "form-select is-invalid"
    assert fresh.fields["location"].widget.attrs["class"] == "form-select"
    assert fresh.fields["topic"].choices == [("", "Any"), ("ESL", "ESL")]
    assert wrong.fields["topic"].choices == [("", "Any"), ("Math", "Math")]
    assert fresh.fields["audience"].queryset is not wrong.fields["audience"].queryset
    assert CatalogFilterForm.base_fields["location"].widget.attrs == {}
    queue = QueueFilterForm(regions=["Capital"])
    assert queue.fields["region"].widget.choices == [("", "Any"), ("Capital", "Capital")]
    assert QueueFilterForm(regions=[]).fields["region"].widget.choices == [("", "Any")]
