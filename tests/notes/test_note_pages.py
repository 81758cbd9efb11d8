"""The note pages: start, save (plain and HTMX autosave), conflicts, signing, the lock, addenda,
reading, who sees what, the audit rows, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.notes.models import NoteAddendum, SessionNote
from tests.notes.conftest import complete

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


def url(appointment: Any, tail: str = "") -> str:
    return f"/staff/tidewater/appointments/{appointment.pk}/note/{tail}"


def form_data(note: SessionNote | None = None, revision: int = 0, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "revision": revision,
        "style": "biodynamic",
        "session_number": 1,
        "guardian": "not_a_minor",
        "clothed": "on",
    }
    for name, value in {**complete(note), **fields}.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


@pytest.fixture
def started(cast: Cast, visit: Callable[..., Any]) -> tuple[Any, SessionNote]:
    appointment = visit()
    response = signed_in(cast.ana_user).post(url(appointment), {"action": "start"})
    assert response.status_code == 302 and response["Location"].startswith(url(appointment))
    return appointment, SessionNote.objects.get()


def test_the_appointment_page_offers_the_note_to_its_practitioner_only(cast: Cast, visit: Callable[..., Any]) -> None:
    appointment = visit()
    page = signed_in(cast.ana_user).get(f"/staff/tidewater/appointments/{appointment.pk}/")
    assert "Write the session note" in page.text
    owner_page = signed_in(cast.olga_user).get(f"/staff/tidewater/appointments/{appointment.pk}/")
    assert "No note yet; the session's practitioner writes it." in owner_page.text
    desk = signed_in(cast.ben_user).get(f"/staff/tidewater/appointments/{appointment.pk}/")
    assert desk.status_code == 200 and "Session note" not in desk.text


def test_a_practitioner_writes_saves_and_signs_without_javascript(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    page = ana.get(url(appointment))
    assert page.status_code == 200 and 'id="note-form"' in page.text
    saved = ana.post(url(appointment), {**form_data(note), "action": "save"})
    assert saved.status_code == 302
    note.refresh_from_db()
    assert note.revision == 1 and note.plan.startswith("Next session")
    signed = ana.post(url(appointment, "sign/"), form_data(note, revision=1, plan="Two weeks."))
    assert signed.status_code == 302
    note.refresh_from_db()
    assert note.is_signed and note.plan == "Two weeks." and note.hash_matches()
    page = ana.get(url(appointment))
    assert "Signed</strong> by Ana Silva, RCST" in page.text and note.content_hash in page.text
    assert 'id="note-form"' not in page.text
    assert "Practitioner impression" in page.text


def test_autosave_answers_a_fragment_with_the_new_revision(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    response = ana.post(url(appointment), form_data(note, subjective="Typed so far"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Draft saved at" in response.text and 'name="revision" value="1"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    note.refresh_from_db()
    assert note.subjective == "Typed so far"


def test_autosave_of_bad_input_says_what_is_wrong_and_saves_nothing(
    cast: Cast, started: tuple[Any, SessionNote]
) -> None:
    appointment, note = started
    response = signed_in(cast.ana_user).post(
        url(appointment), form_data(note, pain_nrs=11), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "Not saved yet" in response.text and "10" in response.text
    note.refresh_from_db()
    assert note.revision == 0


def test_a_save_from_a_stale_tab_keeps_what_was_typed_and_says_so(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment), form_data(note, subjective="From the tablet"), headers={"HX-Request": "true"})
    stale = ana.post(url(appointment), {**form_data(note, subjective="From the desk"), "action": "save"})
    assert stale.status_code == 409
    assert "saved from another tab or device" in stale.text and "From the desk" in stale.text
    assert 'name="revision" value="1"' in stale.text  # saving again replaces the other version
    note.refresh_from_db()
    assert note.subjective == "From the tablet"
    again = ana.post(url(appointment), {**form_data(note, revision=1, subjective="From the desk"), "action": "save"})
    assert again.status_code == 302
    note.refresh_from_db()
    assert note.subjective == "From the desk"


def test_signing_an_incomplete_note_saves_it_and_marks_what_is_missing(
    cast: Cast, started: tuple[Any, SessionNote]
) -> None:
    appointment, note = started
    response = signed_in(cast.ana_user).post(url(appointment, "sign/"), form_data(note, plan="", subjective="Only S"))
    assert response.status_code == 422
    assert "Write the plan section." in response.text and "Only S" in response.text
    note.refresh_from_db()
    assert not note.is_signed and note.subjective == "Only S"


def test_an_autosave_never_signs_even_when_sent_to_the_sign_address(
    cast: Cast, started: tuple[Any, SessionNote]
) -> None:
    """htmx sends an autosave to the formaction of the last button focused or clicked in the form:
    typing, then tabbing onto "Sign and lock" (or clicking it) sends the autosave to sign/. An
    HTMX request there saves the draft and answers the save-status fragment; only the button's own
    page submission signs."""
    appointment, note = started
    ana = signed_in(cast.ana_user)
    autosave = ana.post(
        url(appointment, "sign/"), form_data(note, plan="Typed, then tabbed"), headers={"HX-Request": "true"}
    )
    assert autosave.status_code == 200 and "Draft saved at" in autosave.text
    note.refresh_from_db()
    assert not note.is_signed and note.plan == "Typed, then tabbed" and note.revision == 1
    signed = ana.post(url(appointment, "sign/"), form_data(note, revision=1))
    assert signed.status_code == 302
    note.refresh_from_db()
    assert note.is_signed
    late = ana.post(url(appointment, "sign/"), form_data(note, revision=1), headers={"HX-Request": "true"})
    assert late.status_code == 409 and "Add an addendum" in late.text


def test_the_autosave_address_is_the_note_page_not_the_address_of_the_last_post(
    cast: Cast, started: tuple[Any, SessionNote]
) -> None:
    """A refused signing renders the form at .../note/sign/: its autosave and its "Save draft" button
    still go to the note, so that saving the draft there does not sign it."""
    appointment, note = started
    ana = signed_in(cast.ana_user)
    refused = ana.post(url(appointment, "sign/"), form_data(note, plan=""))
    assert refused.status_code == 422
    assert f'action="{url(appointment)}"' in refused.text and f'hx-post="{url(appointment)}"' in refused.text
    note.refresh_from_db()
    saved = ana.post(url(appointment), {**form_data(note, revision=note.revision, plan=""), "action": "save"})
    assert saved.status_code == 302
    note.refresh_from_db()
    assert not note.is_signed


def test_a_signed_note_is_not_changed_by_any_post(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment, "sign/"), form_data(note))
    note.refresh_from_db()
    before = SessionNote.objects.values().get()
    edit = ana.post(url(appointment), {**form_data(note, revision=1, plan="changed"), "action": "save"})
    assert edit.status_code == 302
    autosave = ana.post(url(appointment), form_data(note, revision=1, plan="x"), headers={"HX-Request": "true"})
    assert autosave.status_code == 409 and "Add an addendum" in autosave.text
    twice = ana.post(url(appointment, "sign/"), form_data(note, plan="changed"))
    assert twice.status_code == 302
    assert "already signed" in ana.get(url(appointment)).text
    assert SessionNote.objects.values().get() == before


def test_an_addendum_sent_twice_is_one_addendum(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    """Addenda cannot be deleted: a double click (the same form twice) must not leave two. Another
    addendum, or the same words later or by someone else, is a new one."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    appointment, note = started
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment, "sign/"), form_data(note))
    form = {"reason": "Client called", "text": "Headache that evening"}
    assert [ana.post(url(appointment, "addenda/"), form).status_code for _ in range(2)] == [302, 302]
    assert NoteAddendum.objects.count() == 1
    assert ana.post(url(appointment, "addenda/"), {**form, "text": "And the next day"}).status_code == 302
    assert ana.post(url(appointment, "addenda/"), form).status_code == 302  # not the last one: new
    assert signed_in(cast.olga_user).post(url(appointment, "addenda/"), form).status_code == 302
    assert NoteAddendum.objects.count() == 4
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert signed_in(cast.olga_user).post(url(appointment, "addenda/"), form).status_code == 302
    assert NoteAddendum.objects.count() == 5


def test_an_addendum_is_shown_after_the_unchanged_note(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment, "sign/"), form_data(note))
    empty = ana.post(url(appointment, "addenda/"), {"reason": "", "text": "Headache that evening"})
    assert empty.status_code == 422 and "Headache that evening" in empty.text
    added = ana.post(url(appointment, "addenda/"), {"reason": "Client called", "text": "Headache that evening"})
    assert added.status_code == 302
    page = ana.get(url(appointment)).text
    assert (
        page.index("Signed</strong> by Ana Silva") < page.index("Client called") < page.index("Headache that evening")
    )
    assert NoteAddendum.objects.get().author == cast.ana_user
    # The owner may add one too; a front desk may not even find the page.
    assert (
        signed_in(cast.olga_user).post(url(appointment, "addenda/"), {"reason": "Correction", "text": "x"}).status_code
        == 302
    )
    assert signed_in(cast.ben_user).post(url(appointment, "addenda/"), {"reason": "r", "text": "x"}).status_code == 404
    assert NoteAddendum.objects.count() == 2


def test_the_owner_reads_but_does_not_write_another_practitioners_note(
    cast: Cast, started: tuple[Any, SessionNote]
) -> None:
    appointment, note = started
    owner = signed_in(cast.olga_user)
    page = owner.get(url(appointment))
    assert page.status_code == 200 and 'id="note-form"' not in page.text and "Draft — not signed" in page.text
    refused = owner.post(url(appointment), {**form_data(note), "action": "save"})
    assert refused.status_code == 403
    assert signed_in(cast.olga_user).post(url(appointment, "sign/"), form_data(note)).status_code == 403
    note.refresh_from_db()
    assert note.revision == 0


def test_front_desk_never_sees_a_note_or_that_it_exists(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment, "sign/"), form_data(note, subjective="Secret jaw clicking story"))
    desk = signed_in(cast.ben_user)
    assert desk.get(url(appointment)).status_code == 404
    assert desk.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/").status_code == 404
    for path in (f"/staff/tidewater/appointments/{appointment.pk}/", "/staff/tidewater/calendar/"):
        text = desk.get(path).text
        assert "Secret jaw" not in text and "Session note" not in text


def test_a_practitioner_outside_the_care_team_is_kept_out(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner, Role, StaffMembership

    appointment, _ = started
    bea = get_user_model().objects.create_user("bea", "bea@tidewater.test", "pw")
    Practitioner.objects.create(practice=cast.tidewater, user=bea, display_name="Bea", slug="bea", style="biodynamic")
    StaffMembership.objects.create(practice=cast.tidewater, user=bea, role=Role.PRACTITIONER)
    response = signed_in(bea).get(url(appointment))
    assert response.status_code == 403 and "not in your care" in response.text
    assert "Neck stiff" not in response.text
    cast.tidewater.shared_care = True
    cast.tidewater.save()
    assert signed_in(bea).get(url(appointment)).status_code == 200


def test_every_read_of_a_note_is_audited_with_its_basis(cast: Cast, started: tuple[Any, SessionNote]) -> None:
    appointment, note = started
    signed_in(cast.ana_user).get(url(appointment))
    signed_in(cast.olga_user).get(url(appointment))
    signed_in(cast.olga_user).get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/?q=neck")
    views = list(
        AuditEvent.objects.filter(action="view").values_list("actor_id", "object_type", "object_id", "basis", "detail")
    )
    assert views == [
        (cast.ana_user.pk, "session_note", str(note.pk), "care_team", ""),
        (cast.olga_user.pk, "session_note", str(note.pk), "owner", ""),
        (cast.olga_user.pk, "session_note_list", str(cast.cleo.pk), "owner", "0 notes, searched"),
    ]


def test_a_clients_notes_are_listed_in_order_and_searchable(cast: Cast, visit: Callable[..., Any]) -> None:
    ana = signed_in(cast.ana_user)
    for days_ago, words in ((14, "Jaw tight after dentist"), (7, "Sleeping better"), (0, "Neck better")):
        appointment = visit(days_ago=days_ago)
        ana.post(url(appointment), {"action": "start"})
        ana.post(
            url(appointment, "sign/"), form_data(SessionNote.objects.get(appointment=appointment), subjective=words)
        )
    listing = ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/").text
    assert listing.index("Jaw tight") < listing.index("Sleeping better") < listing.index("Neck better")
    assert "late entry" in listing
    found = ana.get(f"/staff/tidewater/clients/{cast.cleo.pk}/notes/?q=SLEEPING").text
    assert "Sleeping better" in found and "Jaw tight" not in found


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subjective", "NUL \x00 byte", "Null characters are not allowed"),
        ("pain_nrs", "11", "less than or equal to 10"),
        ("mouth_opening_mm", "-3", "greater than or equal to 0"),
        ("revision", "99999999999999999999", "out of date or damaged"),
        ("holds", "not_a_hold", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_rest(
    cast: Cast, started: tuple[Any, SessionNote], field: str, value: str, message: str
) -> None:
    appointment, note = started
    data = {**form_data(note, assessment="Kept assessment"), field: value, "action": "save"}
    response = signed_in(cast.ana_user).post(url(appointment), data)
    assert response.status_code == 422
    assert message in response.text and "Kept assessment" in response.text
    note.refresh_from_db()
    assert note.revision == 0


@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_unknown_or_huge_ids_are_a_404(cast: Cast, pk: str) -> None:
    ana = signed_in(cast.ana_user)
    assert ana.get(f"/staff/tidewater/appointments/{pk}/note/").status_code == 404
    assert ana.get(f"/staff/tidewater/clients/{pk}/notes/").status_code == 404


def test_starting_twice_makes_one_note(cast: Cast, visit: Callable[..., Any]) -> None:
    appointment = visit()
    ana = signed_in(cast.ana_user)
    ana.post(url(appointment), {"action": "start"})
    ana.post(url(appointment), {"action": "start"})
    assert SessionNote.objects.count() == 1


def test_no_note_for_a_cancelled_or_future_appointment(cast: Cast, visit: Callable[..., Any]) -> None:
    future = visit(days_ago=-1)
    ana = signed_in(cast.ana_user)
    response = ana.post(url(future), {"action": "start"})
    assert response.status_code == 302
    assert "once the session has begun" in ana.get(response["Location"]).text
    assert not SessionNote.objects.exists()
