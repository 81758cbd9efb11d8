"""The chart rule of practice/access.py, role by role and relation by relation (the pages and API
that use it are walked by tests/access/test_records_matrix.py)."""

import pytest
from django.contrib.auth.models import User

from conftest import Cast
from longtide.practice.access import Basis, ChartAccess, chart_access
from longtide.practice.models import Practice, Role, StaffMembership

pytestmark = pytest.mark.django_db


def access(user: User, practice: Practice, *, in_care: bool = False, break_glass: bool = False) -> ChartAccess | None:
    care_team = {user.pk} if in_care else set()
    return chart_access(user, practice, care_team_user_ids=care_team, break_glass_open=break_glass)


def test_an_owner_reads_every_chart_of_the_practice(cast: Cast) -> None:
    found = access(cast.olga_user, cast.tidewater)
    assert found is not None and (found.basis, found.clinical, found.may_break_glass) == (Basis.OWNER, True, False)


def test_a_practitioner_reads_the_charts_of_clients_in_their_care(cast: Cast) -> None:
    found = access(cast.ana_user, cast.tidewater, in_care=True)
    assert found is not None and (found.basis, found.clinical) == (Basis.CARE_TEAM, True)


def test_a_practitioner_outside_the_care_team_is_kept_out_but_may_break_the_glass(cast: Cast) -> None:
    found = access(cast.ana_user, cast.tidewater)
    assert found is not None
    assert (found.basis, found.clinical, found.may_break_glass) == (Basis.NOT_IN_CARE, False, True)
    opened = access(cast.ana_user, cast.tidewater, break_glass=True)
    assert opened is not None and (opened.basis, opened.clinical) == (Basis.BREAK_GLASS, True)


def test_shared_care_opens_every_chart_to_every_practitioner(cast: Cast) -> None:
    cast.tidewater.shared_care = True
    found = access(cast.ana_user, cast.tidewater)
    assert found is not None and (found.basis, found.clinical) == (Basis.SHARED_CARE, True)


def test_front_desk_never_reads_clinical_content_whatever_the_relation(cast: Cast) -> None:
    cast.tidewater.shared_care = True
    for in_care in (False, True):
        for break_glass in (False, True):
            found = access(cast.ben_user, cast.tidewater, in_care=in_care, break_glass=break_glass)
            assert found is not None
            assert (found.basis, found.clinical, found.may_break_glass) == (Basis.FRONT_DESK, False, False)


def test_another_practices_member_gets_nothing(cast: Cast) -> None:
    assert access(cast.dov_user, cast.tidewater, in_care=True, break_glass=True) is None


def test_an_owner_elsewhere_who_is_front_desk_here_acts_as_front_desk(cast: Cast) -> None:
    StaffMembership.objects.create(practice=cast.harbour, user=cast.ben_user, role=Role.OWNER)
    here = access(cast.ben_user, cast.tidewater, in_care=True)
    assert here is not None and here.basis == Basis.FRONT_DESK
    there = access(cast.ben_user, cast.harbour)
    assert there is not None and there.basis == Basis.OWNER
