"""A client's name, email and phone: the one definition of these fields for every form that takes
them (the staff area's client add/edit and booking a new client, calendar_forms.ClientContactForm;
the public booking form, booking_forms.DetailsForm; the waitlist, waitlist_forms.WishesForm).

The limits are the Client model's, the phone rule and the email message are clients/contact.py's.
Each form says whose details they are: staff type someone else's ("Enter the client's first
name.", no browser autofill of the staff member's own details), a client types their own ("Enter
your first name.", autocomplete tokens), and whether an email is required (a phone-only client
can be booked by staff, not online).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from longtide.clients.contact import PHONE
from longtide.web.bad_input import no_control_characters

NAME_MAX = 80  # Client.first_name / last_name
EMAIL_MAX = 254
PHONE_MAX = 40  # Client.phone
EMAIL_INVALID = _("Enter an email address like name@example.com.")
AUTOCOMPLETE = {"first_name": "given-name", "last_name": "family-name", "email": "email", "phone": "tel"}


class ClientDetailsForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX, validators=[no_control_characters])
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX, validators=[no_control_characters])
    email = forms.EmailField(
        label=_("Email"), max_length=EMAIL_MAX, required=False, error_messages={"invalid": EMAIL_INVALID}
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PHONE_MAX,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    # True: the client types their own details (autocomplete, "your"); False: staff type a client's.
    own_details: ClassVar[bool] = False
    email_required: ClassVar[bool] = False

    def __init__(self, *args: Any, own_details: bool | None = None, **kwargs: Any) -> None:
        """`own_details` overrides the class's choice (the waitlist form, filled by a client online
        or by staff for a client)."""
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = self.email_required
        if self.own_details if own_details is None else own_details:
            missing = {"first_name": _("Enter your first name."), "last_name": _("Enter your last name.")}
            email.error_messages["required"] = _("Enter your email address.")
            for name, token in AUTOCOMPLETE.items():
                self.fields[name].widget.attrs["autocomplete"] = token
        else:
            missing = {
                "first_name": _("Enter the client's first name."),
                "last_name": _("Enter the client's last name."),
            }
            email.error_messages["required"] = _("Enter the client's email address.")
        for name, message in missing.items():
            self.fields[name].error_messages["required"] = message
