"""Invitations (one-time, hashed, expiring links), roles, removal, and the last-owner rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import Cast
from longtide.practice.founding import create_practice
from longtide.practice.invitations import InvitationUnusable, accept_invitation, hash_token, issue_link
from longtide.practice.models import Invitation, Role, StaffMembership
from longtide.practice.staff import change_role, invite_staff, remove_member

pytestmark = pytest.mark.django_db
User = get_user_model()


def invited_member(cast: Cast) -> AuthUser:
    """A login without a password on Tidewater's staff (a link works only for a member)."""
    user = AuthUser.objects.create_user("kai@example.org", "kai@example.org")
    StaffMembership.objects.create(practice=cast.tidewater, user=user, role=Role.FRONT_DESK)
    return user


def link_in(body: str) -> str:
    found = re.search(r"http://[^/]+(/welcome/[A-Za-z0-9_-]+/)", body)
    assert found, body
    return found.group(1)


def test_an_invitation_emails_a_one_time_link_and_stores_only_its_hash(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invited = invite_staff(
            practice=cast.tidewater,
            email=" Nell@Example.org ",
            role=Role.FRONT_DESK,
            by=cast.olga_user,
            now=timezone.now(),
        )
    assert invited.link is not None and invited.membership is not None
    user = invited.membership.user
    assert user.username == "nell@example.org" and not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nell@example.org"]
    assert "Tidewater Craniosacral" in message.subject
    assert invited.link.token in message.body
    stored = Invitation.objects.get(user=user)
    assert stored.token_hash == hash_token(invited.link.token)
    assert invited.link.token not in str(Invitation.objects.values().get(pk=stored.pk))


def test_the_invitation_email_carries_no_client_or_clinical_content(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            practice=cast.tidewater,
            email="nell@example.org",
            role=Role.PRACTITIONER,
            by=cast.olga_user,
            now=timezone.now(),
        )
    body = mail.outbox[0].body
    assert "Cleo" not in body and "cleo@" not in body
    assert "Practitioner" in body and "olga" in body


def test_the_link_sets_a_password_once_signs_in_and_then_stops_working(
    client: HttpClient, cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite_staff(
            practice=cast.tidewater,
            email="nell@example.org",
            role=Role.FRONT_DESK,
            by=cast.olga_user,
            now=timezone.now(),
        )
    path = link_in(str(mail.outbox[0].body))
    page = client.get(path)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert "nell@example.org" in page.text
    response = client.post(path, {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2026"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert User.objects.get(username="nell@example.org").check_password("calm-tides-2026")
    assert client.get("/staff/").status_code == 200  # signed in
    client.logout()
    again = client.post(path, {"new_password1": "other-pass-2026", "new_password2": "other-pass-2026"})
    assert again.status_code == 404 and "no longer works" in again.text
    assert User.objects.get(username="nell@example.org").check_password("calm-tides-2026")


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(client: HttpClient, cast: Cast) -> None:
    user = invited_member(cast)
    link = issue_link(practice=cast.tidewater, user=user, by=None, now=timezone.now())
    path = f"/welcome/{link.token}/"
    weak = client.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "too common" in weak.text
    mismatch = client.post(path, {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2027"})
    assert mismatch.status_code == 200 and "didn’t match" in mismatch.text
    assert (
        client.post(path, {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2026"}).status_code == 302
    )


def test_an_expired_link_is_refused(client: HttpClient, cast: Cast) -> None:
    user = invited_member(cast)
    link = issue_link(practice=cast.tidewater, user=user, by=None, now=timezone.now() - timedelta(days=8))
    assert client.get(f"/welcome/{link.token}/").status_code == 404
    with pytest.raises(InvitationUnusable):
        accept_invitation(token=link.token, password="calm-tides-2026", now=timezone.now())


@pytest.mark.parametrize("token", ["nope", "x" * 65, "a" * 43, "a.b"])
def test_unknown_long_or_odd_tokens_get_the_same_404(client: HttpClient, cast: Cast, token: str) -> None:
    response = client.get(f"/welcome/{token}/")
    assert response.status_code == 404
    assert "This link no longer works" in response.text


def test_a_nul_byte_in_the_token_is_the_404_of_every_address_with_one(client: HttpClient, cast: Cast) -> None:
    # web/bad_input.py answers before any view: no address with a NUL byte exists.
    response = client.get("/welcome/%00/")
    assert response.status_code == 404
    assert "The address contains a null character" in response.text


def test_a_new_link_replaces_the_old_one(cast: Cast) -> None:
    user = invited_member(cast)
    first = issue_link(practice=cast.tidewater, user=user, by=None, now=timezone.now())
    second = issue_link(practice=cast.tidewater, user=user, by=None, now=timezone.now())
    with pytest.raises(InvitationUnusable):
        accept_invitation(token=first.token, password="calm-tides-2026", now=timezone.now())
    accept_invitation(token=second.token, password="calm-tides-2026", now=timezone.now())


def test_inviting_an_existing_member_is_refused_with_a_message(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="already on the staff"):
        invite_staff(
            practice=cast.tidewater, email="BEN@tidewater.test", role=Role.OWNER, by=cast.olga_user, now=timezone.now()
        )


def test_someone_with_a_login_elsewhere_is_invited_to_accept_not_added(
    cast: Cast, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # Changed deliberately: they were added at once (no consent, an oracle, the new practice's idle
    # timeout on all their sessions); now a pending invitation they accept signed in
    # (tests/setup/test_staff_invitations_existing_login.py).
    with django_capture_on_commit_callbacks(execute=True):
        invited = invite_staff(
            practice=cast.tidewater,
            email="dov@harbour.test",
            role=Role.PRACTITIONER,
            by=cast.olga_user,
            now=timezone.now(),
        )
    assert invited.link is None and invited.membership is None
    assert invited.invitation is not None and invited.invitation.user == cast.dov_user
    assert not StaffMembership.objects.filter(practice=cast.tidewater, user=cast.dov_user).exists()
    assert "/staff/invitations/" in mail.outbox[0].body and "/welcome/" not in mail.outbox[0].body


def test_the_owner_page_invites_and_keeps_what_was_typed_on_error(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    bad = client.post(
        "/staff/tidewater/settings/staff/", {"email": "not-an-email", "first_name": "Nell", "role": "front_desk"}
    )
    assert bad.status_code == 422
    assert "Enter an email address like name@example.org." in bad.text
    assert 'value="Nell"' in bad.text and 'value="not-an-email"' in bad.text
    known = client.post("/staff/tidewater/settings/staff/", {"email": "ana@tidewater.test", "role": "owner"})
    assert "already on the staff" in known.text
    good = client.post("/staff/tidewater/settings/staff/", {"email": "nell@example.org", "role": "front_desk"})
    assert good.status_code == 302
    assert StaffMembership.objects.get(practice=cast.tidewater, user__username="nell@example.org").role == "front_desk"


def test_an_owner_changes_a_role_and_removes_a_member(client: HttpClient, cast: Cast) -> None:
    client.force_login(cast.olga_user)
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    client.post(f"/staff/tidewater/settings/staff/{ben.pk}/role/", {f"m{ben.pk}-role": "practitioner"})
    ben.refresh_from_db()
    assert ben.role == "practitioner"
    ana = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ana_user)
    confirm = client.post(f"/staff/tidewater/settings/staff/{ana.pk}/remove/")
    assert confirm.status_code == 200 and "Remove ana@tidewater.test?" in confirm.text
    assert StaffMembership.objects.filter(pk=ana.pk).exists()  # asked first, nothing removed yet
    client.post(f"/staff/tidewater/settings/staff/{ana.pk}/remove/", {"confirm": "1"})
    assert not StaffMembership.objects.filter(pk=ana.pk).exists()
    cast.ana.refresh_from_db()
    assert cast.ana.user is None and cast.ana.active  # the practitioner profile stays, unlinked
    assert User.objects.filter(pk=cast.ana_user.pk).exists()


def test_removing_a_practitioner_says_what_is_booked_with_them_and_can_stop_their_bookings(
    client: HttpClient, cast: Cast
) -> None:
    """Found by a review: a removed practitioner's profile stayed on the site taking bookings, and
    the page said nothing of the sessions booked with them."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=3)
    book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=datetime.combine(day, time(10), tzinfo=ZoneInfo("America/New_York")),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    )
    client.force_login(cast.olga_user)
    ana = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ana_user)
    page = client.post(f"/staff/tidewater/settings/staff/{ana.pk}/remove/").text
    assert "1 session is booked with Ana Silva from now on." in page
    assert 'name="stop_bookings" value="1" checked' in page
    client.post(f"/staff/tidewater/settings/staff/{ana.pk}/remove/", {"confirm": "1", "stop_bookings": "1"})
    cast.ana.refresh_from_db()
    assert cast.ana.user is None and not cast.ana.active
    assert "Ana Silva" not in client.get("/p/tidewater/practitioners/").text


def test_the_last_owner_cannot_be_removed_or_demoted(client: HttpClient, cast: Cast) -> None:
    olga = StaffMembership.objects.get(practice=cast.tidewater, user=cast.olga_user)
    with pytest.raises(ValidationError, match="only owner"):
        remove_member(practice=cast.tidewater, membership_id=olga.pk, by=cast.olga_user)
    with pytest.raises(ValidationError, match="only owner"):
        change_role(practice=cast.tidewater, membership_id=olga.pk, role=Role.FRONT_DESK, by=cast.olga_user)
    client.force_login(cast.olga_user)
    page = client.post(f"/staff/tidewater/settings/staff/{olga.pk}/remove/", {"confirm": "1"}, follow=True)
    assert "only owner" in page.text
    assert StaffMembership.objects.filter(pk=olga.pk, role="owner").exists()


def test_an_owner_may_leave_once_there_is_another_owner(cast: Cast) -> None:
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    change_role(practice=cast.tidewater, membership_id=ben.pk, role=Role.OWNER, by=cast.olga_user)
    olga = StaffMembership.objects.get(practice=cast.tidewater, user=cast.olga_user)
    remove_member(practice=cast.tidewater, membership_id=olga.pk, by=cast.olga_user)
    assert list(
        StaffMembership.objects.filter(practice=cast.tidewater, role="owner").values_list("user__username", flat=True)
    ) == ["ben"]


def test_a_removed_owner_can_no_longer_act(cast: Cast) -> None:
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    change_role(practice=cast.tidewater, membership_id=ben.pk, role=Role.OWNER, by=cast.olga_user)
    olga = StaffMembership.objects.get(practice=cast.tidewater, user=cast.olga_user)
    remove_member(practice=cast.tidewater, membership_id=olga.pk, by=cast.ben_user)
    with pytest.raises(ValidationError, match="no longer an owner"):
        remove_member(practice=cast.tidewater, membership_id=ben.pk, by=cast.olga_user)


def test_create_practice_refuses_a_taken_slug_and_writes_nothing(cast: Cast) -> None:
    before = (User.objects.count(), Invitation.objects.count())
    with pytest.raises(ValidationError) as error:
        create_practice(slug="tidewater", name="Again", owner_email="x@example.org", now=timezone.now())
    assert "already taken" in str(error.value.message_dict["slug"])
    assert (User.objects.count(), Invitation.objects.count()) == before


def test_a_login_with_an_authenticator_is_not_signed_in_by_the_link(
    client: HttpClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("longtide.web.staff.welcome.has_two_factor", lambda user: True)
    link = issue_link(practice=cast.tidewater, user=cast.ben_user, by=None, now=timezone.now())
    response = client.post(
        f"/welcome/{link.token}/", {"new_password1": "calm-tides-2026", "new_password2": "calm-tides-2026"}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302  # not signed in: the second step is still needed


@pytest.mark.django_db(transaction=True)  # real commits, so the email is attempted inside the request
def test_a_mail_failure_keeps_the_invitation_and_tells_the_owner(
    client: HttpClient, cast: Cast, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens on the discard port
        }
    }
    client.force_login(cast.olga_user)
    page = client.post(
        "/staff/tidewater/settings/staff/", {"email": "nell@example.org", "role": "front_desk"}, follow=True
    )
    assert page.status_code == 200
    assert "the email could not be sent" in page.text
    assert StaffMembership.objects.filter(practice=cast.tidewater, user__username="nell@example.org").exists()
    assert "nell@example.org" not in caplog.text
