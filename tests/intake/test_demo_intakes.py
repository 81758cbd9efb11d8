"""The demo clinic has intakes at every flag level, and `--reset` removes them with it."""

from __future__ import annotations

import pytest

from longtide.intake import status
from longtide.intake.models import Flag, Intake
from longtide.sampledata.demo import remove_demo, seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_intake_at_each_level_and_a_reset_removes_them() -> None:
    practice = seed_demo()
    by_name = {c.first_name: c for c in practice.clients.all()}
    found = status.summaries(practice, [c.pk for c in by_name.values()])
    got = {
        name: (found[c.pk].intake_done, (level.name if (level := found[c.pk].open_level) else None))
        for name, c in by_name.items()
        if name in ("Cleo", "Eli", "Tom", "Rosa", "Sam", "Lea", "Ada")
    }
    assert got == {
        "Cleo": (True, None),
        "Eli": (True, "PRECAUTION"),
        "Tom": (True, "REFER"),
        "Rosa": (True, "EMERGENCY"),
        "Sam": (True, None),  # acknowledged: clearance received
        "Lea": (True, None),  # acknowledged: technique modified
        "Ada": (False, None),  # started, not sent
    }
    assert found[by_name["Rosa"].pk].held and found[by_name["Tom"].pk].needs_review
    assert Flag.objects.filter(practice=practice, acknowledged_at__isnull=False).count() == 3
    remove_demo()
    assert not Intake.objects.exists() and not Flag.objects.exists()
    assert seed_demo().clients.count() == len(by_name)


def test_every_completed_demo_visit_had_treatment_consent_or_a_recorded_override() -> None:
    from longtide.audit.models import AuditEvent
    from longtide.intake.session import session_consent
    from longtide.sampledata.demo import DEMO_OVERRIDE
    from longtide.scheduling.models import Appointment, Status

    practice = seed_demo()
    completed = Appointment.objects.filter(practice=practice, status=Status.COMPLETED).select_related("client")
    assert completed.count() > 20
    overridden = []
    for appointment in completed:
        consent = session_consent(appointment)
        assert consent.current or consent.override is not None, appointment
        if not consent.current:
            assert consent.override is not None and consent.override.reason == DEMO_OVERRIDE
            overridden.append(appointment.client.first_name)
    assert overridden == ["Ada"]  # today's visit; her intake is still open
    assert AuditEvent.objects.filter(practice_id=practice.pk, object_type="consent_override").count() == 1
