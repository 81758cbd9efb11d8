"""A student at Tidewater for the notes tests: Sam Reed, with a practitioner profile (bookable),
supervised by Ana; and a visit of Sam's (Cleo's, in the past)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conftest import Cast
from tests.notes.conftest import make_visit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from longtide.scheduling.models import Appointment


def make_student(cast: Cast, *, supervisor: User | None = None, username: str = "sam") -> User:
    from django.contrib.auth import get_user_model

    from longtide.practice.models import Practitioner, Role, StaffMembership

    user = get_user_model().objects.create_user(username, f"{username}@tidewater.test", f"pw-{username}-123")
    user.first_name, user.last_name = "Sam", "Reed"
    user.save()
    Practitioner.objects.create(
        practice=cast.tidewater,
        user=user,
        display_name="Sam Reed",
        slug=f"{username}-reed",
        credentials="CST student",
        style="biodynamic",
    )
    StaffMembership.objects.create(
        practice=cast.tidewater, user=user, role=Role.STUDENT, supervisor=supervisor or cast.ana_user
    )
    return user


def student_visit(cast: Cast, student: User, **kwargs: Any) -> Appointment:
    from longtide.scheduling.models import Appointment

    appointment = make_visit(cast, **kwargs)
    Appointment.objects.filter(pk=appointment.pk).update(practitioner=student.practitioner)
    appointment.refresh_from_db()
    return appointment
