"""The public booking flow and the manage link, through Django's test client."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from longtide.notifications.delivery import deliver_due
from longtide.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SLOT = "2026-12-02T15:00:00+00:00|{pid}"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def details(cast, **over):
    data = {
        "slot": SLOT.format(pid=cast.ana.pk),
        "first_name": "Cleo",
        "last_name": "Park",
        "email": "cleo@example.test",
        "phone": "",
        "note": "",
    }
    data.update(over)
    return data


def test_the_service_page_lists_first_visits_apart(client: HttpClient, cast) -> None:
    page = client.get("/p/tidewater/book/").text
    assert "New to Tidewater Craniosacral?" in page
    assert "First visit" in page and "CST session" in page


def test_the_practitioner_step_offers_anyone_and_a_style_filter(client: HttpClient, cast) -> None:
    page = client.get("/p/tidewater/book/cst-60/").text
    assert 'value="any"' in page and "Ana Silva" in page
    filtered = client.get("/p/tidewater/book/cst-60/?style=biomechanical").text
    assert "Ana Silva" not in filtered


def test_the_times_step_shows_a_week_of_local_times(client: HttpClient, cast) -> None:
    page = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-02").text
    assert "Wednesday 2 December" in page
    assert "9:00 AM" in page and "4:00 PM" in page and "4:15 PM" not in page
    assert "(EST)" in page
    assert "Later →" in page


def test_the_times_step_answers_htmx_with_only_the_week(client: HttpClient, cast) -> None:
    response = client.get(
        f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}&from=2026-12-09", headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="week"')
    assert "<html" not in response.text


def test_today_inside_the_notice_period_has_no_times(client: HttpClient, cast) -> None:
    page = client.get(f"/p/tidewater/book/cst-60/times/?practitioner={cast.ana.pk}").text
    today = page.split('id="day-2026-12-01"', 1)[1].split("</section>", 1)[0]
    assert "No free times." in today


def test_booking_end_to_end_redirects_to_the_manage_page_and_emails(client: HttpClient, cast) -> None:
    response = client.post("/p/tidewater/book/cst-60/details/", details(cast, note="sore neck"))
    assert response.status_code == 302
    assert "/p/tidewater/manage/" in response["Location"]
    page = client.get(response["Location"]).text
    assert "You're booked." in page
    assert "Wednesday 2 December 2026, 10:00 AM EST" in page
    assert deliver_due(worker="test").sent == 1
    assert len(mail.outbox) == 1
    token = response["Location"].split("/manage/")[1].split("/")[0]
    assert token in mail.outbox[0].body
    appointment = Appointment.objects.get()
    assert appointment.note == "sore neck"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"email": "cleo@"}, "Enter an email address like name@example.com."),
        ({"first_name": ""}, "This field is required."),
        ({"phone": "call me maybe"}, "Enter a phone number"),
        ({"slot": "garbage"}, "That time is not valid"),
    ],
)
def test_bad_details_are_explained_and_what_was_typed_is_kept(client: HttpClient, cast, over, message) -> None:
    data = details(cast, note="please use the side door", **over)
    response = client.post("/p/tidewater/book/cst-60/details/", data)
    assert response.status_code == 400
    assert message in response.text
    assert "please use the side door" in response.text
    assert 'value="Park"' in response.text
    assert Appointment.objects.count() == 0


def test_a_taken_time_offers_alternatives_and_keeps_the_details(client: HttpClient, cast) -> None:
    client.post("/p/tidewater/book/cst-60/details/", details(cast))
    response = client.post(
        "/p/tidewater/book/cst-60/details/", details(cast, email="di@example.test", first_name="Di", note="hello")
    )
    assert response.status_code == 409
    assert "that time was just taken" in response.text
    assert 'type="radio" name="slot"' in response.text
    assert 'value="Di"' in response.text and "hello" in response.text
    assert Appointment.objects.count() == 1


def test_a_past_or_too_soon_time_is_refused_with_the_reason(client: HttpClient, cast) -> None:
    response = client.post(
        "/p/tidewater/book/cst-60/details/", details(cast, slot=f"2026-12-01T15:00:00+00:00|{cast.ana.pk}")
    )
    assert response.status_code == 400
    assert "at least 12 hours&#x27; notice" in response.text


def test_new_clients_are_sent_to_the_first_visit(client: HttpClient, cast) -> None:
    cast.tidewater.new_clients_first_visit = True
    cast.tidewater.save()
    response = client.post("/p/tidewater/book/cst-60/details/", details(cast))
    assert response.status_code == 400
    assert "New clients start with a first visit" in response.text
    assert "/p/tidewater/book/first-visit/" in response.text


def test_the_manage_link_cancels_inside_the_window(client: HttpClient, cast) -> None:
    location = client.post("/p/tidewater/book/cst-60/details/", details(cast))["Location"]
    token = location.split("/manage/")[1].split("/")[0]
    response = client.post(f"/p/tidewater/manage/{token}/cancel/", follow=True)
    assert "Your appointment is cancelled." in response.text
    assert Appointment.objects.get().status == Status.CANCELLED_CLIENT
    assert "Cancelled by client" in response.text


def test_the_manage_link_reschedules(client: HttpClient, cast) -> None:
    location = client.post("/p/tidewater/book/cst-60/details/", details(cast))["Location"]
    token = location.split("/manage/")[1].split("/")[0]
    page = client.get(f"/p/tidewater/manage/{token}/reschedule/?from=2026-12-02").text
    assert '2:00 PM<span class="visually-hidden"> on Wednesday 2 December</span>' in page
    response = client.post(
        f"/p/tidewater/manage/{token}/reschedule/", {"slot": f"2026-12-02T19:00:00+00:00|{cast.ana.pk}"}, follow=True
    )
    assert "Your appointment is moved to Wednesday 2 December 2026, 2:00 PM EST." in response.text
    assert Appointment.objects.get().start == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def test_inside_the_window_the_manage_page_says_how_to_reach_the_clinic(client: HttpClient, cast) -> None:
    cast.tidewater.phone = "+1 555 0199"
    cast.tidewater.save()
    location = client.post("/p/tidewater/book/cst-60/details/", details(cast))["Location"]
    token = location.split("/manage/")[1].split("/")[0]
    with time_machine.travel(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), tick=False):
        page = client.get(f"/p/tidewater/manage/{token}/").text
        assert "can't be changed online" in page and "+1 555 0199" in page
        assert "Cancel appointment" not in page
        refused = client.post(f"/p/tidewater/manage/{token}/cancel/", follow=True).text
        assert "can&#x27;t be made online" in refused
    assert Appointment.objects.get().status == Status.BOOKED


def test_a_wrong_manage_token_is_a_404(client: HttpClient, cast) -> None:
    assert client.get("/p/tidewater/manage/not-a-token/").status_code == 404


def test_a_manage_token_only_works_under_its_own_practice(client: HttpClient, cast) -> None:
    location = client.post("/p/tidewater/book/cst-60/details/", details(cast))["Location"]
    token = location.split("/manage/")[1].split("/")[0]
    assert client.get(f"/p/harbour/manage/{token}/").status_code == 404
