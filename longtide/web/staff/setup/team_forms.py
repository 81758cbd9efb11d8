"""Input shapes for the staff page and for setting a password from an invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Role
from longtide.practice.staff import MAX_EMAIL_LENGTH

ROLE_CHOICES = [
    (Role.OWNER.value, _("Owner — everything, including settings and staff")),
    (Role.PRACTITIONER.value, _("Practitioner — the schedule and their clients' care")),
    (Role.FRONT_DESK.value, _("Front desk — the schedule and contact details, nothing clinical")),
    (
        Role.STUDENT.value,
        _("Student — their own sessions' clients and notes only; a supervisor co-signs every note"),
    ),
]
SUPERVISOR_HELP = _("A student's notes wait for this practitioner's co-signature. Only for students.")


def _supervisor_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Supervising practitioner"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=SUPERVISOR_HELP,
        error_messages={"invalid_choice": _("Choose one of the practitioners listed.")},
    )


def _offer(field: forms.Field, supervisors: list[tuple[int, str]]) -> None:
    field.choices = [("", _("— none (not a student) —")), *supervisors]  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=MAX_EMAIL_LENGTH,
        help_text=_(
            "They get an email: a one-time link to choose a password (it becomes their username), or, if "
            "they already use Longtide, a link to sign in and accept. They join when they do."
        ),
        error_messages={
            "required": _("Enter the email address to send the invitation to."),
            "invalid": _("Enter an email address like name@example.org."),
            "max_length": _("Email addresses for logins can be at most %(limit_value)d characters."),
        },
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        initial=Role.PRACTITIONER.value,
        error_messages={"required": _("Choose a role."), "invalid_choice": _("Choose one of the roles.")},
    )
    supervisor = _supervisor_field()

    def __init__(self, *args: Any, supervisors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["supervisor"], supervisors)


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in Role],
        error_messages={"required": _("Choose a role."), "invalid_choice": _("Choose one of the roles.")},
    )
    supervisor = _supervisor_field()

    def __init__(self, *args: Any, supervisors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["supervisor"], supervisors)
