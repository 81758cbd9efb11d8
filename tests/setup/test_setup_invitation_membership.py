"""An invitation link works only while its user is on the practice's staff: removing them uses up
their unused links (and a link is refused anyway without a membership), and a new link in one
practice leaves the user's pending links of other practices working."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.invitations import InvitationUnusable, accept_invitation, find_usable
from longtide.practice.models import Invitation, Role, StaffMembership
from longtide.practice.staff import invite_staff, remove_member

pytestmark = pytest.mark.django_db
PASSWORD = {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2026"}


def test_a_removed_invitees_link_is_the_404_of_an_unknown_link(client: HttpClient, cast: Cast) -> None:
    invited = invite_staff(
        practice=cast.tidewater, email="nell@example.org", role=Role.OWNER, by=cast.olga_user, now=timezone.now()
    )
    assert invited.link is not None and invited.membership is not None
    remove_member(practice=cast.tidewater, membership_id=invited.membership.pk, by=cast.olga_user)
    assert Invitation.objects.get(pk=invited.link.invitation.pk).used_at is not None
    path = f"/welcome/{invited.link.token}/"
    assert client.get(path).status_code == 404
    response = client.post(path, PASSWORD)
    assert response.status_code == 404
    assert not get_user_model().objects.get(email="nell@example.org").has_usable_password()


def test_a_link_without_a_membership_is_refused_even_if_unused(cast: Cast) -> None:
    invited = invite_staff(
        practice=cast.tidewater, email="nell@example.org", role=Role.FRONT_DESK, by=cast.olga_user, now=timezone.now()
    )
    assert invited.link is not None and invited.membership is not None
    StaffMembership.objects.filter(pk=invited.membership.pk).delete()  # e.g. removed by the operator
    assert find_usable(invited.link.token, now=timezone.now()) is None
    with pytest.raises(InvitationUnusable):
        accept_invitation(token=invited.link.token, password="calm-tides-2026", now=timezone.now())


def test_an_invitation_in_one_practice_keeps_a_pending_link_of_another(client: HttpClient, cast: Cast) -> None:
    harbour_owner = get_user_model().objects.create_user("hop", "hop@harbour.test", "pw-hop-123")
    StaffMembership.objects.create(practice=cast.harbour, user=harbour_owner, role=Role.OWNER)
    harbour = invite_staff(
        practice=cast.harbour, email="nell@example.org", role=Role.PRACTITIONER, by=harbour_owner, now=timezone.now()
    )
    tidewater = invite_staff(
        practice=cast.tidewater, email="nell@example.org", role=Role.FRONT_DESK, by=cast.olga_user, now=timezone.now()
    )
    assert harbour.link is not None and tidewater.link is not None
    assert client.get(f"/welcome/{harbour.link.token}/").status_code == 200
    assert client.get(f"/welcome/{tidewater.link.token}/").status_code == 200


def test_once_a_password_is_set_no_other_pending_link_may_replace_it(cast: Cast) -> None:
    harbour_owner = get_user_model().objects.create_user("hop", "hop@harbour.test", "pw-hop-123")
    StaffMembership.objects.create(practice=cast.harbour, user=harbour_owner, role=Role.OWNER)
    harbour = invite_staff(
        practice=cast.harbour, email="nell@example.org", role=Role.PRACTITIONER, by=harbour_owner, now=timezone.now()
    )
    tidewater = invite_staff(
        practice=cast.tidewater, email="nell@example.org", role=Role.FRONT_DESK, by=cast.olga_user, now=timezone.now()
    )
    assert harbour.link is not None and tidewater.link is not None
    accept_invitation(token=harbour.link.token, password="calm-tides-2026", now=timezone.now())
    with pytest.raises(InvitationUnusable):
        accept_invitation(token=tidewater.link.token, password="someone-else-2026", now=timezone.now())
    assert get_user_model().objects.get(email="nell@example.org").check_password("calm-tides-2026")
