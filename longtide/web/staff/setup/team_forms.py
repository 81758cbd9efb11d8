"""Input shapes for the staff page and for setting a password from an invitation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.practice.models import Role
from longtide.practice.staff import MAX_EMAIL_LENGTH

ROLE_CHOICES = [
    (Role.OWNER.value, _("Owner — everything, including settings and staff")),
    (Role.PRACTITIONER.value, _("Practitioner — the schedule and their clients' care")),
    (Role.FRONT_DESK.value, _("Front desk — the schedule and contact details, nothing clinical")),
]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=MAX_EMAIL_LENGTH,
        help_text=_("They get a one-time link to choose a password; it becomes their username."),
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


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in Role],
        error_messages={"required": _("Choose a role."), "invalid_choice": _("Choose one of the roles.")},
    )
