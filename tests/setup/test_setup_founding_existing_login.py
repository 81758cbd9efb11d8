"""`longtide practice create --owner <an existing login with a password>` issues no link: a link would
let whoever holds it replace that login's password (as invite_staff, it tells them to sign in)."""

import pytest
from django.utils import timezone

from conftest import Cast
from longtide.practice.founding import create_practice
from longtide.practice.models import Invitation, Role

pytestmark = pytest.mark.django_db


def test_an_existing_login_with_a_password_gets_no_link(cast: Cast) -> None:
    founded = create_practice(slug="newone", name="New One", owner_email="DOV@harbour.test", now=timezone.now())
    assert founded.link is None
    assert not founded.owner_created
    membership = founded.practice.memberships.get()
    assert membership.user == cast.dov_user and membership.role == Role.OWNER
    assert not Invitation.objects.filter(user=cast.dov_user).exists()


def test_a_new_login_still_gets_its_link(cast: Cast) -> None:
    founded = create_practice(slug="newone", name="New One", owner_email="nell@example.org", now=timezone.now())
    assert founded.link is not None and founded.owner_created
