"""`longtide retention`: records past the practice's rule are listed; --apply destroys only those it
may (a legal hold stops it; without dates of birth only when the operator states adults only), and
logs each destruction in the audit trail, which still verifies."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from longtide.audit.models import AuditEvent
from longtide.audit.verify import verify_trail
from longtide.checkins.models import CheckIn
from longtide.clients.models import Client
from longtide.notifications.models import Channel, Message
from longtide.notifications.outbox import NewMessage, queue
from longtide.records.models import LegalHold
from longtide.scheduling.models import Appointment
from tests.access.conftest import World

pytestmark = pytest.mark.django_db


def _age(world: World, years: int) -> int:
    """Move Tidewater's appointment (and its client's creation) `years` into the past; rule: New York."""
    appointment = world.appointments["tidewater"]
    shift = timedelta(days=365 * years + 30)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=appointment.start - shift,
        end=appointment.end - shift,
        blocked_start=appointment.blocked_start - shift,
        blocked_end=appointment.blocked_end - shift,
        status="completed",
    )
    Client.objects.filter(pk=appointment.client_id).update(created_at=timezone.now() - shift)
    world.practices["tidewater"].retention_rule = "new_york"
    world.practices["tidewater"].save(update_fields=["retention_rule"])
    return appointment.client_id


def _run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_a_recent_record_is_not_listed(world: World) -> None:
    world.practices["tidewater"].retention_rule = "new_york"
    world.practices["tidewater"].save(update_fields=["retention_rule"])
    out = _run("--practice", "tidewater", "--apply", "--assume-adults")
    assert "tidewater: rule new_york (6 years after the last entry, and at least until the client is 22); 0 past" in out
    assert Client.objects.filter(practice=world.practices["tidewater"]).count() == 1


def test_without_a_date_of_birth_a_due_record_is_kept_unless_the_practice_sees_adults_only(world: World) -> None:
    cleo = _age(world, 7)
    out = _run("--practice", "tidewater", "--apply")
    assert f"client {cleo}: last entry" in out and "date_of_birth_unknown" in out
    assert Client.objects.filter(pk=cleo).exists()
    assert "Nothing was destroyed" not in out  # --apply was given; nothing was due


def test_apply_destroys_the_record_and_logs_it_and_the_trail_still_verifies(world: World) -> None:
    cleo = _age(world, 7)
    assert Message.objects.filter(about=f"appointment:{world.appointments['tidewater'].pk}").exists()
    report = _run("--practice", "tidewater", "--assume-adults")
    assert f"client {cleo}" in report and ": due" in report and "Nothing was destroyed" in report
    assert Client.objects.filter(pk=cleo).exists()
    out = _run("--practice", "tidewater", "--apply", "--assume-adults")
    assert f"client {cleo}" in out and "destroyed" in out
    assert not Client.objects.filter(pk=cleo).exists()
    assert not Appointment.objects.filter(client_id=cleo).exists()
    assert not Message.objects.filter(about=f"appointment:{world.appointments['tidewater'].pk}").exists()
    (event,) = AuditEvent.objects.filter(action="destroy")
    assert (event.client_id, event.via, event.object_type) == (cleo, "command", "client")
    assert (
        event.detail.startswith("rule new_york; last entry ")
        and "1 appointment" in event.detail
        and "1 client" in event.detail
    )
    assert verify_trail(chain=None).ok
    # Harbour's client is untouched.
    assert Client.objects.filter(practice=world.practices["harbour"]).count() == 1


def test_a_legal_hold_stops_destruction_until_it_is_released(world: World) -> None:
    cleo = _age(world, 7)
    assert "placed on client" in _run("hold", "--practice", "tidewater", "--client", str(cleo), "--reason", "Claim 42")
    out = _run("--practice", "tidewater", "--apply", "--assume-adults")
    assert "legal_hold" in out and Client.objects.filter(pk=cleo).exists()
    assert "1 legal hold(s) lifted" in _run("release", "--practice", "tidewater", "--client", str(cleo))
    _run("--practice", "tidewater", "--apply", "--assume-adults")
    assert not Client.objects.filter(pk=cleo).exists() and not LegalHold.objects.exists()
    holds = list(AuditEvent.objects.filter(object_type="legal_hold").values_list("detail", "reason"))
    assert holds == [("placed", "Claim 42"), ("lifted", "")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hold", "--practice", "tidewater", "--client", "999999"], "tidewater has no client 999999"),
        (["hold", "--client", "1"], "name the practice and the client"),
        (["--practice", "nowhere"], "no practice called 'nowhere'"),
    ],
)
def test_the_command_says_what_is_wrong(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_hold_needs_a_reason(world: World) -> None:
    cleo = world.appointments["tidewater"].client_id
    with pytest.raises(CommandError, match="say why the record is held"):
        _run("hold", "--practice", "tidewater", "--client", str(cleo), "--reason", " \x00 ")


def test_destruction_takes_the_clients_check_ins_and_their_alerts_with_it(world: World) -> None:
    cleo = _age(world, 7)
    appointment = world.appointments["tidewater"]
    found = CheckIn.objects.create(
        practice=world.practices["tidewater"],
        client_id=cleo,
        appointment=appointment,
        effects={"headache": "mild"},
        sought_care=True,
        contact_me=False,
        answered_at=appointment.end,
    )
    alert = NewMessage(
        purpose="checkin.alert",
        channel=Channel.EMAIL,
        recipient="ana@example.test",
        dedupe_key=f"checkin-alert:{found.pk}",
        body_text="A client's check-in asks for attention.",
        send_after=appointment.end,
        about=f"checkin:{found.pk}",
    )
    with transaction.atomic():
        queue(practice_id=appointment.practice_id, messages=[alert])
    _run("--practice", "tidewater", "--apply", "--assume-adults")
    assert not Client.objects.filter(pk=cleo).exists() and not CheckIn.objects.exists()
    assert not Message.objects.filter(about=f"checkin:{found.pk}").exists()
