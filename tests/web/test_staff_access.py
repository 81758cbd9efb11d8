import pytest
from django.test import Client as HttpClient

from longtide.practice.access import Perm, can, role_in

pytestmark = pytest.mark.django_db


def test_roles_are_per_practice(cast) -> None:
    assert role_in(cast.ana_user, cast.tidewater) == "practitioner"
    assert role_in(cast.dov_user, cast.tidewater) is None
    assert role_in(cast.dov_user, cast.harbour) == "practitioner"


def test_only_owners_configure_the_practice(cast) -> None:
    assert can(cast.olga_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)
    assert not can(cast.ben_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)
    assert not can(cast.ana_user, Perm.PRACTICE_CONFIGURE, cast.tidewater)


def test_dov_cannot_see_tidewater_in_the_admin(client: HttpClient, cast) -> None:
    client.force_login(cast.dov_user)
    page = client.get("/admin/practice/practitioner/").text
    assert "Dov Amir" in page
    assert "Ana Silva" not in page
    assert client.get(f"/admin/practice/practitioner/{cast.ana.pk}/change/").status_code in (302, 404)
    assert "Cleo" not in client.get("/admin/clients/client/").text


def test_ana_sees_tidewater_but_not_harbour_in_the_admin(client: HttpClient, cast) -> None:
    client.force_login(cast.ana_user)
    page = client.get("/admin/practice/practitioner/").text
    assert "Ana Silva" in page and "Dov Amir" not in page


def test_an_owner_can_edit_the_home_page_text_but_a_front_desk_cannot(client: HttpClient, cast) -> None:
    url = f"/admin/practice/practice/{cast.tidewater.pk}/change/"
    client.force_login(cast.ben_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Hijacked"})
    assert response.status_code == 403
    client.force_login(cast.olga_user)
    page = client.get(url).text
    assert 'name="about_cst"' in page


def test_staff_home_lists_only_the_users_practices(client: HttpClient, cast) -> None:
    client.force_login(cast.dov_user)
    page = client.get("/staff/").text
    assert "Harbour Bodywork" in page and "Tidewater" not in page


def test_staff_pages_need_a_login(client: HttpClient) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
