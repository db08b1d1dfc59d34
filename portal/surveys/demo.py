"""The surveys' part of the demo world: the default instruments (the data migration's, in case a
database was emptied since). The apps add answers about their own institutes and trainings."""

from portal.surveys.defaults import create_defaults
from portal.surveys.models import Instrument, Question


def seed(stdout=None) -> None:
    create_defaults(Instrument, Question)
    if stdout:
        stdout.write(f"Survey instruments: {Instrument.objects.count()}")
