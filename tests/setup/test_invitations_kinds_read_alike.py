"""An invitation reads the same to the inviting owner whichever kind it is (a membership for a new
address, a StaffInvitation for an existing login), in every rule that counts staff: a supervisor's
invited students, the practice's owners, the setup checklist; and two practices inviting the same
new address at once is no 500. Found by a review of the invitation work."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.practice.models import Practice, Role, StaffMembership
from longtide.practice.staff import invite_staff

pytestmark = pytest.mark.django_db
STAFF = "/staff/tidewater/settings/staff/"
PENDING = "/staff/tidewater/settings/staff/invited/"


def _existing_login() -> str:
    User.objects.create_user("zed@elsewhere.test", "zed@elsewhere.test", "pw-zed-123")
    return "zed@elsewhere.test"


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_demoting_a_supervisor_does_not_tell_whether_the_invited_student_has_a_login(
    client: HttpClient, cast: Cast
) -> None:
    """Invite a student supervised by Ana, then make Ana front desk: a new address (a membership at
    once) blocks it, an existing login (an invitation) does not, so the owner learns which it was."""
    existing = _existing_login()
    client.force_login(cast.olga_user)
    ana_m = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ana_user)
    outcomes = []
    for email in (existing, "zyx@example.org"):
        invited = client.post(
            STAFF,
            {"email": email, "first_name": "Zia", "last_name": "", "role": "student", "supervisor": cast.ana_user.pk},
            follow=True,
        )
        assert invited.status_code == 200
        demote = client.post(f"{STAFF}{ana_m.pk}/role/", {f"m{ana_m.pk}-role": "front_desk"}, follow=True)
        role_after = StaffMembership.objects.get(pk=ana_m.pk).role
        outcomes.append((role_after, [m.replace(email, "ADDRESS") for m in _messages(demote)]))
        StaffMembership.objects.filter(pk=ana_m.pk).update(role=Role.PRACTITIONER)
        client.post(PENDING, {"email": email, "action": "withdraw"}, follow=True)
    assert outcomes[0] == outcomes[1], outcomes


def test_an_owner_giving_up_ownership_does_not_tell_whether_the_invited_owner_has_a_login(
    client: HttpClient, cast: Cast
) -> None:
    """Invite an owner, then the (only) owner makes herself a practitioner: a new address's pending
    membership counts as another owner (allowed), an existing login's invitation does not (refused)."""
    existing = _existing_login()
    olga_m = StaffMembership.objects.get(practice=cast.tidewater, user=cast.olga_user)
    outcomes = []
    for email in (existing, "zyx@example.org"):
        client.force_login(cast.olga_user)
        assert (
            client.post(STAFF, {"email": email, "first_name": "Zia", "last_name": "", "role": "owner"}).status_code
            == 302
        )
        client.post(f"{STAFF}{olga_m.pk}/role/", {f"m{olga_m.pk}-role": "practitioner"})
        outcomes.append(StaffMembership.objects.get(pk=olga_m.pk).role)
        StaffMembership.objects.filter(pk=olga_m.pk).update(role=Role.OWNER)
        client.post(PENDING, {"email": email, "action": "withdraw"})
    # An unjoined invitee must not count as the practice's other owner, whichever kind it is.
    assert outcomes == [Role.OWNER, Role.OWNER], outcomes


def test_the_setup_checklist_does_not_tell_whether_the_invited_address_has_a_login(
    client: HttpClient, cast: Cast
) -> None:
    solo = Practice.objects.create(name="Solo Practice", slug="solo")
    StaffMembership.objects.create(practice=solo, user=cast.olga_user, role=Role.OWNER)
    existing = _existing_login()
    client.force_login(cast.olga_user)
    seen = []
    for email in (existing, "zyx@example.org"):
        r = client.post(
            "/staff/solo/settings/staff/",
            {"email": email, "first_name": "Zia", "last_name": "", "role": "front_desk"},
            follow=True,
        )
        assert r.status_code == 200  # the message is shown (and consumed) on the staff page
        page = client.get("/staff/solo/settings/")
        import re

        seen.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.text))
        client.post("/staff/solo/settings/staff/invited/", {"email": email, "action": "withdraw"}, follow=True)
    assert seen[0] == seen[1]


@pytest.mark.django_db(transaction=True)
def test_two_practices_inviting_the_same_new_address_at_once_is_not_a_500(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tidewater and Harbour invite the same new address at the same moment. Each locks only its own
    practice, so both miss the other's uncommitted new User and both insert username=email: the
    second gets an IntegrityError (a 500 on the page) instead of an invitation. The pause below only
    holds the first transaction open after its INSERT, as a slow mail/link step would."""
    import threading

    from django.db import connection

    import longtide.practice.staff as staff

    if connection.vendor != "postgresql":
        pytest.skip("needs two real concurrent transactions (PostgreSQL)")
    StaffMembership.objects.filter(practice=cast.harbour, user=cast.dov_user).update(role=Role.OWNER)
    from longtide.practice.invitations import issue_link as real_issue_link

    first_inserted = threading.Event()
    release = threading.Event()

    def slow_issue_link(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["practice"].slug == "tidewater":
            first_inserted.set()
            release.wait(10)
        return real_issue_link(**kwargs)

    monkeypatch.setattr(staff, "issue_link", slow_issue_link)
    errors: list[BaseException] = []

    def invite(practice: Practice, by: User) -> None:
        try:
            invite_staff(
                practice=practice, email="same.new@example.org", role=Role.FRONT_DESK, by=by, now=timezone.now()
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    a = threading.Thread(target=invite, args=(cast.tidewater, cast.olga_user))
    a.start()
    assert first_inserted.wait(10)
    b = threading.Thread(target=invite, args=(cast.harbour, cast.dov_user))
    b.start()
    b.join(1.0)  # B is now blocked on the unique index behind A's uncommitted row
    release.set()
    a.join(10)
    b.join(10)
    assert errors == [], [type(e).__name__ + ": " + str(e) for e in errors]
    assert StaffMembership.objects.filter(user__username="same.new@example.org").count() == 2
