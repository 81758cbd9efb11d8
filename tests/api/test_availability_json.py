"""The availability answer is written as text (api.bookings.slots_json): the same bytes json.dumps
writes from dicts, across offset changes and in more than one zone."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import Cast
from longtide.api.bookings import slots_json
from longtide.scheduling.availability import Slot
from longtide.scheduling.search import Found


def reference(found: Found) -> str:
    zone_of_room = {room: found.zone_of[location] for room, location in found.location_of.items()}
    return json.dumps(
        {
            "slots": [
                {
                    "start": s.start.astimezone(zone_of_room[s.room_id]).isoformat(),
                    "end": s.end.astimezone(zone_of_room[s.room_id]).isoformat(),
                    "practitioner": s.practitioner_id,
                    "room": s.room_id,
                }
                for s in found.slots
            ]
        }
    )


def test_the_text_matches_json_dumps_across_offset_changes_and_zones() -> None:
    # Every 15 minutes across New York's fall-back night and Lord Howe's half-hour change, in
    # rooms of two locations; ends that are later starts, so the per-instant memo is exercised.
    zones = {1: ZoneInfo("America/New_York"), 2: ZoneInfo("Australia/Lord_Howe")}
    slots = []
    for base, room in ((datetime(2026, 11, 1, 3, 0, tzinfo=UTC), 10), (datetime(2026, 10, 3, 13, 0, tzinfo=UTC), 20)):
        for k in range(40):
            start = base + timedelta(minutes=15 * k)
            slots.append(Slot(start, start + timedelta(minutes=60), 7 + k % 3, room))
    found = Found(slots, {10: 1, 20: 2}, zones)
    assert slots_json(found) == reference(found)
    assert slots_json(Found([], {}, {})) == reference(Found([], {}, {})) == '{"slots": []}'


@pytest.mark.django_db
def test_the_endpoint_answers_with_those_bytes(client: HttpClient, cast: Cast) -> None:
    with time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False):
        url = f"/api/v1/p/tidewater/availability?service={cast.session.pk}&start=2026-12-02&end=2026-12-03"
        body = client.get(url).content.decode()
    data = json.loads(body)
    assert len(data["slots"]) == 2 * 29
    assert body == json.dumps(data)
    assert data["slots"][0]["start"] == "2026-12-02T09:00:00-05:00"
