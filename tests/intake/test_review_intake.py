"""Six defects of the client intake a review confirmed (docs/intake.md), each with the test that
failed before its fix: an erased client's old booking email reopening the intake, a consent step
signing a version the client never saw, a reopened intake sent without a question added since, a
500 when a second tab saves a step of a just-sent form, control characters shown back on a refused
consent step, and a guardian's relationship silently cut to 100 characters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.trail import Actor, Origin
from longtide.intake.models import Intake, IntakeLink, IntakeStatus, Signature, VisitCheck
from longtide.records.erasure import erase_contact
from longtide.scheduling.manage_links import token_for
from longtide.scheduling.models import Appointment
from tests.access.conftest import _booked
from tests.intake.helpers import ABOUT, HEALTH, REASONS, screen

pytestmark = pytest.mark.django_db


def _consent_post(page: Any, *, typed_name: str = "Cleo Park", **extra: Any) -> dict[str, Any]:
    """What the consent step's form sends: the documents it showed (hidden `shown`), the ones
    ticked (all but the intra-oral work), the typed name."""
    documents = [x["doc"] for x in page.context["documents"]]
    return {
        "shown": [d.pk for d in documents],
        "agreed": [d.pk for d in documents if d.kind != "intraoral"],
        "typed_name": typed_name,
        "action": "submit",
        **extra,
    }


def _fill_and_send(client: HttpClient, visit: Any) -> None:
    manage = f"/p/tidewater/manage/{token_for(visit)}/"
    base = client.get(manage + "intake/")["Location"]
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert client.post(base + f"{step}/", data).status_code == 302
    sent = client.post(base + "consent/", _consent_post(client.get(base + "consent/")))
    assert sent.status_code == 302 and sent["Location"].endswith("/done/")


def _to_the_past(visit: Appointment) -> None:
    """The visit happened last week and nobody marked it (it is still 'booked')."""
    shift = timedelta(days=10)
    Appointment.objects.filter(pk=visit.pk).update(
        start=visit.start - shift,
        end=visit.end - shift,
        blocked_start=visit.blocked_start - shift,
        blocked_end=visit.blocked_end - shift,
    )


def _erase(visit: Appointment, cast: Cast) -> None:
    erase_contact(
        visit.client, by=Actor(cast.olga_user, "owner"), reason="Client asked to erase contact", now=timezone.now()
    )


# 1. An erased client's old booking email does not reopen their intake.


def test_anything_new_from_an_erased_clients_old_booking_opens_nothing(client: HttpClient, cast: Cast) -> None:
    """An old confirmation email (forwarded, in a shared inbox) of a visit nobody marked, after the
    client's contact details were erased on request: "Anything new? → yes" answers with the intake's
    closed page (410) and makes no link, no draft prefilled with their date of birth, phone,
    emergency contact and health answers, and no visit check."""
    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    _fill_and_send(client, visit)
    _to_the_past(visit)
    _erase(visit, cast)
    assert not IntakeLink.objects.filter(client=visit.client, voided_at__isnull=True).exists()

    response = HttpClient().post(f"/p/tidewater/manage/{token_for(visit)}/anything-new/", {"anything_new": "yes"})

    assert response.status_code == 410
    assert "This link no longer works" in response.text
    assert ABOUT["emergency_phone"] not in response.text
    assert not IntakeLink.objects.filter(client=visit.client, voided_at__isnull=True).exists()
    assert not Intake.objects.filter(client=visit.client, status=IntakeStatus.DRAFT).exists()
    assert not VisitCheck.objects.filter(appointment=visit).exists()


def test_an_erased_clients_old_booking_does_not_make_an_intake_link(cast: Cast) -> None:
    """The booking's "Fill in the form" (`manage/<token>/intake/`) of an erased client answers the
    intake's closed page (410) and makes no new link."""
    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    _to_the_past(visit)
    _erase(visit, cast)

    response = HttpClient().get(f"/p/tidewater/manage/{token_for(visit)}/intake/")

    assert response.status_code == 410
    assert "This link no longer works" in response.text
    assert not IntakeLink.objects.filter(client=visit.client, voided_at__isnull=True).exists()


def test_no_intake_link_is_made_for_an_erased_client(cast: Cast) -> None:
    """The guard at the model layer: `links.new_link` and `link_or_new` refuse a client whose
    contact details were erased on request, whoever calls them."""
    from longtide.intake import links

    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    _to_the_past(visit)
    _erase(visit, cast)
    visit.client.refresh_from_db()

    with pytest.raises(links.ErasedClient):
        links.new_link(visit.client)
    with pytest.raises(links.ErasedClient):
        links.link_or_new(visit.client)
    assert not IntakeLink.objects.filter(client=visit.client, voided_at__isnull=True).exists()


# 2. The consent step signs only the versions the client was shown.


def test_a_document_published_while_the_consent_step_was_open_is_not_signed_unseen(
    client: HttpClient, cast: Cast
) -> None:
    """The owner publishes a new version of an optional document while the client reads the consent
    step: sending signs nothing (422, "the clinic updated a document"), the page shows the new
    version, what was typed is kept, and once sent again the client's answer to the new version is
    the one they gave on it."""
    from longtide.intake import actions

    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    base = client.get(f"/p/tidewater/manage/{token_for(visit)}/intake/")["Location"]
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert client.post(base + f"{step}/", data).status_code == 302
    page = client.get(base + "consent/")
    shown = [x["doc"] for x in page.context["documents"]]
    assert all(f'name="shown" value="{d.pk}"' in page.text for d in shown)
    posted = _consent_post(page)  # agrees to reminders v1, among others
    newer = actions.publish_document(cast.tidewater, "reminders", "Reminders", "New reminder terms.", "I agree")

    refused = client.post(base + "consent/", posted)

    assert refused.status_code == 422
    assert "The clinic updated a document while this page was open" in refused.text
    assert "New reminder terms." in refused.text
    assert 'value="Cleo Park"' in refused.text
    assert not Signature.objects.filter(client=visit.client).exists()
    assert Intake.objects.get(client=visit.client).status == IntakeStatus.DRAFT

    again = _consent_post(client.get(base + "consent/"))
    assert newer.pk in again["shown"]
    assert client.post(base + "consent/", again).status_code == 302
    assert Signature.objects.get(client=visit.client, document=newer).agreed


# 3. A reopened intake asks a required question added since.


def test_a_reopened_intake_asks_a_required_question_added_since(client: HttpClient, cast: Cast) -> None:
    """ "Anything new? → yes" after the owner added a required question to the health step: the
    prefilled health step is not marked done, the client is taken to it, the consent step refuses
    to send without it (422, the intake stays a draft), and once answered the intake is sent with
    the answer."""
    from longtide.intake import actions, form
    from longtide.scheduling.booking import ClientDetails, book_appointment
    from longtide.scheduling.models import Source

    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    _fill_and_send(client, visit)
    definition = form.with_question(
        {}, label="Do you have a pacemaker or other implant?", kind="yesno", required=True, choices=()
    )
    actions.publish_form(cast.tidewater, definition)
    key = "x_" + definition["questions"][0]["key"]  # type: ignore[index]
    later = book_appointment(
        practice=cast.tidewater,
        service=cast.session,
        practitioner=cast.ana,
        start=visit.start + timedelta(days=7),
        client=ClientDetails("Cleo", "Park", "cleo@example.test"),
        source=Source.STAFF,
    ).appointment
    manage = f"/p/tidewater/manage/{token_for(later)}/"
    start = client.post(manage + "anything-new/", {"anything_new": "yes"})["Location"]
    taken_to = client.get(start)["Location"]
    assert taken_to.endswith("/health/"), taken_to
    base = taken_to.removesuffix("health/")
    draft = Intake.objects.get(client=later.client, status=IntakeStatus.DRAFT)
    assert draft.steps_done == ["about", "reasons"]

    assert client.post(base + "screen/", screen()).status_code == 302
    refused = client.post(base + "consent/", _consent_post(client.get(base + "consent/")))
    assert refused.status_code == 422
    assert "Some steps still need answers: Your health." in refused.text
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.DRAFT

    assert client.post(base + "health/", {**HEALTH, key: "no"}).status_code == 302
    sent = client.post(base + "consent/", _consent_post(client.get(base + "consent/")))
    assert sent.status_code == 302 and sent["Location"].endswith("/done/")
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.SUBMITTED
    assert draft.answers["health"][key] == "no"


def test_sending_rechecks_every_step_against_the_intakes_form_version(cast: Cast) -> None:
    """A draft whose steps were marked done before a required question reached its form version
    (one reopened before this fix) is not sent: `submit` checks each step's answers again, takes the
    failing step off `steps_done` and signs nothing."""
    from longtide.intake import actions, form

    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    today = timezone.localdate()
    draft = actions.draft_for(visit.client)
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert actions.save_step(draft, step, data, today=today).ok
    definition = form.with_question({}, label="Any implants?", kind="yesno", required=True, choices=())
    Intake.objects.filter(pk=draft.pk).update(form=actions.publish_form(cast.tidewater, definition))
    draft.refresh_from_db()
    documents = actions.current_documents(cast.tidewater)
    answer = actions.ConsentAnswer({d.pk for d in documents}, "Cleo Park")

    done = actions.submit(draft, answer, origin=Origin("127.0.0.1", "test"), today=today)

    assert done.errors[""] == "Some steps still need answers: Your health."
    draft.refresh_from_db()
    assert draft.status == IntakeStatus.DRAFT
    assert draft.steps_done == ["about", "reasons", "screen"]
    assert not Signature.objects.filter(client=visit.client).exists()


# 4. A step saved in a second tab after the first tab sent.


def test_a_step_saved_from_a_second_tab_while_the_first_sends_shows_the_answer_page(
    client: HttpClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tabs: tab A sends the consent step while tab B saves the health step. Tab B found the
    draft a moment before tab A's send committed; its save then goes to the answer page (as
    docs/intake.md promises of any step of a sent intake), not a 500, and changes nothing."""
    from longtide.intake import actions
    from longtide.web.client import intake as pages

    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    base = client.get(f"/p/tidewater/manage/{token_for(visit)}/intake/")["Location"]
    for step, data in (("about", ABOUT), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert client.post(base + f"{step}/", data).status_code == 302
    documents = actions.current_documents(cast.tidewater)
    answer = actions.ConsentAnswer({d.pk for d in documents if d.required}, "Cleo Park")
    original = pages._open

    def open_then_other_tab_sends(*args: Any, **kwargs: Any) -> Any:
        link, draft = original(*args, **kwargs)
        if draft is not None:
            actions.submit(draft, answer, origin=Origin("127.0.0.1", "tab A"), today=pages._today(link))
        return link, draft

    monkeypatch.setattr(pages, "_open", open_then_other_tab_sends)
    other_tab = HttpClient(raise_request_exception=False)
    other_tab.cookies = client.cookies
    response = other_tab.post(base + "health/", {**HEALTH, "medications": "changed in tab B"})

    assert response.status_code == 302 and response["Location"].endswith("/done/")
    sent = Intake.objects.get(client=visit.client)
    assert sent.status == IntakeStatus.SUBMITTED
    assert sent.answers["health"]["medications"] == HEALTH["medications"]


# 5. and 6. What the consent step shows back and stores.


def _to_consent(client: HttpClient, cast: Cast, about: dict[str, str]) -> tuple[str, Any]:
    visit = _booked(cast.tidewater, cast.session, cast.ana, "America/New_York", "", "cleo@example.test")
    base = client.get(f"/p/tidewater/manage/{token_for(visit)}/intake/")["Location"]
    for step, data in (("about", about), ("reasons", REASONS), ("health", HEALTH), ("screen", screen())):
        assert client.post(base + f"{step}/", data).status_code == 302, step
    return base, client.get(base + "consent/")


def test_a_refused_consent_step_shows_the_name_without_control_characters(client: HttpClient, cast: Cast) -> None:
    """Nothing ticked (refused, 422) with a typed name holding a NUL and an escape character: the
    page shows the name back without them, as docs/intake.md says of everything shown."""
    base, page = _to_consent(client, cast, ABOUT)

    response = client.post(base + "consent/", {**_consent_post(page, typed_name="Cleo\x00 Pa\x1brk"), "agreed": []})

    assert response.status_code == 422
    assert "\x00" not in response.text and "\x1b" not in response.text
    assert 'value="Cleo Park"' in response.text


MINOR = {
    **ABOUT,
    "date_of_birth": "2015-04-23",
    "guardian_name": "Pat Park",
    "guardian_relationship": "mother",
    "guardian_phone": "207 555 0103",
}


def test_a_guardian_relationship_too_long_is_refused_not_cut(client: HttpClient, cast: Cast) -> None:
    """A parent's relationship over 100 characters is refused with a message (422), what was typed
    is shown again whole, and nothing is signed: never stored cut to 100 characters."""
    base, page = _to_consent(client, cast, MINOR)
    relationship = "mother, and legal guardian under the court order of " + "x" * 60

    response = client.post(base + "consent/", _consent_post(page, typed_name="Pat Park", relationship=relationship))

    assert response.status_code == 422
    assert "Please keep the relationship under 100 characters." in response.text
    assert f'value="{relationship}"' in response.text
    assert not Signature.objects.filter(client__email="cleo@example.test").exists()


def test_a_guardian_relationship_of_100_characters_is_stored_whole(client: HttpClient, cast: Cast) -> None:
    """The limit's edge: exactly 100 characters are signed and stored as typed."""
    base, page = _to_consent(client, cast, MINOR)
    relationship = "legal guardian " + "x" * 85

    response = client.post(base + "consent/", _consent_post(page, typed_name="Pat Park", relationship=relationship))

    assert response.status_code == 302
    stored = set(
        Signature.objects.filter(client__email="cleo@example.test").values_list("guardian_relationship", flat=True)
    )
    assert stored == {relationship}
