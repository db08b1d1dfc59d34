"""What the institutes tell the survey engine (portal.surveys): their instruments and quotes."""

from __future__ import annotations

from django.db.models import QuerySet

from institutes.models import Institute, Module, Session

# The instrument keys, also the invitations' purposes: one invitation per person and subject.
SESSION_SURVEY = "institute-session"
END_SURVEY = "institute-end"


def module_institutes(module: Module) -> QuerySet:
    """Quotes about a module's institutes show on the module's page..."""
    return Institute.objects.filter(module=module)


def module_sessions(module: Module) -> QuerySet:
    """...and so do quotes about their sessions."""
    return Session.objects.filter(institute__module=module)
