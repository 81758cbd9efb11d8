"""Students on the staff page: invited with a supervising practitioner (never without one, never a
front desk or someone of another practice), a role changed to student only with one, and a
supervisor of students neither removed nor made front desk until the students have another."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Role, StaffMembership

pytestmark = pytest.mark.django_db
PAGE = "/staff/tidewater/settings/staff/"


def test_an_owner_invites_a_student_with_a_supervisor_and_keeps_what_was_typed(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    page = client.get(PAGE)
    assert "Supervising practitioner" in page.text and f'value="{cast.ana_user.pk}"' in page.text
    assert f'value="{cast.ben_user.pk}"' not in page.text  # front desk: not offered
    missing = client.post(PAGE, {"email": "sam@example.org", "first_name": "Sam", "role": "student"})
    assert missing.status_code == 422 and "Choose the student&#x27;s supervising practitioner." in missing.text
    assert 'value="Sam"' in missing.text and 'value="sam@example.org"' in missing.text
    front_desk = client.post(PAGE, {"email": "sam@example.org", "role": "student", "supervisor": cast.ben_user.pk})
    assert "Choose one of the practitioners listed." in front_desk.text
    huge = client.post(PAGE, {"email": "sam@example.org", "role": "student", "supervisor": "9" * 20})
    assert huge.status_code == 422 and "Choose one of the practitioners listed." in huge.text
    assert not StaffMembership.objects.filter(user__username="sam@example.org").exists()
    good = client.post(PAGE, {"email": "sam@example.org", "role": "student", "supervisor": cast.ana_user.pk})
    assert good.status_code == 302
    sam = StaffMembership.objects.get(user__username="sam@example.org")
    assert (sam.role, sam.supervisor) == (Role.STUDENT, cast.ana_user)
    assert "Student, supervised by Ana Silva" in client.get(PAGE).text
    # Not a student: a supervisor chosen by mistake is not kept.
    client.post(PAGE, {"email": "nell@example.org", "role": "front_desk", "supervisor": cast.ana_user.pk})
    assert StaffMembership.objects.get(user__username="nell@example.org").supervisor is None


def test_a_supervisor_stays_until_their_students_have_another(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    refused = client.post(f"{PAGE}{ben.pk}/role/", {f"m{ben.pk}-role": "student"}, follow=True)
    assert "Choose the student&#x27;s supervising practitioner." in refused.text
    client.post(f"{PAGE}{ben.pk}/role/", {f"m{ben.pk}-role": "student", f"m{ben.pk}-supervisor": cast.ana_user.pk})
    ben.refresh_from_db()
    assert (ben.role, ben.supervisor) == (Role.STUDENT, cast.ana_user)
    ana = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ana_user)
    demoted = client.post(f"{PAGE}{ana.pk}/role/", {f"m{ana.pk}-role": "front_desk"}, follow=True)
    assert "supervises ben@tidewater.test. Choose another supervisor for them first." in demoted.text
    removed = client.post(f"{PAGE}{ana.pk}/remove/", {"confirm": "1"}, follow=True)
    assert "Choose another supervisor for them first." in removed.text
    assert StaffMembership.objects.get(pk=ana.pk).role == Role.PRACTITIONER
    # Made an owner, Ana still supervises; and back to front desk, Ben needs no supervisor.
    client.post(f"{PAGE}{ana.pk}/role/", {f"m{ana.pk}-role": "owner"})
    assert StaffMembership.objects.get(pk=ana.pk).role == Role.OWNER
    client.post(f"{PAGE}{ben.pk}/role/", {f"m{ben.pk}-role": "front_desk", f"m{ben.pk}-supervisor": cast.ana_user.pk})
    ben.refresh_from_db()
    assert (ben.role, ben.supervisor) == (Role.FRONT_DESK, None)
