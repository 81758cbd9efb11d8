import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.access import Perm, can, role_in

pytestmark = pytest.mark.django_db


def test_roles_are_per_practice(cast: Cast) -> None:
    assert role_in(cast.ana_user, cast.tidewater) == "practitioner"
    assert role_in(cast.dov_user, cast.tidewater) is None
    assert role_in(cast.dov_user, cast.harbour) == "practitioner"


def test_only_owners_configure_the_practice(cast: Cast) -> None:
    assert can(cast.olga_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)
    assert not can(cast.ben_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)
    assert not can(cast.ana_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)


def test_a_superuser_is_no_member_of_a_practice_by_default(cast: Cast, django_user_model: type[User]) -> None:
    root = django_user_model.objects.create_superuser("root", "root@operator.test", "pw-root-123")
    assert role_in(root, cast.tidewater) is None
    assert not can(root, Perm.SCHEDULE_VIEW, cast.tidewater)


def test_an_inactive_member_holds_no_role(cast: Cast) -> None:
    cast.olga_user.is_active = False
    cast.olga_user.save()
    assert role_in(cast.olga_user, cast.tidewater) is None


def test_staff_home_lists_only_the_users_practices(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.dov_user)
    page = client.get("/staff/").text
    assert "Harbour Bodywork" in page and "Tidewater" not in page
    assert "/admin/" not in page


def test_staff_pages_need_a_login(client: HttpClient) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
