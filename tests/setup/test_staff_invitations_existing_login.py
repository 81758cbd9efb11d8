"""Inviting someone who already has a Longtide login records a pending invitation that they accept,
signed in (practice/staff.py, StaffInvitation). Nothing is granted before that — no membership, no
access, no idle timeout of the new practice — and what the inviting owner sees is the same for an
address with a login and a new one (docs/security.md, item 3)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from conftest import Cast
from longtide.practice.models import Practice, Role, StaffInvitation, StaffMembership
from longtide.practice.staff import invite_staff

pytestmark = pytest.mark.django_db
STAFF = "/staff/tidewater/settings/staff/"
PENDING = "/staff/tidewater/settings/staff/invited/"


def invite_dov(cast: Cast, role: Role = Role.FRONT_DESK) -> StaffInvitation:
    invited = invite_staff(
        practice=cast.tidewater, email="Dov@Harbour.test", role=role, by=cast.olga_user, now=timezone.now()
    )
    assert invited.invitation is not None
    return invited.invitation


# The three defects ---------------------------------------------------------------------------------


def test_an_existing_login_is_not_added_before_accepting(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invited = invite_staff(
            practice=cast.tidewater,
            email="dov@harbour.test",
            role=Role.PRACTITIONER,
            by=cast.olga_user,
            now=timezone.now(),
        )
    assert invited.membership is None and invited.link is None
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()
    assert list(Practice.objects.for_user(cast.dov_user)) == [cast.harbour]
    pending = StaffInvitation.objects.get(practice=cast.tidewater, user=cast.dov_user)
    assert pending.role == Role.PRACTITIONER and pending.invited_by == cast.olga_user
    [message] = mail.outbox
    assert message.to == ["dov@harbour.test"]
    assert "/staff/invitations/" in message.body and "/welcome/" not in message.body
    assert "Tidewater Craniosacral" in message.body and "Practitioner" in message.body
    assert "Cleo" not in message.body and "cleo@" not in message.body


def test_the_new_practice_idle_timeout_does_not_apply_before_accepting(client: HttpClient, cast: Cast) -> None:
    Practice.objects.filter(pk=cast.tidewater.pk).update(idle_timeout_minutes=5)
    before = Practice.objects.idle_minutes_for(cast.dov_user)
    assert before != 5
    invitation = invite_dov(cast)
    assert Practice.objects.idle_minutes_for(cast.dov_user) == before
    client.force_login(cast.dov_user)
    assert client.post(f"/staff/invitations/{invitation.pk}/accept/").status_code == 302
    assert Practice.objects.idle_minutes_for(cast.dov_user) == 5  # agreed to by accepting


def _owner_view(client: HttpClient, response_text: str, email: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response_text)
    return text.replace(email, "ADDRESS")


def _invite_and_look(client: HttpClient, email: str) -> list[tuple[int, str]]:
    """What the owner sees: inviting, the staff list, sending again, inviting again, withdrawing."""
    seen = []
    invited = client.post(STAFF, {"email": email, "first_name": "Zia", "last_name": "", "role": "front_desk"})
    seen.append((invited.status_code, invited["Location"]))
    page = client.get(STAFF)
    seen.append((page.status_code, _owner_view(client, page.text, email)))
    again = client.post(PENDING, {"email": email, "action": "resend"}, follow=True)
    seen.append((again.status_code, _owner_view(client, again.text, email)))
    twice = client.post(STAFF, {"email": email, "role": "owner"})
    seen.append((twice.status_code, _owner_view(client, twice.text, email)))
    gone = client.post(PENDING, {"email": email, "action": "withdraw"}, follow=True)
    seen.append((gone.status_code, _owner_view(client, gone.text, email)))
    return seen


def test_the_inviting_owner_sees_the_same_for_an_existing_login_and_a_new_address(
    client: HttpClient, cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # Both addresses sort after every member, so the rows stand at the same place.
    User.objects.create_user("zed@elsewhere.test", "zed@elsewhere.test", "pw-zed-123", first_name="Zedekiah")
    client.force_login(cast.olga_user)
    with django_capture_on_commit_callbacks(execute=True):
        existing = _invite_and_look(client, "zed@elsewhere.test")
        new = _invite_and_look(client, "zyx@example.org")
    assert existing == new
    listed = existing[1][1]
    assert "Invited, not joined yet" in listed and "Zedekiah" not in listed
    assert len(mail.outbox) == 4  # the invitation and the one sent again, to each
    assert not StaffInvitation.objects.exists()
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user__username__startswith="z").exists()


# Accepting and declining ----------------------------------------------------------------------------


def test_the_invitee_sees_the_invitation_and_accepts_it_once(client: HttpClient, cast: Cast) -> None:
    invitation = invite_dov(cast, Role.PRACTITIONER)
    client.force_login(cast.dov_user)
    page = client.get("/staff/invitations/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Tidewater Craniosacral" in page.text and "Practitioner" in page.text
    assert f'action="/staff/invitations/{invitation.pk}/accept/"' in page.text
    assert "Tidewater Craniosacral" in client.get("/staff/").text
    assert "Tidewater Craniosacral" in client.get("/staff/account/").text
    assert client.get(f"/staff/invitations/{invitation.pk}/accept/").status_code == 405
    accepted = client.post(f"/staff/invitations/{invitation.pk}/accept/")
    assert accepted.status_code == 302
    membership = StaffMembership.objects.get(practice=cast.tidewater, user=cast.dov_user)
    assert membership.role == Role.PRACTITIONER
    assert not StaffInvitation.objects.exists()
    # The back button and a second click: nothing more happens.
    assert client.post(f"/staff/invitations/{invitation.pk}/accept/").status_code == 404
    assert client.post(f"/staff/invitations/{invitation.pk}/decline/").status_code == 404
    assert StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).count() == 1


def test_the_invitee_declines(client: HttpClient, cast: Cast) -> None:
    invitation = invite_dov(cast)
    client.force_login(cast.dov_user)
    assert client.post(f"/staff/invitations/{invitation.pk}/decline/").status_code == 302
    assert not StaffInvitation.objects.exists()
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()
    assert client.post(f"/staff/invitations/{invitation.pk}/accept/").status_code == 404


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_someone_elses_invitation_is_a_404(client: HttpClient, cast: Cast, action: str) -> None:
    invitation = invite_dov(cast)
    client.force_login(cast.ana_user)
    assert client.post(f"/staff/invitations/{invitation.pk}/{action}/").status_code == 404
    assert f"/staff/invitations/{invitation.pk}/" not in client.get("/staff/invitations/").text
    client.force_login(cast.olga_user)  # the inviting owner either
    assert client.post(f"/staff/invitations/{invitation.pk}/{action}/").status_code == 404
    assert StaffInvitation.objects.filter(pk=invitation.pk).exists()
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()


def test_signed_out_the_invitation_page_asks_to_sign_in(client: HttpClient, cast: Cast) -> None:
    invitation = invite_dov(cast)
    page = client.get("/staff/invitations/")
    assert page.status_code == 302 and "/staff/login/" in page["Location"]
    assert client.post(f"/staff/invitations/{invitation.pk}/accept/").status_code == 302
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_odd_ids_are_404(client: HttpClient, cast: Cast, pk: str) -> None:
    client.force_login(cast.dov_user)
    assert client.post(f"/staff/invitations/{pk}/accept/").status_code == 404


def test_a_student_invitation_whose_supervisor_left_is_refused_with_a_message(client: HttpClient, cast: Cast) -> None:
    invited = invite_staff(
        practice=cast.tidewater,
        email="dov@harbour.test",
        role=Role.STUDENT,
        supervisor_id=cast.ana_user.pk,
        by=cast.olga_user,
        now=timezone.now(),
    )
    assert invited.invitation is not None
    StaffMembership.objects.filter(practice=cast.tidewater, user=cast.ana_user).update(role=Role.FRONT_DESK)
    client.force_login(cast.dov_user)
    response = client.post(f"/staff/invitations/{invited.invitation.pk}/accept/", follow=True)
    assert response.status_code == 200
    assert "supervisor must be a practitioner or owner" in response.text
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()


def test_withdrawing_a_pending_invitation_stops_it(client: HttpClient, cast: Cast) -> None:
    invitation = invite_dov(cast)
    client.force_login(cast.olga_user)
    client.post(PENDING, {"email": "dov@harbour.test", "action": "withdraw"})
    assert not StaffInvitation.objects.exists()
    client.force_login(cast.dov_user)
    assert client.post(f"/staff/invitations/{invitation.pk}/accept/").status_code == 404


@pytest.mark.parametrize("email", ["", "x" * 200, "nul\x00@example.org", "nobody@example.org"])
def test_pending_actions_on_unknown_or_bad_addresses_say_so(client: HttpClient, cast: Cast, email: str) -> None:
    client.force_login(cast.olga_user)
    response = client.post(PENDING, {"email": email, "action": "resend"}, follow=True)
    assert response.status_code in (200, 400)
    assert response.status_code != 500


def test_a_pending_membership_is_not_reached_by_its_row_id(client: HttpClient, cast: Cast) -> None:
    """A new address's invitation is a membership row; probing the ids after one's last invitation
    would tell which kind an invitation became (and so whether the address had a login). Pending
    rows are reached by their address only: by id they are the same 404 as an id that is not there."""
    invited = invite_staff(
        practice=cast.tidewater,
        email="new.person@example.test",
        role=Role.PRACTITIONER,
        by=cast.olga_user,
        now=timezone.now(),
    )
    assert invited.membership is not None  # a new address: the membership and a password link
    client.force_login(cast.olga_user)
    pk = invited.membership.pk
    for action, data in (("role", {f"m{pk}-role": "front_desk"}), ("remove", {"confirm": "1"}), ("resend", {})):
        probe = client.post(f"{STAFF}{pk}/{action}/", data)
        missing = client.post(f"{STAFF}99999999/{action}/", data)
        assert probe.status_code == missing.status_code == 404, action
    membership = StaffMembership.objects.get(pk=pk)
    assert membership.role == Role.PRACTITIONER  # nothing changed
    # The address route still resends and withdraws it.
    assert client.post(PENDING, {"email": "new.person@example.test", "action": "withdraw"}).status_code == 302
    assert not StaffMembership.objects.filter(pk=pk).exists()
