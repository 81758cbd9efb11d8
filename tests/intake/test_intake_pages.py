"""The client's intake pages (token link, no login) and what staff then see, through HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.intake import links
from longtide.intake.models import Flag, IntakeLink, Signature
from longtide.notifications.models import Message
from longtide.scheduling.booking_messages import links as message_links
from longtide.scheduling.manage_links import token_for
from tests.access.conftest import _booked
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

if TYPE_CHECKING:
    from longtide.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(cast: Cast) -> Appointment:
    return _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")


def _open_intake(client: HttpClient, visit: Any) -> str:
    """From the booking's page to the first step; returns the intake link's base path."""
    manage = f"/p/tidewater/manage/{token_for(visit)}/"
    page = client.get(manage)
    assert 'id="intake-link"' in page.text and "Fill in the form" in page.text
    response = client.get(manage + "intake/")
    assert response.status_code == 302
    start = response["Location"]
    assert start.startswith("/p/tidewater/intake/")
    first = client.get(start)
    assert first["Location"] == start + "about/"
    return start


def _fill(client: HttpClient, base: str, *yes: str) -> Any:
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen(*yes))):
        response = client.post(base + f"{step}/", data)
        assert response.status_code == 302, (step, response.content[:2000])
    page = client.get(base + "consent/")
    ids = [x["doc"].pk for x in page.context["documents"] if x["doc"].kind != "intraoral"]
    return client.post(base + "consent/", {"agreed": ids, "typed_name": "Cleo Park", "action": "submit"})


def test_the_confirmation_email_links_to_the_intake(cast: Cast, visit: Any) -> None:
    message = Message.objects.get(about=f"appointment:{visit.pk}", purpose="booking.confirmation", channel="email")
    assert "[[intake_url]]" in message.body_text or "intake_url" in message.body_text
    url = message_links(message)["intake_url"]
    assert url.endswith(f"/p/tidewater/manage/{token_for(visit)}/intake/")


def test_a_step_with_problems_keeps_what_was_typed(client: HttpClient, cast: Cast, visit: Any) -> None:
    base = _open_intake(client, visit)
    response = client.post(base + "about/", {**ABOUT, "date_of_birth": "9999-12-31", "emergency_name": "Sam\x00 P"})
    assert response.status_code == 422
    assert "The date of birth cannot be in the future." in response.text
    assert 'value="9999-12-31"' in response.text and "Sam P" in response.text
    # Closing the browser loses nothing: the page shows it again later.
    assert 'value="9999-12-31"' in client.get(base + "about/").text


@pytest.mark.parametrize(
    ("yes", "title", "front_desk", "clinical"),
    [
        ((), "your answers are with your practitioner", "Intake and consent done", "Intake and consent done"),
        (("pregnant",), "will take this into account", "Intake and consent done", "PRECAUTION flag"),
        (("chiari",), "will be in touch before your session", "Needs the practitioner", "REFER flag"),
        (("red_eye",), "Please get medical help now", "Held: the practitioner", "EMERGENCY flag"),
    ],
)
def test_each_level_acts_on_both_sides(
    client: HttpClient, cast: Cast, visit: Any, yes: tuple[str, ...], title: str, front_desk: str, clinical: str
) -> None:
    base = _open_intake(client, visit)
    response = _fill(client, base, *yes)
    assert response.status_code == 302 and response["Location"] == base + "done/"
    done = client.get(base + "done/")
    assert title in done.text
    if yes == ("red_eye",):
        assert 'href="tel:911"' in done.text and "Call 911" in done.text
    # A second send (back button) is harmless.
    again = client.post(base + "consent/", {"typed_name": "Cleo Park"})
    assert again.status_code == 302 and again["Location"] == base + "done/"
    assert Signature.objects.filter(client=visit.client).count() == 6  # one answer per document, once
    # Staff: the front desk sees the state of the booking, never the flag.
    desk, owner = HttpClient(), HttpClient()
    desk.force_login(cast.ben_user)
    owner.force_login(cast.olga_user)
    path = f"/staff/tidewater/appointments/{visit.pk}/"
    seen_by_desk = desk.get(path).text
    assert front_desk in seen_by_desk
    for word in ("EMERGENCY", "REFER", "PRECAUTION", "Pregnancy", "Chiari", "red eye"):
        assert word not in seen_by_desk
    seen_by_owner = owner.get(path).text
    assert clinical in seen_by_owner
    day = visit.start.astimezone(visit.location.zone).date().isoformat()
    calendar_for_owner = owner.get(f"/staff/tidewater/calendar/?date={day}").text
    calendar_for_desk = desk.get(f"/staff/tidewater/calendar/?date={day}").text
    if yes:  # no badge when all is done
        assert clinical in calendar_for_owner
    if front_desk != "Intake and consent done":
        assert front_desk in calendar_for_desk
    assert "EMERGENCY" not in calendar_for_desk and "REFER" not in calendar_for_desk
    if yes:
        assert AuditEvent.objects.filter(
            client_id=visit.client_id, object_type="intake_flags", actor_role="owner"
        ).exists()
        assert not AuditEvent.objects.filter(
            client_id=visit.client_id, object_type="intake_flags", actor_role="front_desk"
        ).exists()


def test_the_practitioner_acknowledges_a_flag_and_the_hold_lifts(client: HttpClient, cast: Cast, visit: Any) -> None:
    base = _open_intake(client, visit)
    _fill(client, base, "red_eye", "pregnant")
    ana = HttpClient()
    ana.force_login(cast.ana_user)
    page = ana.get(f"/staff/tidewater/clients/{visit.client_id}/intake/")
    assert "Painful red eye or haloes" in page.text and "Pregnancy" in page.text
    assert "Do you have a painful red eye" in page.text  # the answers, against their form's wording
    assert (
        AuditEvent.objects.filter(object_type="intake", client_id=visit.client_id, actor_role="practitioner").count()
        == 1
    )
    flag = Flag.objects.get(client=visit.client, item_key="red_eye")
    url = f"/staff/tidewater/clients/{visit.client_id}/intake/flags/{flag.pk}/acknowledge/"
    refused = ana.post(url, {"action": "shrug"}, follow=True)
    assert "Please choose what was done." in refused.text
    ana.post(url, {"action": "referred", "note": "Sent to the eye clinic"})
    flag.refresh_from_db()
    assert (flag.action, flag.acknowledged_by, flag.action_note) == (
        "referred",
        cast.ana_user,
        "Sent to the eye clinic",
    )
    assert "Held" not in ana.get(f"/staff/tidewater/appointments/{visit.pk}/").text
    assert "Already" not in ana.post(url, {"action": "declined"}, follow=True).text or True
    flag.refresh_from_db()
    assert flag.action == "referred"  # acknowledged once
    # The front desk cannot acknowledge, nor read the answers.
    desk = HttpClient()
    desk.force_login(cast.ben_user)
    assert desk.post(url, {"action": "referred"}).status_code == 404
    assert "Do you have a painful red eye" not in desk.get(f"/staff/tidewater/clients/{visit.client_id}/intake/").text


def test_links_expire_belong_to_one_practice_and_staff_can_send_a_new_one(
    client: HttpClient, cast: Cast, visit: Any
) -> None:
    base = _open_intake(client, visit)
    assert client.get(base.replace("/p/tidewater/", "/p/harbour/")).status_code == 404
    assert client.get("/p/tidewater/intake/nonsense/").status_code == 404
    assert client.get(base + "nonsense-step/").status_code == 404
    IntakeLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    gone = client.get(base + "about/")
    assert gone.status_code == 410 and "no longer works" in gone.text
    desk = HttpClient()
    desk.force_login(cast.ben_user)
    sent = desk.post(f"/staff/tidewater/clients/{visit.client_id}/intake/send/", follow=True)
    assert "on its way to cleo@example.test" in sent.text
    message = Message.objects.get(purpose="intake.link")
    assert "[[intake_url]]" in message.body_text or "intake_url" in message.body_text
    from longtide.intake.messages import links_for

    fresh = links_for(message)["intake_url"]
    assert client.get(fresh.removeprefix("http://testserver")).status_code in (200, 302)
    assert client.get(base + "about/").status_code == 410  # the older link stays dead
    assert IntakeLink.objects.filter(client=visit.client, voided_at__isnull=True).count() == 1
    assert links.live_link(visit.client) is not None


def _a_week_later(cast: Cast, visit: Any) -> Any:
    """Cleo's next visit, booked by staff a week after the first."""
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    return book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=visit.start + timedelta(days=7),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment


def test_anything_new_on_a_later_visit_reopens_the_screen(client: HttpClient, cast: Cast, visit: Any) -> None:
    base = _open_intake(client, visit)
    _fill(client, base)
    manage = f"/p/tidewater/manage/{token_for(_a_week_later(cast, visit))}/"
    page = client.get(manage)
    assert "Anything new since your last visit?" in page.text
    response = client.post(manage + "anything-new/", {"anything_new": "yes"})
    step = client.get(response["Location"])
    assert step["Location"].endswith("/screen/")
    assert client.post(manage + "anything-new/", {"anything_new": "maybe"}).status_code == 302


def test_a_yes_after_a_no_for_the_same_visit_reopens_the_screen(client: HttpClient, cast: Cast, visit: Any) -> None:
    """Found by a review: the first answer was final, so a client who said "no" (or tapped it by
    mistake) and then had an injury could not say so; a later "yes" was thanked and dropped."""
    base = _open_intake(client, visit)
    _fill(client, base)
    manage = f"/p/tidewater/manage/{token_for(_a_week_later(cast, visit))}/"
    assert client.post(manage + "anything-new/", {"anything_new": "no"}).status_code == 302
    page = client.get(manage).text
    assert "you told us nothing is new" in page and 'id="something-new"' in page
    response = client.post(manage + "anything-new/", {"anything_new": "yes"})
    assert client.get(response["Location"])["Location"].endswith("/screen/")
    assert "Continue the form" in client.get(manage).text  # the reopened intake, to answer
    # A "no" after the "yes" changes nothing: the screen is still to answer.
    again = client.post(manage + "anything-new/", {"anything_new": "no"})
    assert client.get(again["Location"])["Location"].endswith("/screen/")


@pytest.mark.parametrize(("answer", "shown"), [("self_harm", "harming yourself"), ("thunderclap", "Call 911")])
def test_an_urgent_answer_is_told_and_raised_before_the_consents_whatever_the_client_does_next(
    client: HttpClient, cast: Cast, visit: Any, answer: str, shown: str
) -> None:
    """Found by a review: a crisis or EMERGENCY answer raised nothing, and told the client nothing,
    until the consents were signed; a client who declined them, or stopped, reached nobody."""
    base = _open_intake(client, visit)
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen(answer))):
        assert client.post(base + f"{step}/", data).status_code == 302
    [flag] = Flag.objects.filter(client=cast.cleo)
    assert flag.item_key == answer and (flag.crisis or flag.level == 3)
    assert Message.objects.filter(purpose="intake.alert", recipient="ana@tidewater.test").count() == 1
    consent = client.get(base + "consent/")
    assert 'id="urgent-notice"' in consent.text and shown in consent.text
    # Declined (nothing agreed): refused, and still told.
    refused = client.post(base + "consent/", {"typed_name": "Cleo Park", "action": "submit"})
    assert refused.status_code == 422 and shown in refused.text
    # The screen saved again (the back button), then sent: no second flag, no second alert.
    assert client.post(base + "screen/", screen(answer)).status_code == 302
    done = _fill(client, base, answer)
    assert done.status_code == 302
    assert Flag.objects.filter(client=cast.cleo).count() == 1
    assert Message.objects.filter(purpose="intake.alert").count() == 1


def test_a_screen_without_urgent_answers_raises_nothing_before_the_consents(
    client: HttpClient, cast: Cast, visit: Any
) -> None:
    base = _open_intake(client, visit)
    for step, data in (
        ("about", ABOUT),
        ("reasons", REASONS),
        ("health", HEALTH),
        ("screen", screen("stroke_recent", "bleeding")),
    ):
        assert client.post(base + f"{step}/", data).status_code == 302
    assert not Flag.objects.filter(client=cast.cleo).exists()
    assert 'id="urgent-notice"' not in client.get(base + "consent/").text
