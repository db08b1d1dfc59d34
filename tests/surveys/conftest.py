import pytest

from portal.surveys.defaults import create_defaults
from portal.surveys.models import Instrument, Question


@pytest.fixture(autouse=True)
def survey_instruments(db):
    """The default instruments (a transactional test elsewhere may have flushed the migration's)."""
    create_defaults(Instrument, Question)
