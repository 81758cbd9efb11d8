"""Two owners removing (or demoting) each other at the same moment: one wins, the practice keeps an owner.

Each owner acts in its own thread with its own database connection. The first one is held just after
it has checked that another owner remains, and the second one starts then: without the practice's
row lock in practice/staff.py, the second would read two owners too, and both would go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import Cast
from longtide.practice.models import Role, StaffMembership
from longtide.practice.staff import change_role, remove_member

pytestmark = pytest.mark.usefixtures("transactional_db")


def two_owners(cast: Cast) -> tuple[StaffMembership, StaffMembership]:
    olga = StaffMembership.objects.get(practice=cast.tidewater, user=cast.olga_user)
    ben = StaffMembership.objects.get(practice=cast.tidewater, user=cast.ben_user)
    ben.role = Role.OWNER
    ben.save()
    return olga, ben


def race(first: Callable[[], object], second: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run `first` until it has passed the last-owner check, then `second`; return each outcome."""
    checked = threading.Event()
    original = StaffMembership.check_may_leave_owners

    def held_check(self: StaffMembership) -> None:
        original(self)
        if threading.current_thread().name == "first" and not checked.is_set():
            checked.set()
            time.sleep(0.5)  # room for the second owner to reach the lock (no assertion depends on it)

    monkeypatch.setattr(StaffMembership, "check_may_leave_owners", held_check)
    outcomes: dict[str, str] = {}

    def run(name: str, action: Callable[[], object]) -> None:
        try:
            if name == "second":
                assert checked.wait(30)
            action()
            outcomes[name] = "done"
        except ValidationError as error:
            outcomes[name] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, a), name=n) for n, a in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return [outcomes["first"], outcomes["second"]]


def test_two_owners_removing_each_other_leave_one_owner(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    olga, ben = two_owners(cast)
    outcomes = race(
        lambda: remove_member(practice=cast.tidewater, membership_id=ben.pk, by=cast.olga_user),
        lambda: remove_member(practice=cast.tidewater, membership_id=olga.pk, by=cast.ben_user),
        monkeypatch,
    )
    assert outcomes[0] == "done"
    assert "no longer an owner" in outcomes[1]
    owners = StaffMembership.objects.filter(practice=cast.tidewater, role=Role.OWNER)
    assert list(owners.values_list("user__username", flat=True)) == ["olga"]


def test_two_owners_demoting_each_other_leave_one_owner(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    olga, ben = two_owners(cast)
    outcomes = race(
        lambda: change_role(practice=cast.tidewater, membership_id=ben.pk, role=Role.FRONT_DESK, by=cast.olga_user),
        lambda: change_role(practice=cast.tidewater, membership_id=olga.pk, role=Role.FRONT_DESK, by=cast.ben_user),
        monkeypatch,
    )
    assert outcomes[0] == "done"
    assert "no longer an owner" in outcomes[1]
    assert StaffMembership.objects.filter(practice=cast.tidewater, role=Role.OWNER).count() == 1


def test_two_owners_each_leaving_leave_one_owner(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    olga, ben = two_owners(cast)
    outcomes = race(
        lambda: remove_member(practice=cast.tidewater, membership_id=olga.pk, by=cast.olga_user),
        lambda: remove_member(practice=cast.tidewater, membership_id=ben.pk, by=cast.ben_user),
        monkeypatch,
    )
    assert outcomes[0] == "done"
    assert "only owner" in outcomes[1]
    assert list(
        StaffMembership.objects.filter(practice=cast.tidewater, role=Role.OWNER).values_list(
            "user__username", flat=True
        )
    ) == ["ben"]
