"""Merging two records of the same person (records/merge.py and its staff page), on the demo clinic,
on the real database (SQLite or PostgreSQL per DATABASE_URL): what moves, what the kept record
takes, the merge record and the audit event, the refusals, and the page's rules (owners and front
desk; another practice's records are not found; a second submit changes nothing)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast
from longtide.audit.models import AuditEvent
from longtide.audit.trail import Actor
from longtide.clients.directory import search_clients
from longtide.clients.models import Client
from longtide.intake import actions as intake_actions
from longtide.intake.models import Flag, Intake, Signature
from longtide.notifications.models import Message
from longtide.practice.models import Practice
from longtide.records.merge import MergeRefused, merge_clients, preview
from longtide.records.models import ClientMerge
from longtide.sampledata.demo import seed_demo
from longtide.scheduling.booking import ClientDetails, book_appointment
from longtide.scheduling.booking_messages import about
from longtide.scheduling.models import Appointment, Source
from longtide.scheduling.search import search_slots

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Practice:
    return seed_demo()


def user(name: str) -> User:
    return get_user_model().objects.get(username=name)


def desk() -> Actor:
    return Actor(user("frontdesk"), "front_desk")


def client_named(practice: Practice, first: str) -> Client:
    return Client.objects.get(practice=practice, first_name=first, merged_into__isnull=True)


def second_record(practice: Practice, first: str, last: str, **contact: str) -> Client:
    """A second record of the same person, as a phone booking or a second address makes one."""
    return Client.objects.create(practice=practice, first_name=first, last_name=last, **contact)


def test_everything_of_the_duplicate_moves_and_the_merge_is_recorded(demo: Practice) -> None:
    sam = client_named(demo, "Sam")  # submitted intake, an acknowledged flag, consents, visits
    phone_record = second_record(demo, "Sam", "Ortiz", phone="+1 718 555 0123")
    before: dict[str, Any] = {
        "appointments": set(Appointment.objects.filter(client=sam).values_list("pk", flat=True)),
        "intakes": Intake.objects.filter(client=sam).count(),
        "flags": Flag.objects.filter(client=sam).count(),
        "signatures": Signature.objects.filter(client=sam).count(),
    }
    assert before["appointments"] and before["intakes"] and before["flags"] and before["signatures"]
    shown = preview(phone_record, sam)
    assert shown.refusal is None and shown.filled == ["email"]
    assert dict(shown.moves)["appointments"] == len(before["appointments"])

    merge = merge_clients(
        practice=demo, kept=phone_record, duplicate=sam, by=desk(), now=timezone.now(), seen=shown.fingerprint
    )
    kept = Client.objects.get(pk=phone_record.pk)
    assert set(Appointment.objects.filter(client=kept).values_list("pk", flat=True)) == before["appointments"]
    assert Intake.objects.filter(client=kept).count() == before["intakes"]
    assert Flag.objects.filter(client=kept).count() == before["flags"]
    assert Signature.objects.filter(client=kept).count() == before["signatures"]
    assert not Appointment.objects.filter(client=sam).exists()
    # The kept record takes the address it lacked; the duplicate keeps only its pointer.
    assert kept.email == "sam.ortiz@example.invalid" and kept.phone == "+1 718 555 0123"
    sam.refresh_from_db()
    assert sam.merged_into == kept and sam.email == "" and sam.in_use == kept
    assert (merge.merged_name, merge.merged_email, merge.merged_by) == (
        "Sam Ortiz",
        "sam.ortiz@example.invalid",
        user("frontdesk"),
    )
    assert merge.moved["scheduling.appointment"] == len(before["appointments"])
    event = AuditEvent.objects.get(object_type="client_merge")
    assert (event.client_id, event.actor_id, event.action) == (kept.pk, user("frontdesk").pk, "change")
    assert f"merged client {sam.pk} into {kept.pk}" in event.detail
    # Out of the list and searches; a booking with the old address files under the record kept.
    assert sam not in search_clients(demo, "Sam") and kept in search_clients(demo, "Sam")
    service = demo.services.get(slug="cst-60")
    # A time free then, three weeks on (a fixed hour fell on a Sunday, when nobody works, on some days).
    first_day = timezone.localdate() + timedelta(days=20)
    found = search_slots(
        practice=demo, service=service, first_day=first_day, last_day=first_day + timedelta(days=6), now=timezone.now()
    )
    start = found.slots[0].start
    booked = book_appointment(
        practice=demo,
        service=service,
        practitioner=None,
        start=start,
        client=ClientDetails("Sam", "Ortiz", "sam.ortiz@example.invalid"),
        source=Source.STAFF,
    )
    assert booked.appointment.client == kept


def test_messages_and_histories_go_with_their_appointments(demo: Practice) -> None:
    cleo = client_named(demo, "Cleo")
    typo = second_record(demo, "Cleo", "Parks", email="cleo.parks@example.invalid")
    visit = Appointment.objects.filter(client=cleo, start__gt=timezone.now()).order_by("start").first()
    assert visit is not None
    Appointment.objects.filter(pk=visit.pk).update(client=typo)
    Message.objects.create(
        practice_id=demo.pk,
        about=about(visit.pk),
        purpose="booking.reminder",
        channel="email",
        recipient=typo.email,
        subject="Reminder",
        body_text="Reminder",
        dedupe_key=f"test-reminder-{visit.pk}",
        send_after=timezone.now(),
    )
    events = visit.events.count()
    assert preview(cleo, typo).messages == 1
    merge_clients(practice=demo, kept=cleo, duplicate=typo, by=desk(), now=timezone.now())
    visit.refresh_from_db()
    assert visit.client == cleo and visit.events.count() == events
    assert cleo.email == "cleo.park@example.invalid"  # the kept record had an address: it keeps its own


def test_a_duplicate_with_signed_notes_is_refused_and_the_other_way_round_works(demo: Practice) -> None:
    cleo = client_named(demo, "Cleo")  # signed session notes
    second = second_record(demo, "Cleo", "Park", phone="+1 718 555 0188")
    with pytest.raises(MergeRefused) as refused:
        merge_clients(practice=demo, kept=second, duplicate=cleo, by=desk(), now=timezone.now())
    assert "signed session notes" in refused.value.message and "Keep that record instead" in refused.value.message
    assert not Client.objects.filter(merged_into__isnull=False).exists()
    merge_clients(practice=demo, kept=cleo, duplicate=second, by=desk(), now=timezone.now())
    cleo.refresh_from_db()
    assert cleo.phone == "+1 718 555 0188"


def test_the_refusals(demo: Practice) -> None:
    ada = client_named(demo, "Ada")  # an unfinished intake
    other = second_record(demo, "Ada", "Kent", phone="+1 718 555 0177")
    intake_actions.draft_for(other)
    now = timezone.now()
    cases = [
        (ada, ada, "cannot be merged into itself"),
        (other, ada, "Both records have an unfinished intake form"),
    ]
    for kept, duplicate, message in cases:
        with pytest.raises(MergeRefused, match=message):
            merge_clients(practice=demo, kept=kept, duplicate=duplicate, by=desk(), now=now)
    Intake.objects.filter(client=other).delete()
    stale = preview(ada, other).fingerprint
    Appointment.objects.filter(client=ada).update(client=other)  # someone booked meanwhile
    with pytest.raises(MergeRefused, match="changed in these records since the preview"):
        merge_clients(practice=demo, kept=ada, duplicate=other, by=desk(), now=now, seen=stale)
    merge_clients(practice=demo, kept=ada, duplicate=other, by=desk(), now=now, seen=preview(ada, other).fingerprint)
    with pytest.raises(MergeRefused, match="already merged"):
        merge_clients(practice=demo, kept=ada, duplicate=other, by=desk(), now=now)
    erased = second_record(demo, "Ada", "Kent", phone="+1 718 555 0166")
    Client.objects.filter(pk=erased.pk).update(contact_erased_at=now)
    erased.refresh_from_db()
    with pytest.raises(MergeRefused, match="erased at the client's request"):
        merge_clients(practice=demo, kept=ada, duplicate=erased, by=desk(), now=now)
    third = second_record(demo, "Ada", "K", phone="1")
    with pytest.raises(MergeRefused, match="merge into that one"):
        merge_clients(practice=demo, kept=other, duplicate=third, by=desk(), now=now)
    assert ClientMerge.objects.count() == 1


# -- the page -------------------------------------------------------------------------------------


def signed_in(name: str) -> HttpClient:
    http = HttpClient()
    http.force_login(user(name))
    return http


def test_the_front_desk_finds_previews_and_confirms_and_a_second_submit_changes_nothing(demo: Practice) -> None:
    marta = client_named(demo, "Marta")  # phone only
    online = second_record(demo, "Marta", "Ruiz", email="marta.ruiz@example.test")
    http = signed_in("frontdesk")
    page = http.get(f"/staff/demo/clients/{marta.pk}/").text
    assert f"/staff/demo/clients/{marta.pk}/merge/" in page
    found = http.get(f"/staff/demo/clients/{marta.pk}/merge/", {"q": "marta"}).text
    assert f"?duplicate={online.pk}" in found and f"?duplicate={marta.pk}" not in found
    shown = http.get(f"/staff/demo/clients/{marta.pk}/merge/", {"duplicate": online.pk})
    text = shown.content.decode()
    assert shown.status_code == 200 and "takes the duplicate's email" in text
    fingerprint = preview(marta, online).fingerprint
    assert f'value="{fingerprint}"' in text
    data = {"duplicate": online.pk, "seen": fingerprint}
    done = http.post(f"/staff/demo/clients/{marta.pk}/merge/", data)
    assert done.status_code == 302 and done["Location"] == f"/staff/demo/clients/{marta.pk}/"
    again = http.post(f"/staff/demo/clients/{marta.pk}/merge/", data)
    assert again.status_code == 409 and "already merged" in again.content.decode()
    assert ClientMerge.objects.count() == 1
    kept_page = http.get(f"/staff/demo/clients/{marta.pk}/").content.decode()
    assert "Merged in: Marta Ruiz's record (marta.ruiz@example.test" in kept_page and "by frontdesk" in kept_page
    old_page = http.get(f"/staff/demo/clients/{online.pk}/").content.decode()
    assert "This record was merged into" in old_page
    # The old record's merge page leads to the record kept.
    assert http.get(f"/staff/demo/clients/{online.pk}/merge/")["Location"] == f"/staff/demo/clients/{marta.pk}/"


def test_practitioners_may_not_merge_and_other_practices_records_are_not_found(demo: Practice, cast: Cast) -> None:
    marta = client_named(demo, "Marta")
    online = second_record(demo, "Marta", "Ruiz", email="marta.ruiz@example.test")
    maya = signed_in("maya")
    assert maya.get(f"/staff/demo/clients/{marta.pk}/merge/").status_code == 404
    assert maya.post(f"/staff/demo/clients/{marta.pk}/merge/", {"duplicate": online.pk}).status_code == 404
    assert f"/clients/{marta.pk}/merge/" not in maya.get(f"/staff/demo/clients/{marta.pk}/").content.decode()
    desk_http = signed_in("frontdesk")
    theirs = cast.cleo  # Tidewater's client
    assert desk_http.get(f"/staff/demo/clients/{theirs.pk}/merge/").status_code == 404
    wrong = desk_http.post(f"/staff/demo/clients/{marta.pk}/merge/", {"duplicate": theirs.pk, "seen": "x"})
    assert wrong.status_code == 400 and "not one of this practice" in wrong.content.decode()
    for bad in ("99999999999999999999", "1\x00", "-3"):
        answer = desk_http.get(f"/staff/demo/clients/{marta.pk}/merge/", {"duplicate": bad})
        assert answer.status_code == 400, bad
    assert not ClientMerge.objects.exists() and theirs.merged_into_id is None


def test_front_desk_sees_a_duplicates_outcome_records_as_one_count(cast: Cast) -> None:
    """Which outcome records a client has (a headache diary, its entries) says what they came for:
    front desk's merge preview counts them together; clinical staff see each kind."""
    from longtide.measurement.actions import open_episode, save_diary_day
    from tests.measurement.conftest import send, staff_actor, today, visit

    duplicate = Client.objects.create(
        practice=cast.tidewater, first_name="Cleo", last_name="Park", email="cleo2@example.test"
    )
    first = today(cast) - timedelta(days=10)
    visit(cast, duplicate, first)
    episode = open_episode(
        client=duplicate, concern="headache", opened_on=first, by=staff_actor(cast.ana_user), now=timezone.now()
    )
    link, _token = send(episode, "headache_diary", "diary")
    for back in range(3):
        save_diary_day(
            link=link,
            day=today(cast) - timedelta(days=back),
            data={"headache": "0"},
            by=staff_actor(None),
            now=timezone.now(),
        )
    address = f"/staff/tidewater/clients/{cast.cleo.pk}/merge/?duplicate={duplicate.pk}"
    desk, owner = HttpClient(), HttpClient()
    desk.force_login(cast.ben_user)
    owner.force_login(cast.olga_user)
    seen_by_desk, seen_by_owner = desk.get(address), owner.get(address)
    assert seen_by_desk.status_code == seen_by_owner.status_code == 200
    assert "5 outcome records (the care team&#x27;s to read)" in seen_by_desk.text
    for word in ("diary", "episode", "questionnaire", "headache"):
        assert word not in seen_by_desk.text.lower()
    assert "3 diary entries" in seen_by_owner.text and "1 outcome episodes" in seen_by_owner.text
    # Both were shown the same records: the confirmation's fingerprint does not depend on who looks.
    assert preview(cast.cleo, duplicate).fingerprint == preview(cast.cleo, duplicate, clinical=True).fingerprint
