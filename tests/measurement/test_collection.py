"""Collecting answers: episodes, questionnaire links (hashed, expiring, one client, one answer),
the questionnaire page on a phone (no JavaScript), scoring at write time, the headache diary with
catch-up, and the security walk (other practice, replay, expiry, NUL, out of range, double submit)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from conftest import Cast, ClientResponse, without_random_keys
from longtide.audit.models import AuditEvent
from longtide.intake.links import hash_token
from longtide.measurement.actions import Refused, open_episode, save_diary_day
from longtide.measurement.models import DiaryEntry, QuestionnaireLink, Response
from longtide.notifications.models import Message
from longtide.outcomes import instruments
from tests.measurement.conftest import send, staff_actor, today, visit

pytestmark = pytest.mark.django_db

GAD7_ANSWERS = {f"q{n}": "2" for n in range(1, 8)}


def test_an_episode_takes_its_primary_questionnaire_from_the_concern(cast: Cast, episode: Any) -> None:
    assert episode.primary_instrument == "nprs_pain"
    assert AuditEvent.objects.filter(object_type="episode", action="create", client_id=cast.cleo.pk).count() == 1
    with pytest.raises(Refused, match="already has an open episode"):
        open_episode(
            client=cast.cleo,
            concern="neck_back_pain",
            opened_on=episode.opened_on,
            by=staff_actor(None),
            now=timezone.now(),
        )
    with pytest.raises(Refused, match="concern from the list"):
        open_episode(
            client=cast.cleo, concern="neck\x00", opened_on=episode.opened_on, by=staff_actor(None), now=timezone.now()
        )


def test_the_link_is_stored_hashed_and_the_email_names_no_questionnaire(cast: Cast, episode: Any) -> None:
    link, token = send(episode, "gad7", by=cast.ana_user)
    assert token not in link.token_hash and link.token_hash == hash_token(token)
    message = Message.objects.get(about=f"outcomes-link:{link.pk}")
    assert message.recipient == "cleo@example.test"
    text = (message.subject + message.body_text).lower()
    for clinical in ("gad", "anxiety", "neck", "pain", "questionnaire about", "headache"):
        assert clinical not in text
    assert token not in message.body_text  # a placeholder, filled at send time
    assert "[[outcomes_url]]" in message.body_text


def test_a_client_answers_on_a_phone_and_the_score_is_stored_at_write_time(cast: Cast, episode: Any) -> None:
    link, token = send(episode, "gad7")
    web = HttpClient(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    page = web.get(f"/p/tidewater/questions/{token}/")
    assert page.status_code == 200
    assert "GAD-7" in page.text or "anxiety" in page.text.lower()
    assert page.text.count('type="radio"') == 7 * 4
    done = web.post(f"/p/tidewater/questions/{token}/", GAD7_ANSWERS)
    assert done.status_code == 200 and "Thank you" in done.text
    response = Response.objects.get()
    gad7 = instruments.get("gad7")
    assert (response.instrument, response.version, response.content_hash) == ("gad7", gad7.version, gad7.content_hash())
    assert response.answers == {f"q{n}": 2 for n in range(1, 8)}
    assert response.total == 14 and response.band == "moderate" and response.not_scorable == ""
    assert response.episode_id == episode.pk and response.timepoint == "ad_hoc"
    link.refresh_from_db()
    assert link.used_at is not None
    assert AuditEvent.objects.filter(object_type="questionnaire_response", actor_role="client").count() == 1


def test_a_double_submit_stores_one_answer_and_shows_the_same_page(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "gad7")
    web = HttpClient()
    first = web.post(f"/p/tidewater/questions/{token}/", GAD7_ANSWERS)
    again = web.post(f"/p/tidewater/questions/{token}/", {**GAD7_ANSWERS, "q1": "0"})
    assert first.status_code == again.status_code == 200
    assert "Thank you" in again.text
    assert Response.objects.count() == 1 and Response.objects.get().total == 14
    assert web.get(f"/p/tidewater/questions/{token}/").status_code == 200  # the back button: same thanks


def test_missing_answers_are_stored_and_shown_honestly_as_not_scorable(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "gad7")
    partial = {k: v for k, v in GAD7_ANSWERS.items() if k != "q7"}
    assert HttpClient().post(f"/p/tidewater/questions/{token}/", partial).status_code == 200
    response = Response.objects.get()
    assert response.total is None
    assert response.not_scorable.startswith("Not scorable")
    owner = HttpClient()
    owner.force_login(cast.olga_user)
    page = owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/outcomes/")
    assert page.status_code == 200
    assert response.not_scorable in page.text.replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q3", "7", "Choose one of the answers offered."),
        ("q3", "-1", "Choose one of the answers offered."),
        ("q3", "two", "Choose one of the answers offered."),
        ("q3", "99999999999999999999", "Choose one of the answers offered."),
    ],
)
def test_an_answer_out_of_range_comes_back_with_a_message_and_what_was_typed(
    cast: Cast, episode: Any, field: str, value: str, message: str
) -> None:
    _link, token = send(episode, "gad7")
    answer = HttpClient().post(f"/p/tidewater/questions/{token}/", {**GAD7_ANSWERS, field: value})
    assert answer.status_code == 400
    assert message in answer.text
    assert 'name="q1" value="2" checked' in answer.text  # nothing typed is lost
    assert Response.objects.count() == 0


def test_a_nul_byte_in_an_answer_is_dropped_not_a_500(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "gad7")
    answer = HttpClient().post(f"/p/tidewater/questions/{token}/", {**GAD7_ANSWERS, "q3": "1\x00", "q\x009": "1"})
    assert answer.status_code == 200
    assert Response.objects.get().answers["q3"] == 1


def test_a_number_out_of_range_on_the_psfs(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "psfs")
    answer = HttpClient().post(
        f"/p/tidewater/questions/{token}/",
        {"activity1_name": "Lifting my child", "activity1": "11", "activity2_name": "Driving", "activity2": "4"},
    )
    assert answer.status_code == 400
    assert "Lifting my child" in answer.text
    assert Response.objects.count() == 0


def test_another_practice_an_unknown_token_and_a_nul_byte_are_404(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "gad7")
    web = HttpClient()
    assert web.get(f"/p/harbour/questions/{token}/").status_code == 404
    assert web.get("/p/tidewater/questions/not-a-token/").status_code == 404
    assert web.get(f"/p/tidewater/questions/{token}%00/").status_code == 404
    assert web.get(f"/p/tidewater/questions/{'x' * 300}/").status_code == 404


def test_an_expired_or_replaced_link_is_gone_and_stores_nothing(cast: Cast, episode: Any) -> None:
    old, old_token = send(episode, "gad7")
    _new, new_token = send(episode, "gad7")
    web = HttpClient()
    replaced = web.post(f"/p/tidewater/questions/{old_token}/", GAD7_ANSWERS)
    assert replaced.status_code == 410 and "no longer works" in replaced.text
    QuestionnaireLink.objects.filter(token_hash=hash_token(new_token)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert web.post(f"/p/tidewater/questions/{new_token}/", GAD7_ANSWERS).status_code == 410
    assert Response.objects.count() == 0
    old.refresh_from_db()
    assert old.voided_at is not None


def test_licensed_and_crisis_instruments_cannot_be_sent(cast: Cast, episode: Any) -> None:
    for instrument in ("hit6", "ndi", "phq9", "nonsense"):
        with pytest.raises(Refused, match="cannot be used"):
            send(episode, instrument)


def test_the_manage_page_shows_the_live_links(cast: Cast, episode: Any) -> None:
    from longtide.scheduling.manage_links import token_from_nonce

    booked = visit(cast, cast.cleo, today(cast) + timedelta(days=3), status="booked")
    _link, token = send(episode, "gad7")
    page = HttpClient().get(f"/p/tidewater/manage/{token_from_nonce(booked.manage_nonce)}/")
    assert page.status_code == 200
    assert f"/p/tidewater/questions/{token}/" in page.text
    assert "gad" not in without_random_keys(page.text).lower()  # a link's token may hold "gAD"


@pytest.mark.parametrize(
    ("days", "status"),
    [(-100, "completed"), (3, "cancelled_client"), (-400, "cancelled_clinic"), (-5, "no_show"), (3, "expired")],
)
def test_an_old_or_cancelled_bookings_page_offers_no_diary_or_questionnaire(
    cast: Cast, episode: Any, days: int, status: str
) -> None:
    """The client's own records open only from a booking whose link still opens them
    (Appointment.opens_own_records): an old or forwarded email's page offers none of their links."""
    from longtide.scheduling.manage_links import token_from_nonce

    _diary, diary_token = send(episode, "headache_diary", "diary")
    _questions, questions_token = send(episode, "gad7")
    old = visit(cast, cast.cleo, today(cast) + timedelta(days=days), slot=4, status=status)
    page = HttpClient().get(f"/p/tidewater/manage/{token_from_nonce(old.manage_nonce)}/")
    assert page.status_code == 200
    assert diary_token not in page.text and questions_token not in page.text
    assert "/p/tidewater/diary/" not in page.text and "/p/tidewater/questions/" not in page.text


def _day(web: HttpClient, token: str, day: date, data: dict[str, str]) -> ClientResponse:
    return web.post(f"/p/tidewater/diary/{token}/{day.isoformat()}/", data)


def test_the_diary_takes_a_day_in_a_few_taps_and_offers_catch_up(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "headache_diary", "diary")
    web = HttpClient(HTTP_USER_AGENT="Mozilla/5.0 (Android)")
    landing = web.get(f"/p/tidewater/diary/{token}/")
    assert landing.status_code == 302 and landing["Location"].endswith(f"/{today(cast).isoformat()}/")
    saved = _day(web, token, today(cast), {"headache": "0"})
    assert saved.status_code == 302
    # Where it goes next: the most recent day still to fill (catch-up).
    assert saved["Location"].endswith(f"/{(today(cast) - timedelta(days=1)).isoformat()}/")
    yesterday = today(cast) - timedelta(days=1)
    assert (
        _day(web, token, yesterday, {"headache": "1", "peak": "6", "migraine": "1", "medication": "0"}).status_code
        == 302
    )
    entries = {e.day: e for e in DiaryEntry.objects.all()}
    assert entries[today(cast)].complete and entries[yesterday].complete
    assert entries[yesterday].answers == {"headache": 1, "peak": 6, "migraine": 1, "medication": 0}
    # Correcting a day replaces its answers: still one row for the date.
    assert _day(web, token, yesterday, {"headache": "0"}).status_code == 302
    assert DiaryEntry.objects.filter(day=yesterday).count() == 1
    assert DiaryEntry.objects.get(day=yesterday).answers == {"headache": 0}


def test_a_rating_scale_shows_its_numbers_with_the_end_labels(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "headache_diary", "diary")
    page = HttpClient().get(f"/p/tidewater/diary/{token}/{today(cast).isoformat()}/").text
    assert 'value="0"> 0 — Very mild</label>' in page
    assert 'value="5"> 5</label>' in page
    assert 'value="10"> 10 — Worst pain you can imagine</label>' in page
    assert "None" not in without_random_keys(page)
    assert 'name="headache" value="0"> No</label>' in page  # words alone where every answer has them


def test_the_diary_refuses_future_days_bad_dates_and_bad_answers(cast: Cast, episode: Any) -> None:
    _link, token = send(episode, "headache_diary", "diary")
    web = HttpClient()
    tomorrow = today(cast) + timedelta(days=1)
    assert _day(web, token, tomorrow, {"headache": "0"}).status_code == 400
    assert web.get(f"/p/tidewater/diary/{token}/9999-12-31/").status_code == 200  # says which days it takes
    assert web.post(f"/p/tidewater/diary/{token}/9999-12-31/", {"headache": "0"}).status_code == 400
    assert web.get(f"/p/tidewater/diary/{token}/2026-02-30/").status_code == 404
    bad = _day(web, token, today(cast), {"headache": "1", "peak": "11", "migraine": "0", "medication": "0"})
    assert bad.status_code == 400 and "Choose one of the answers offered." in bad.text
    assert _day(web, token, today(cast), {}).status_code == 400
    assert DiaryEntry.objects.count() == 0


def test_a_headache_day_without_its_details_is_kept_but_not_complete(cast: Cast, episode: Any) -> None:
    link, _token = send(episode, "headache_diary", "diary")
    entry = save_diary_day(
        link=link, day=today(cast), data={"headache": "1", "peak": "5"}, by=staff_actor(None), now=timezone.now()
    )
    assert not entry.complete


def test_monthly_days_only_when_80_percent_of_days_are_filled(cast: Cast, episode: Any) -> None:
    link, _token = send(episode, "headache_diary", "diary")
    now = timezone.now()
    for back in range(22):  # 22 of 28: one short
        day = today(cast) - timedelta(days=back)
        headache = (
            {"headache": "1", "peak": "5", "migraine": "0", "medication": "1"} if back % 4 == 0 else {"headache": "0"}
        )
        save_diary_day(link=link, day=day, data=headache, by=staff_actor(None), now=now)
    owner = HttpClient()
    owner.force_login(cast.olga_user)
    page = owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/")
    assert "22 of 28 days were filled in, and at least 23 are needed" in page.text
    save_diary_day(
        link=link, day=today(cast) - timedelta(days=22), data={"headache": "0"}, by=staff_actor(None), now=now
    )
    page = owner.get(f"/staff/tidewater/clients/{cast.cleo.pk}/chart/")
    # 23 diary days, headache days at back 0, 4, 8, 12, 16, 20 = 6 -> 6 x 28 / 23 = 7.3
    assert "Headache days per month: 7.3" in page.text


def test_erasing_the_clients_contact_voids_their_links_and_blanks_the_email(cast: Cast, episode: Any) -> None:
    from longtide.records.erasure import ERASED_RECIPIENT, erase_contact

    link, token = send(episode, "gad7")
    assert erase_contact(
        cast.cleo, by=staff_actor(cast.olga_user, "owner"), reason="Client asked by email", now=timezone.now()
    )
    link.refresh_from_db()
    assert link.voided_at is not None
    message = Message.objects.get(about=f"outcomes-link:{link.pk}")
    assert message.recipient == ERASED_RECIPIENT and message.status == "withdrawn"
    assert HttpClient().get(f"/p/tidewater/questions/{token}/").status_code == 410
    episode.client.refresh_from_db()
    with pytest.raises(Refused, match="no email address"):
        send(episode, "gad7")


def test_a_link_sent_twice_at_once_is_one_link_and_one_email(cast: Cast, episode: Any) -> None:
    """Each send voids the client's earlier unused link to the same questionnaire: a double click on
    "Send" used to leave the first email's link dead. The same send by the same person within two
    minutes is the link just sent; later, a send is a new link (and voids the old one)."""
    from longtide.measurement.models import QuestionnaireLink
    from longtide.notifications.models import Message

    staff = HttpClient()
    staff.force_login(cast.ana_user)
    page = f"/staff/tidewater/clients/{cast.cleo.pk}/outcomes/"
    form = {"action": "send", "episode": str(episode.pk), "instrument": "gad7", "timepoint": "ad_hoc"}
    emails_before = Message.objects.count()
    assert [staff.post(page, form).status_code for _ in range(2)] == [302, 302]
    [link] = QuestionnaireLink.objects.filter(instrument="gad7")
    assert link.voided_at is None and Message.objects.count() == emails_before + 1
    QuestionnaireLink.objects.filter(pk=link.pk).update(created_at=link.created_at - timedelta(minutes=3))
    assert staff.post(page, form).status_code == 302
    first, second = QuestionnaireLink.objects.filter(instrument="gad7").order_by("created_at")
    assert first.voided_at is not None and second.voided_at is None
    assert Message.objects.count() == emails_before + 2
