"""Every numeric practice setting has bounds that the model holds (validators, for the forms and the
admin): a horizon of 999999999 days cannot be saved from a form and then break every booking page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import Cast
from longtide.practice.models import Practice

pytestmark = pytest.mark.django_db

NUMERIC_SETTINGS = {
    # field: (lowest allowed, highest allowed)
    "min_notice_hours": (0, 720),
    "booking_horizon_days": (1, 730),
    "slot_step_minutes": (5, 60),
    "cancellation_window_hours": (0, 336),
    "booking_hold_minutes": (15, 1440),
    "online_bookings_per_email_per_day": (1, 50),
    "online_bookings_per_ip_per_hour": (1, 1000),
    "reminder_hours_first": (0, 336),
    "reminder_hours_second": (0, 336),
    "waitlist_offer_minutes": (10, 1440),
    "episode_inactivity_days": (7, 1095),
    "note_overdue_days": (1, 30),
    "idle_timeout_minutes": (5, 720),
    "backup_max_age_hours": (1, 744),
}


def test_every_numeric_setting_of_the_practice_is_listed_here() -> None:
    numeric = {
        f.name
        for f in Practice._meta.get_fields()
        # public_version is a counter the database keeps, not a setting anyone types; clock_hours is
        # a choice of 12 or 24 (choices, and a database check), tested with the practice's formats.
        if f.get_internal_type().endswith("IntegerField")
        and f.name not in ("id", "public_version", "clock_hours")
        and not f.is_relation
    }
    assert numeric == set(NUMERIC_SETTINGS)


@pytest.mark.parametrize(("name", "bounds"), NUMERIC_SETTINGS.items())
def test_the_model_refuses_a_setting_outside_its_bounds(cast: Cast, name: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    practice = Practice.objects.get(pk=cast.tidewater.pk)
    for good in (low, high):
        setattr(practice, name, good)
        practice.full_clean()
    for bad in (high + 1, 999999999) + ((low - 1,) if low > 0 else ()):
        setattr(practice, name, bad)
        with pytest.raises(ValidationError) as refused:
            practice.full_clean()
        assert name in refused.value.message_dict
