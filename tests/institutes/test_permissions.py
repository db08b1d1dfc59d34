"""The per-institute coordinator rule and the rules moved out of the institutes' views."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from institutes import permissions
from institutes.models import Institute, InstituteCoordinator, Team
from tests.factories import AgencyFactory, UserFactory, coordinator
from tests.institutes.factories import InstituteFactory, coordinator_of

pytestmark = pytest.mark.django_db


def test_institute_coordinator_is_the_active_row_not_the_group():
    institute = InstituteFactory()
    runner = coordinator_of(institute, UserFactory())
    staff = coordinator()
    assert permissions.is_institute_coordinator(runner, institute) is True
    assert permissions.is_institute_coordinator(staff, institute) is False
    assert permissions.is_institute_coordinator(runner, InstituteFactory()) is False
    assert permissions.is_institute_coordinator(UserFactory(is_superuser=True), institute) is True
    assert permissions.is_institute_coordinator(AnonymousUser(), institute) is False


def test_institute_coordinator_role_counts_only_between_its_dates():
    institute = InstituteFactory()
    runner = coordinator_of(institute, UserFactory())
    today = timezone.localdate()
    InstituteCoordinator.objects.filter(user=runner).update(starts_on=today + dt.timedelta(days=1))
    assert permissions.is_institute_coordinator(runner, institute) is False
    InstituteCoordinator.objects.filter(user=runner).update(starts_on=today, ends_on=today)
    assert permissions.is_institute_coordinator(runner, institute) is True


def test_coordinate_page_is_for_staff_coordinators_and_institute_coordinators():
    runner = coordinator_of(InstituteFactory(), UserFactory())
    assert permissions.can_coordinate(runner) is True
    assert permissions.can_coordinate(coordinator()) is True
    assert permissions.can_coordinate(UserFactory()) is False
    assert permissions.can_coordinate(AnonymousUser()) is False


def test_only_a_signed_in_person_starts_a_team_where_teams_apply():
    person = UserFactory()
    open_for_teams = InstituteFactory(team_required=True)
    assert open_for_teams.is_accepting_applications() is True
    assert permissions.can_start_team(person, open_for_teams) is True
    assert permissions.can_start_team(AnonymousUser(), open_for_teams) is False
    assert permissions.can_start_team(person, InstituteFactory(team_required=False)) is False
    draft = InstituteFactory(team_required=True, status=Institute.Status.DRAFT)
    assert permissions.can_start_team(person, draft) is False


def test_only_the_lead_invites_to_a_team():
    lead, member = UserFactory(), UserFactory()
    team = Team.objects.create(
        institute=InstituteFactory(team_required=True), lead=lead, agency=AgencyFactory()
    )
    assert permissions.can_invite_to_team(lead, team) is True
    assert permissions.can_invite_to_team(member, team) is False
    assert permissions.can_invite_to_team(AnonymousUser(), team) is False
