"""A supervisor's practitioner profile stays linked to their login while they supervise students
here: unlinking it (or linking another login) is refused with check_may_stop_supervising's message."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Role, StaffMembership

pytestmark = pytest.mark.django_db


def profile(cast: Cast, user: str) -> dict[str, object]:
    return {
        "display_name": "Ana Silva (edited)",
        "style": "biodynamic",
        "active": "on",
        "user": user,
        "services": [cast.session.pk, cast.first_visit.pk],
    }


def test_a_supervisors_profile_is_not_unlinked(client: HttpClient, cast: Cast) -> None:
    student = get_user_model().objects.create_user("stu", "stu@x.test", "pw-stu-123", first_name="Stu")
    StaffMembership.objects.create(practice=cast.tidewater, user=student, role=Role.STUDENT, supervisor=cast.ana_user)
    client.force_login(cast.olga_user)
    response = client.post(f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/", profile(cast, ""))
    assert response.status_code == 422
    assert "supervises Stu. Choose another supervisor for them first." in response.text
    assert 'value="Ana Silva (edited)"' in response.text
    cast.ana.refresh_from_db()
    assert cast.ana.user_id == cast.ana_user.pk


def test_a_profile_of_someone_supervising_nobody_may_be_unlinked(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    response = client.post(f"/staff/tidewater/settings/practitioners/{cast.ana.pk}/", profile(cast, ""))
    assert response.status_code == 302
    cast.ana.refresh_from_db()
    assert cast.ana.user_id is None
