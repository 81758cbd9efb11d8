from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component

from longtide.scheduling.ics import appointment_ics

NEW_YORK = ZoneInfo("America/New_York")


def make(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "uid": "appointment-7@tidewater.longtide",
        "start": datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK),
        "end": datetime(2026, 12, 1, 11, 0, tzinfo=NEW_YORK),
        "summary": "CST session with Ana Silva (Tidewater Craniosacral)",
        "location": "Harbourside, 1 Quay St, Portland, ME",
        "description": "Cancel or reschedule: https://clinic.example.test/manage/abc",
        "organizer_email": "hello@tidewater.test",
        "attendee_email": "cleo@example.test",
    }
    arguments.update(overrides)
    return appointment_ics(**arguments)


def parse(data: bytes) -> tuple[Calendar, Component]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_a_request_carries_the_appointment_in_utc() -> None:
    data = make()
    assert isinstance(data, bytes)
    calendar, event = parse(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["PRODID"])
    assert event["UID"] == "appointment-7@tidewater.longtide"
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert event["SUMMARY"] == "CST session with Ana Silva (Tidewater Craniosacral)"
    assert event["LOCATION"] == "Harbourside, 1 Quay St, Portland, ME"
    assert event["DESCRIPTION"] == "Cancel or reschedule: https://clinic.example.test/manage/abc"
    assert str(event["ORGANIZER"]) == "mailto:hello@tidewater.test"
    # 10:00 in New York in December is 15:00 UTC, and it is written as UTC ("Z").
    assert event.decoded("DTSTART") == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert b"DTSTART:20261201T150000Z" in data
    assert b"DTEND:20261201T160000Z" in data
    assert b"TZID" not in data


def test_dtstamp_is_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = parse(make())
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence() -> None:
    _, first = parse(make())
    _, moved = parse(
        make(
            start=datetime(2026, 12, 2, 14, 0, tzinfo=NEW_YORK),
            end=datetime(2026, 12, 2, 15, 0, tzinfo=NEW_YORK),
            sequence=3,
        )
    )
    assert moved["UID"] == first["UID"]
    assert moved["SEQUENCE"] == 3
    assert moved.decoded("DTSTART") == datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def test_a_cancellation_uses_the_cancel_method() -> None:
    data = make(sequence=4, cancelled=True)
    calendar, event = parse(data)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 4
    assert event["UID"] == "appointment-7@tidewater.longtide"


def test_summer_times_convert_with_daylight_saving() -> None:
    _, event = parse(
        make(start=datetime(2026, 7, 1, 10, 0, tzinfo=NEW_YORK), end=datetime(2026, 7, 1, 11, 0, tzinfo=NEW_YORK))
    )
    assert event.decoded("DTSTART") == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


def test_text_is_escaped_and_long_lines_are_folded() -> None:
    summary = "Session; with commas, and a backslash \\ " + "x" * 100
    data = make(summary=summary, description="Line one\nLine two")
    _, event = parse(data)
    assert event["SUMMARY"] == summary
    assert event["DESCRIPTION"] == "Line one\nLine two"
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_optional_fields_are_left_out_when_empty() -> None:
    data = make(location="", description="", organizer_email="")
    _, event = parse(data)
    for name in ("LOCATION", "DESCRIPTION", "ORGANIZER", "ATTENDEE"):
        assert name not in event


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": datetime(2026, 12, 1, 10, 0)}, "timezone-aware"),
        ({"end": datetime(2026, 12, 1, 9, 0, tzinfo=NEW_YORK)}, "before end"),
        ({"sequence": -1}, "negative"),
    ],
)
def test_bad_input_is_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**overrides)


# RFC 5546 §3.2.2 and §3.2.5: what a REQUEST and a CANCEL must carry (a component without them is
# what calendar clients handle unevenly: Outlook refuses a REQUEST without attendees).
REQUIRED = {
    "REQUEST": {"ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID", "SEQUENCE"},
    "CANCEL": {"ATTENDEE", "DTSTAMP", "ORGANIZER", "UID", "SEQUENCE"},
    "PUBLISH": {"DTSTAMP", "DTSTART", "SUMMARY", "UID"},
}


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_request_and_a_cancel_name_the_client_as_an_attendee_who_need_not_reply(cancelled: bool) -> None:
    calendar, event = parse(make(cancelled=cancelled, sequence=2))
    method = str(calendar["METHOD"])
    assert method == ("CANCEL" if cancelled else "REQUEST")
    assert REQUIRED[method] <= set(event.keys())
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:cleo@example.test"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert "CN" not in attendee.params  # no name: the file says nothing the address's owner did not type


@pytest.mark.parametrize(("organizer", "attendee"), [("", "cleo@example.test"), ("hello@tidewater.test", "")])
def test_without_both_addresses_the_file_is_published_and_a_cancellation_is_published_cancelled(
    organizer: str, attendee: str
) -> None:
    calendar, event = parse(make(organizer_email=organizer, attendee_email=attendee))
    assert calendar["METHOD"] == "PUBLISH"
    assert REQUIRED["PUBLISH"] <= set(event.keys())
    assert "ATTENDEE" not in event
    calendar, event = parse(make(organizer_email=organizer, attendee_email=attendee, cancelled=True, sequence=1))
    assert calendar["METHOD"] == "PUBLISH"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_second_strict_parser_reads_the_email_file(cancelled: bool) -> None:
    from ical.calendar_stream import IcsCalendarStream

    stream = IcsCalendarStream.calendar_from_ics(make(cancelled=cancelled, sequence=1).decode())
    (event,) = stream.events
    assert event.uid == "appointment-7@tidewater.longtide"
    assert event.dtstart == datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert [a.uri for a in event.attendees] == ["mailto:cleo@example.test"]
