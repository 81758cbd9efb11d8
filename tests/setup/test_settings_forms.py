"""The settings forms: specific messages, what was typed kept, bounds on every policy, NUL bytes and
very long text refused with a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import Cast
from longtide.practice.models import Location, Practice, Room, Service

pytestmark = pytest.mark.django_db
POLICIES = "/staff/tidewater/settings/policies/"
GOOD_POLICY = {
    "min_notice_hours": "12",
    "booking_horizon_days": "90",
    "slot_step_minutes": "15",
    "cancellation_window_hours": "24",
    "new_clients_first_visit": "on",
    "booking_hold_minutes": "120",
    "online_bookings_per_email_per_day": "6",
    "online_bookings_per_ip_per_hour": "20",
    "note_overdue_days": "1",
}


@pytest.fixture
def owner(client: HttpClient, cast: Cast) -> HttpClient:
    client.force_login(cast.olga_user)
    return client


def test_policies_save_within_bounds(owner: HttpClient, cast: Cast) -> None:
    response = owner.post(POLICIES, {**GOOD_POLICY, "min_notice_hours": "48", "slot_step_minutes": "30"})
    assert response.status_code == 302
    cast.tidewater.refresh_from_db()
    assert (cast.tidewater.min_notice_hours, cast.tidewater.slot_step_minutes) == (48, 30)
    assert owner.post(POLICIES, {**GOOD_POLICY, "note_overdue_days": "5"}).status_code == 302
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.note_overdue_days == 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_notice_hours", "-1", "The notice cannot be negative"),
        ("min_notice_hours", "100000", "At most 720 hours (30 days) of notice."),
        ("min_notice_hours", "twelve", "Enter a whole number of hours, e.g. 12."),
        ("booking_horizon_days", "0", "Clients need at least 1 day to book in."),
        ("booking_horizon_days", "99999999999999999999", "At most 730 days (two years) ahead."),
        ("slot_step_minutes", "7", "Choose one of the offered steps."),
        ("cancellation_window_hours", "-5", "The window cannot be negative"),
        ("cancellation_window_hours", "1000", "At most 336 hours (14 days)."),
        ("booking_hold_minutes", "5", "Hold a booking for at least 15 minutes"),
        ("booking_hold_minutes", "99999999999999999999", "At most 1440 minutes (a day)."),
        ("online_bookings_per_email_per_day", "0", "Allow at least 1 booking a day."),
        ("online_bookings_per_email_per_day", "51", "At most 50 bookings a day."),
        ("online_bookings_per_ip_per_hour", "0", "Allow at least 1 booking an hour."),
        ("online_bookings_per_ip_per_hour", "1001", "At most 1000 bookings an hour."),
        ("online_bookings_per_ip_per_hour", "lots", "Enter a whole number, e.g. 20."),
        ("note_overdue_days", "0", "At least 1 day: notes are written the same day."),
        ("note_overdue_days", "31", "At most 30 days."),
        ("note_overdue_days", "soon", "Enter a whole number of days, e.g. 1."),
    ],
)
def test_each_policy_has_bounds_with_a_specific_message(
    owner: HttpClient, cast: Cast, field: str, value: str, message: str
) -> None:
    response = owner.post(
        POLICIES,
        {
            **GOOD_POLICY,
            field: value,
            "min_notice_hours": GOOD_POLICY["min_notice_hours"] if field != "min_notice_hours" else value,
        },
    )
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{value}"' in response.text or field == "slot_step_minutes"
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.min_notice_hours == 12 and cast.tidewater.booking_horizon_days == 90


def test_a_notice_longer_than_the_horizon_is_refused(owner: HttpClient) -> None:
    response = owner.post(POLICIES, {**GOOD_POLICY, "min_notice_hours": "72", "booking_horizon_days": "2"})
    assert "clients could never book" in response.text


def test_practice_details_refuse_nul_bytes_and_bad_codes_and_keep_the_rest(owner: HttpClient, cast: Cast) -> None:
    response = owner.post(
        "/staff/tidewater/settings/practice/",
        {"name": "Tide\x00water", "tagline": "Quiet rooms 🌊", "currency": "dollars", "email": "nope"},
    )
    assert response.status_code == 422
    assert "Null characters are not allowed." in response.text
    assert "Use a three-letter currency code" in response.text
    assert "Enter a valid email address." in response.text
    assert "Quiet rooms 🌊" in response.text
    cast.tidewater.refresh_from_db()
    assert cast.tidewater.name == "Tidewater Craniosacral"


def test_home_page_text_is_saved_and_shown_on_the_public_page(owner: HttpClient) -> None:
    text = "We are a small clinic. CST may help some people; the evidence is limited and mixed."
    assert owner.post("/staff/tidewater/settings/home-page/", {"intro": text}).status_code == 302
    assert text in HttpClient().get("/p/tidewater/").text


def test_very_long_home_page_text_gets_a_message(owner: HttpClient) -> None:
    response = owner.post("/staff/tidewater/settings/home-page/", {"intro": "a" * 5001})
    assert "At most 5000 characters (this has 5001)." in response.text


def test_a_location_needs_a_time_zone_from_the_list(owner: HttpClient) -> None:
    response = owner.post("/staff/tidewater/settings/locations/new/", {"name": "Annex", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Choose a time zone from the list" in response.text
    assert 'value="Annex"' in response.text
    created = owner.post(
        "/staff/tidewater/settings/locations/new/", {"name": "Annex", "time_zone": "Europe/London", "country": "gb"}
    )
    location = Location.objects.get(name="Annex")
    assert location.country == "GB" and location.time_zone == "Europe/London"
    # A new location without rooms leads straight to adding one.
    assert created["Location"] == f"/staff/tidewater/settings/locations/{location.pk}/rooms/new/"


def test_rooms_are_added_to_a_location_of_this_practice_only(owner: HttpClient, cast: Cast) -> None:
    assert (
        owner.post(
            f"/staff/tidewater/settings/locations/{cast.location.pk}/rooms/new/", {"name": "Birch", "active": "on"}
        ).status_code
        == 302
    )
    assert Room.objects.filter(location=cast.location, name="Birch").exists()
    assert owner.get(f"/staff/tidewater/settings/locations/{cast.harbour_location.pk}/rooms/new/").status_code == 404
    assert owner.get(f"/staff/tidewater/settings/rooms/{cast.harbour_room.pk}/").status_code == 404


def service_data(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "name": "Long session",
        "description": "",
        "duration_minutes": "90",
        "price": "130.00",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "15",
        "active": "on",
        **overrides,
    }


def test_a_service_is_added_with_practitioners_rooms_and_a_unique_slug(owner: HttpClient, cast: Cast) -> None:
    data = service_data(practitioners=[str(cast.ana.pk)], rooms=[str(cast.cedar.pk)], name="CST Session!")
    assert owner.post("/staff/tidewater/settings/services/new/", data).status_code == 302
    service = Service.objects.get(name="CST Session!")
    assert (
        service.slug == "cst-session"
        and list(service.practitioners.all()) == [cast.ana]
        and list(service.rooms.all()) == [cast.cedar]
    )
    assert service.sort_order > cast.first_visit.sort_order


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_minutes": "0"}, "A session lasts at least 5 minutes."),
        ({"duration_minutes": "721"}, "A session lasts at most 720 minutes (12 hours)."),
        ({"price": "-1"}, "The price cannot be negative"),
        ({"price": "1.234"}, "Use at most two decimal places"),
        ({"price": "99999999999999999999"}, "The price is too large"),
        ({"buffer_after_minutes": "241"}, "A buffer is at most 240 minutes."),
        ({"name": ""}, "Give the service a name."),
        ({"name": "cst session"}, "There is already a service called cst session."),
    ],
)
def test_service_mistakes_get_specific_messages(
    owner: HttpClient, cast: Cast, overrides: dict[str, str], message: str
) -> None:
    response = owner.post(
        "/staff/tidewater/settings/services/new/", service_data(description="Typed description", **overrides)
    )
    assert response.status_code == 422
    assert message in response.text
    assert "Typed description" in response.text
    assert Service.objects.filter(practice=cast.tidewater).count() == 2


def test_someone_elses_practitioner_or_room_cannot_be_chosen(owner: HttpClient, cast: Cast) -> None:
    response = owner.post(
        "/staff/tidewater/settings/services/new/",
        service_data(practitioners=[str(cast.dov.pk)], rooms=[str(cast.harbour_room.pk)]),
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text


def test_services_move_up_and_down_in_the_sites_order(owner: HttpClient, cast: Cast) -> None:
    def order() -> list[str]:
        return list(Service.objects.filter(practice=cast.tidewater).values_list("name", flat=True))

    assert order() == ["CST session", "First visit"]
    owner.post(f"/staff/tidewater/settings/services/{cast.first_visit.pk}/move/", {"direction": "up"})
    assert order() == ["First visit", "CST session"]
    owner.post(f"/staff/tidewater/settings/services/{cast.first_visit.pk}/move/", {"direction": "up"})  # already first
    assert order() == ["First visit", "CST session"]
    owner.post(f"/staff/tidewater/settings/services/{cast.first_visit.pk}/move/", {"direction": "down"})
    assert order() == ["CST session", "First visit"]


def test_a_hidden_service_leaves_the_public_list(owner: HttpClient, cast: Cast) -> None:
    data = service_data(name="First visit", duration_minutes="90", price="140.00", practitioners=[str(cast.ana.pk)])
    data.pop("active")
    assert owner.post(f"/staff/tidewater/settings/services/{cast.first_visit.pk}/", data).status_code == 302
    cast.first_visit.refresh_from_db()
    assert not cast.first_visit.active
    assert "First visit" not in HttpClient().get("/p/tidewater/services/").text


def test_a_service_without_appointments_can_be_deleted(owner: HttpClient, cast: Cast) -> None:
    owner.post(f"/staff/tidewater/settings/services/{cast.first_visit.pk}/delete/")
    assert not Service.objects.filter(pk=cast.first_visit.pk).exists()


def test_a_practitioner_is_added_with_services_and_sent_to_their_hours(owner: HttpClient, cast: Cast) -> None:
    data = {"display_name": "Bo Lind", "style": "integrative", "services": [str(cast.session.pk)], "active": "on"}
    response = owner.post("/staff/tidewater/settings/practitioners/new/", data)
    bo = cast.tidewater.practitioners.get(display_name="Bo Lind")
    assert response["Location"] == f"/staff/tidewater/settings/practitioners/{bo.pk}/hours/"
    assert bo.slug == "bo-lind" and list(bo.services.all()) == [cast.session]


def test_only_this_practices_unlinked_members_can_be_linked_to_a_practitioner(owner: HttpClient, cast: Cast) -> None:
    data = {"display_name": "Bo Lind", "style": "integrative", "active": "on"}
    mine = owner.post("/staff/tidewater/settings/practitioners/new/", {**data, "user": str(cast.ben_user.pk)})
    assert mine.status_code == 302
    outsider = owner.post(
        "/staff/tidewater/settings/practitioners/new/", {**data, "display_name": "X", "user": str(cast.dov_user.pk)}
    )
    assert "Select a valid choice" in outsider.text
    taken = owner.post(
        "/staff/tidewater/settings/practitioners/new/", {**data, "display_name": "Y", "user": str(cast.ana_user.pk)}
    )
    assert "Select a valid choice" in taken.text


def test_only_members_who_have_joined_are_offered_as_a_practitioners_login(owner: HttpClient, cast: Cast) -> None:
    """An invited new address is a membership at once, an invited existing login only an invitation:
    offering the first as a login to link would tell the owner which addresses had no login."""
    from django.utils import timezone

    from longtide.practice.models import Role
    from longtide.practice.staff import invite_staff

    invited = invite_staff(
        practice=cast.tidewater,
        email="brand.new@example.test",
        role=Role.PRACTITIONER,
        by=cast.olga_user,
        now=timezone.now(),
    )
    assert invited.membership is not None
    page = owner.get("/staff/tidewater/settings/practitioners/new/").text
    assert "brand.new" not in page and f'value="{cast.ben_user.pk}"' in page
    data = {"display_name": "Bo Lind", "style": "integrative", "active": "on"}
    refused = owner.post(
        "/staff/tidewater/settings/practitioners/new/", {**data, "user": str(invited.membership.user_id)}
    )
    assert "Select a valid choice" in refused.text


def test_a_twenty_digit_id_is_a_404(owner: HttpClient) -> None:
    for path in ["services", "practitioners", "locations", "rooms"]:
        assert owner.get(f"/staff/tidewater/settings/{path}/99999999999999999999/").status_code == 404
    assert owner.post("/staff/tidewater/settings/staff/99999999999999999999/remove/").status_code == 404


def test_settings_pages_are_never_cached(owner: HttpClient) -> None:
    for path in ["", "practice/", "staff/", "services/"]:
        assert "no-store" in owner.get(f"/staff/tidewater/settings/{path}")["Cache-Control"]


def test_a_new_practice_shows_its_owner_the_checklist_until_it_can_take_a_booking(
    owner: HttpClient, cast: Cast
) -> None:
    from longtide.scheduling.readiness import setup_progress

    bare = Practice.objects.create(name="Bare", slug="bare")
    bare.memberships.create(user=cast.olga_user, role="owner")
    page = owner.get("/staff/bare/settings/").text
    assert "0 of 5 done" in page
    assert 'href="/staff/bare/settings/locations/new/"' in page
    assert "Not yet open for online booking." in owner.get("/staff/").text
    assert setup_progress(cast.tidewater).ready
    assert "Clients can book online now." in owner.get("/staff/tidewater/settings/").text
