import pytest


@pytest.fixture(autouse=True)
def _instruments(survey_instruments):
    """Every survey test starts from the default instruments."""
